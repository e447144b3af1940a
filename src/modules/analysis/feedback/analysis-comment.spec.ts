import type { CommitJobRow, CommitProblemRow } from '../api/analysis-read.repository';
import { COMMENT_PROBLEM_LIMIT, lineLinker, renderAnalysisComment } from './analysis-comment';

const SHA = 'a'.repeat(40);
const job: CommitJobRow = {
  id: 'j1',
  name: 'build',
  url: 'https://ci/1',
  status: 'analyzed',
  reason: null,
};

function problem(overrides: Partial<CommitProblemRow> = {}): CommitProblemRow {
  return {
    id: 'p1',
    ci_job_id: 'j1',
    tool: 'tsc',
    severity: 'error',
    code: 'TS2322',
    message: "Type 'number' is not assignable to type 'string'.",
    file: 'src/a.ts',
    line: 5,
    column: 7,
    test_name: null,
    fingerprint: 'f',
    new_in_pull_request: true,
    flaky: false,
    first_seen_sha: SHA,
    job_name: 'build',
    ...overrides,
  };
}

const link = lineLinker('github', 'https://github.com/', 'acme/api', SHA);

describe('renderAnalysisComment', () => {
  it('groups problems by file with line links, new vs already failing, and the head SHA', () => {
    const body = renderAnalysisComment({
      headSha: SHA,
      baseBranch: 'main',
      jobs: [
        job,
        {
          id: 'j2',
          name: 'lint',
          url: null,
          status: 'skipped',
          reason: 'the job is allowed to fail',
        },
      ],
      problems: [
        problem(),
        problem({
          id: 'p2',
          file: 'src/b.ts',
          line: 1,
          column: null,
          new_in_pull_request: false,
          flaky: true,
        }),
      ],
      lineLink: link,
    });
    expect(body).toContain(
      '2 failed jobs, 2 problems in 2 files: 1 new in this pull request, 1 already failing on `main`.',
    );
    expect(body).toContain('- [build](https://ci/1): 2 problems');
    expect(body).toContain('- lint: skipped: the job is allowed to fail');
    expect(body).toContain(
      `[L5:7](https://github.com/acme/api/blob/${SHA}/src/a.ts#L5) \`TS2322\``,
    );
    expect(body).toContain('(tsc; already failing, flaky)');
    expect(body).toContain(`Head commit \`${SHA}\``);
    expect(body).not.toContain('Outdated');
  });

  it('says when the head has moved on, and cuts long lists', () => {
    const many = Array.from({ length: COMMENT_PROBLEM_LIMIT + 5 }, (_, i) =>
      problem({ id: `p${i}`, line: i + 1 }),
    );
    const body = renderAnalysisComment({
      headSha: SHA,
      currentHeadSha: 'b'.repeat(40),
      jobs: [job],
      problems: many,
      lineLink: link,
    });
    expect(body).toContain(
      '**Outdated:** this describes `aaaaaaaaaa`; the head is now `bbbbbbbbbb`.',
    );
    expect(body).toContain('…and 5 more');
    expect(body).toContain('already failing on the base branch');
  });
});

describe('lineLinker', () => {
  it('links a line on each forge and refuses paths outside the repository', () => {
    expect(lineLinker('gitlab', 'https://gl.test', 'g/s/p', SHA)('./src/x y.ts', 3)).toBe(
      `https://gl.test/g/s/p/-/blob/${SHA}/src/x%20y.ts#L3`,
    );
    expect(lineLinker('gitea', 'https://gt.test', 'o/r', SHA)('a.go', null)).toBe(
      `https://gt.test/o/r/src/commit/${SHA}/a.go`,
    );
    expect(lineLinker('bitbucket', 'https://bb.test', 'w/r', SHA)('a.py', 9)).toBe(
      `https://bb.test/w/r/src/${SHA}/a.py#lines-9`,
    );
    expect(link('/home/runner/work/a.ts', 1)).toBeUndefined();
    expect(link('../etc/passwd', 1)).toBeUndefined();
  });
});
