import { AnalysisUpkeepTask } from '../../src/modules/analysis/tasks/analysis-upkeep.task';
import { LogParsingService } from '../../src/modules/analysis/log-parsing.service';
import { FakeForge } from '../support/fake-forge/fake-forge';
import { eventually, TestApp } from '../support/test-app';
import {
  asGitHubLog,
  asGitLabLog,
  ciJobIdOf,
  gitlabJobPayload,
  recordedLog,
  sendGitHub,
  sendGitLab,
  sha,
  startAppWithFakeForge,
  uniqueNumber,
  workflowJobPayload,
  workflowRunPayload,
} from './analysis-support';
import { startIsolatedApp } from './analysis-support';

interface ProblemItem {
  id: string;
  ciJobId: string;
  tool: string;
  code: string | null;
  file: string | null;
  line: number | null;
  column: number | null;
  message: string;
  newInPullRequest: boolean;
  flaky: boolean;
  firstSeenSha: string;
  fingerprint: string;
}

const TSC = recordedLog('tsc/plain.log');
const tscLines = TSC.trimEnd().split('\n');
/** The base branch already fails with the first two errors. */
const BASE_LOG = tscLines.slice(0, 2).join('\n');
/** The second run of the pull request fixed two of the five. */
const FIXED_LOG = [tscLines[0], tscLines[1], tscLines[3]].join('\n');

describe('analysis: failed CI jobs → logs from the fake forge → problems, API, PR feedback', () => {
  let fake: FakeForge;
  let t: TestApp;
  let closeApp: () => Promise<void>;
  const repo = { id: uniqueNumber(), fullName: `acme/app-${uniqueNumber()}` };
  const PR = 12;

  const ciJobId = (externalId: number): Promise<string> => ciJobIdOf(t, externalId);
  const analysisOf = (externalId: number) =>
    eventually(
      async () => {
        const rows = await t.dataSource.query<
          { status: string; reason: string | null; trace_hash: string | null }[]
        >(
          `SELECT a.status, a.reason, a.trace_hash FROM analysis_jobs a
           JOIN ci_jobs j ON j.id = a.ci_job_id WHERE j.external_id = $1`,
          [String(externalId)],
        );
        return rows[0] && rows[0].status !== 'pending' ? rows[0] : undefined;
      },
      60000,
      `analysis of job ${externalId}`,
    );
  const problems = async (query: string): Promise<ProblemItem[]> => {
    const response = await t.request('GET', `/api/v1/analysis/problems?${query}`);
    expect(response.status).toBe(200);
    return response.json<{ items: ProblemItem[] }>().items;
  };
  const githubComments = () => fake.commentsOn('github', repo.fullName, PR);
  const statusesOf = (commit: string) =>
    fake.statuses.filter((s) => s.sha === commit && s.context === 'hookyard/analysis');
  /** Lets the follow-up queue run out: what arrives late would show up in the counts. */
  const settle = () => new Promise((resolve) => setTimeout(resolve, 4000));

  const base = sha();
  const head1 = sha();
  const head2 = sha();

  beforeAll(async () => {
    ({ fake, app: t, close: closeApp } = await startAppWithFakeForge());
  }, 60000);

  afterAll(async () => {
    await closeApp?.();
  });

  it('a failed job on the base branch: its problems, first seen there', async () => {
    fake.jobLogs.set('7001', asGitHubLog(BASE_LOG));
    const job = { id: 7001, runId: 6001, name: 'typecheck', sha: base, branch: 'main' };
    expect(
      await sendGitHub(
        t,
        'workflow_job',
        workflowJobPayload(repo, { ...job, conclusion: 'failure' }),
      ),
    ).toBe(202);
    expect((await analysisOf(7001)).status).toBe('analyzed');
    const found = await problems(`repository=${encodeURIComponent(repo.fullName)}&sha=${base}`);
    expect(found.map((p) => [p.file, p.line, p.column, p.code]).sort()).toEqual(
      [
        ['src/index.ts', 1, 25, 'TS2307'],
        ['src/index.ts', 5, 7, 'TS2322'],
      ].sort(),
    );
    expect(found.every((p) => p.tool === 'tsc' && p.firstSeenSha === base)).toBe(true);
    // Not a pull request's run: nothing is "new in the pull request", and no PR to comment on.
    expect(found.every((p) => !p.newInPullRequest)).toBe(true);
    await eventually(
      () => Promise.resolve(statusesOf(base).length > 0 ? true : undefined),
      30000,
      'the commit status',
    );
    await settle();
    expect(statusesOf(base)).toHaveLength(1);
  }, 90000);

  it('repeated and concurrent deliveries of a failing PR run: one analysis, one comment, one status', async () => {
    fake.jobLogs.set('7002', asGitHubLog(TSC));
    fake.pullsByCommit.set(`${repo.fullName}@${head1}`, [PR]);
    const job = workflowJobPayload(repo, {
      id: 7002,
      runId: 6002,
      name: 'typecheck',
      sha: head1,
      branch: 'feature',
      conclusion: 'failure',
    });
    const run = workflowRunPayload(repo, {
      id: 6002,
      sha: head1,
      branch: 'feature',
      pullRequests: [PR],
    });
    const statuses = await Promise.all([
      sendGitHub(t, 'workflow_job', job, 'same-delivery-7002'),
      sendGitHub(t, 'workflow_job', job, 'same-delivery-7002'),
      sendGitHub(t, 'workflow_job', job),
      sendGitHub(t, 'workflow_job', job),
      sendGitHub(t, 'workflow_run', run),
      sendGitHub(t, 'workflow_run', run),
    ]);
    expect(statuses.filter((s) => s === 202).length).toBeGreaterThanOrEqual(5);
    expect((await analysisOf(7002)).status).toBe('analyzed');
    await eventually(
      () => Promise.resolve(githubComments().length > 0 ? true : undefined),
      30000,
      'a comment',
    );
    await sendGitHub(t, 'workflow_job', job);
    await settle();
    expect(githubComments()).toHaveLength(1);
    expect(statusesOf(head1)).toHaveLength(1);
    expect(statusesOf(head1)[0].state).toBe('failure');
    expect(fake.requests.filter((r) => r.path.endsWith('/actions/jobs/7002/logs'))).toHaveLength(1);

    const found = await problems(`pullRequest=${PR}&sha=${head1}`);
    expect(found).toHaveLength(5);
    const fresh = found
      .filter((p) => p.newInPullRequest)
      .map((p) => p.code)
      .sort();
    expect(fresh).toEqual(['TS2322', 'TS2339', 'TS2345']);
    const comment = githubComments()[0].body;
    expect(comment).toContain('<!-- hookyard:analysis -->');
    expect(comment).toContain(head1);
    expect(comment).toContain('3 new in this pull request, 2 already failing on `main`');
    expect(comment).toContain('**`src/util/strings.ts`**');
    expect(comment).toContain(
      `(${fake.url}/${repo.fullName}/blob/${head1}/src/util/strings.ts#L2)`,
    );
    expect(comment).not.toContain('Process completed');

    // The run's failed jobs and one job's analysis, from the database.
    const [runRow] = await t.dataSource.query<{ id: string }[]>(
      `SELECT id FROM ci_runs WHERE external_id = '6002'`,
    );
    const failed = await t.request('GET', `/api/v1/analysis/ci-runs/${runRow.id}/failed-jobs`);
    expect(failed.status).toBe(200);
    expect(
      failed.json<{ items: Array<{ name: string; status: string; problems: number }> }>().items,
    ).toEqual([expect.objectContaining({ name: 'typecheck', status: 'analyzed', problems: 5 })]);
    const analysed = await t.request('GET', `/api/v1/analysis/ci-jobs/${await ciJobId(7002)}`);
    expect(analysed.json()).toMatchObject({ status: 'analyzed', reason: null, parserVersion: 1 });
    expect(analysed.json<{ problems: unknown[] }>().problems).toHaveLength(5);
  }, 120000);

  it('trace excerpts: compact, balanced and full', async () => {
    const [problem] = await problems(`sha=${head1}&file=src%2Futil%2Fstrings.ts&tool=tsc`);
    const trace = async (mode: string) => {
      const response = await t.request(
        'GET',
        `/api/v1/analysis/problems/${problem.id}/trace?mode=${mode}`,
      );
      expect(response.status).toBe(200);
      return response.json<{ lines: string[]; firstLine: number }>();
    };
    const compact = await trace('compact');
    expect(compact.lines).toHaveLength(1);
    expect(compact.lines[0]).toContain('src/util/strings.ts(');
    expect((await trace('balanced')).lines.length).toBeGreaterThan(1);
    const full = await trace('full');
    expect(full.firstLine).toBe(1);
    expect(full.lines.join('\n')).toContain('npm run typecheck');
    expect(full.lines.join('\n')).not.toMatch(/##\[group\]|2026-03-02T/);
    const bad = await t.request(
      'GET',
      `/api/v1/analysis/problems/${problem.id}/trace?mode=everything`,
    );
    expect(bad.status).toBe(400);
    const files = await t.request(
      'GET',
      `/api/v1/analysis/files?repository=${encodeURIComponent(repo.fullName)}&path=src%2Findex.ts`,
    );
    expect(
      files.json<{ items: ProblemItem[] }>().items.every((p) => p.file === 'src/index.ts'),
    ).toBe(true);
    // Two on the base branch, three in the pull request's first run.
    expect(files.json<{ items: ProblemItem[] }>().items.length).toBe(5);
  });

  it('a second run that fixes some errors updates the one comment; the same log twice is parsed once', async () => {
    fake.jobLogs.set('7003', asGitHubLog(FIXED_LOG));
    fake.jobLogs.set('7004', asGitHubLog(FIXED_LOG));
    fake.pullsByCommit.set(`${repo.fullName}@${head2}`, [PR]);
    for (const [id, name] of [
      [7003, 'typecheck'],
      [7004, 'typecheck (node 22)'],
    ] as const) {
      const payload = workflowJobPayload(repo, {
        id,
        runId: 6003,
        name,
        sha: head2,
        branch: 'feature',
        conclusion: 'failure',
      });
      expect(await sendGitHub(t, 'workflow_job', payload)).toBe(202);
    }
    const [a, b] = [await analysisOf(7003), await analysisOf(7004)];
    expect(a.trace_hash).toBe(b.trace_hash);
    const parses = await t.dataSource.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM analysis_parses WHERE trace_hash = $1`,
      [a.trace_hash],
    );
    expect(parses[0].n).toBe(1);
    const logs = await t.dataSource.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM analysis_logs WHERE trace_hash = $1`,
      [a.trace_hash],
    );
    expect(logs[0].n).toBe(1);
    await eventually(
      () => Promise.resolve(githubComments()[0]?.body.includes(head2) ? true : undefined),
      30000,
      'the comment to describe the new head',
    );
    await settle();
    expect(githubComments()).toHaveLength(1);
    const comment = githubComments()[0].body;
    expect(comment).not.toContain('TS2345');
    expect(comment).toContain('TS2339');
    expect(comment).toContain('2 failed jobs');
    expect(statusesOf(head2)).toHaveLength(1);
  }, 120000);

  it('a parser-version bump re-parses stored logs once each and drops the old results', async () => {
    const before = await problems(`sha=${head2}`);
    const parsing = t.app.get(LogParsingService);
    parsing.useVersion(2);
    try {
      const result = await t.app.get(AnalysisUpkeepTask).run();
      // Three distinct logs (base, first run, second run twice): each parsed again once.
      expect(result.reparsedLogs).toBe(3);
      expect(result.refreshedJobs).toBe(4);
      expect(result.oldParsesDeleted).toBe(3);
      expect(result.expiredLogsDeleted).toBe(0);
      const versions = await t.dataSource.query<{ parser_version: number; n: number }[]>(
        `SELECT parser_version, count(*)::int AS n FROM analysis_parses GROUP BY 1 ORDER BY 1`,
      );
      expect(versions).toEqual([{ parser_version: 2, n: 3 }]);
      const jobs = await t.dataSource.query<{ parser_version: number }[]>(
        `SELECT DISTINCT parser_version FROM analysis_jobs WHERE status = 'analyzed'`,
      );
      expect(jobs).toEqual([{ parser_version: 2 }]);
      const after = await problems(`sha=${head2}`);
      expect(after.map((p) => p.fingerprint).sort()).toEqual(
        before.map((p) => p.fingerprint).sort(),
      );
      expect((await t.app.get(AnalysisUpkeepTask).run()).reparsedLogs).toBe(0);
    } finally {
      parsing.useVersion(1);
    }
  }, 60000);

  it('cancelled jobs are skipped, saying why; a job passing on the same commit makes it flaky', async () => {
    fake.jobLogs.set('7005', asGitHubLog(TSC));
    const cancelled = workflowJobPayload(repo, {
      id: 7005,
      runId: 6004,
      name: 'lint',
      sha: head2,
      branch: 'feature',
      conclusion: 'cancelled',
    });
    await sendGitHub(t, 'workflow_job', cancelled);
    // A failure of the same repository sets the analysis going.
    fake.jobLogs.set('7006', asGitHubLog(FIXED_LOG));
    await sendGitHub(
      t,
      'workflow_job',
      workflowJobPayload(repo, {
        id: 7006,
        runId: 6005,
        name: 'flaky-check',
        sha: head2,
        branch: 'feature',
        conclusion: 'failure',
      }),
    );
    expect(await analysisOf(7005)).toMatchObject({
      status: 'skipped',
      reason: 'the job was cancelled',
    });
    await analysisOf(7006);
    await sendGitHub(
      t,
      'workflow_job',
      workflowJobPayload(repo, {
        id: 7007,
        runId: 6005,
        name: 'flaky-check',
        sha: head2,
        branch: 'feature',
        conclusion: 'success',
      }),
    );
    const flaky = await eventually(
      async () => {
        const list = await t.request('GET', `/api/v1/analysis/ci-jobs/${await ciJobId(7006)}`);
        const items = list.json<{ problems: ProblemItem[] }>().problems;
        return items.length > 0 && items.every((p) => p.flaky) ? items : undefined;
      },
      30000,
      'flaky marks',
    );
    expect(flaky).toHaveLength(3);
    expect(fake.requests.some((r) => r.path.endsWith('/actions/jobs/7005/logs'))).toBe(false);
  }, 90000);

  it('GitLab: a failed Job Hook → its trace from the fake → pytest problems, a note and a status (after a refused first post)', async () => {
    const projectId = uniqueNumber();
    const head = sha();
    fake.jobLogs.set('8801', asGitLabLog(recordedLog('pytest/short.log')));
    fake.jobLogs.set('8802', asGitLabLog(recordedLog('pytest/short.log')));
    fake.pullsByCommit.set(`${projectId}@${head}`, [3]);
    // The forge refuses the first note: the report is given back and the job retried.
    fake.inject({
      method: 'POST',
      path: new RegExp(`/projects/${projectId}/merge_requests/3/notes$`),
      status: 403,
      body: { message: '403 Forbidden' },
      times: 1,
    });
    const spec = {
      projectId,
      path: `group/sub/py-${projectId}`,
      pipelineId: 9901,
      sha: head,
      ref: 'feature',
      status: 'failed' as const,
    };
    await Promise.all([
      sendGitLab(t, gitlabJobPayload({ ...spec, id: 8801, name: 'pytest', allowFailure: false })),
      sendGitLab(
        t,
        gitlabJobPayload({ ...spec, id: 8802, name: 'pytest-nightly', allowFailure: true }),
      ),
    ]);
    expect((await analysisOf(8801)).status).toBe('analyzed');
    expect(await analysisOf(8802)).toMatchObject({
      status: 'skipped',
      reason: 'the job is allowed to fail',
    });
    const found = await problems(`sha=${head}&tool=pytest`);
    expect(found.length).toBeGreaterThanOrEqual(3);
    expect(found.every((p) => p.file === 'tests/test_calc.py')).toBe(true);
    expect(found.map((p) => p.message).join('\n')).toContain('ZeroDivisionError');
    await eventually(
      () =>
        Promise.resolve(
          fake.commentsOn('gitlab', String(projectId), 3).length > 0 ? true : undefined,
        ),
      30000,
      'the merge request note',
    );
    await settle();
    const notes = fake.commentsOn('gitlab', String(projectId), 3);
    expect(notes).toHaveLength(1);
    expect(notes[0].body).toContain('tests/test_calc.py');
    expect(notes[0].body).toContain(
      `/group/sub/py-${projectId}/-/blob/${head}/tests/test_calc.py#L`,
    );
    expect(fake.statuses.filter((s) => s.sha === head && s.forge === 'gitlab')).toHaveLength(1);
    expect(fake.requests.some((r) => r.path.endsWith('/jobs/8802/trace'))).toBe(false);
    expect(
      fake.requests.filter(
        (r) =>
          r.method === 'POST' && r.path.endsWith(`/projects/${projectId}/merge_requests/3/notes`),
      ),
    ).toHaveLength(2);
  }, 90000);

  it('bad input is a 4xx, unknown ids 404, and every route needs a key', async () => {
    expect((await t.request('GET', '/api/v1/analysis/problems?pullRequest=abc')).status).toBe(400);
    expect((await t.request('GET', '/api/v1/analysis/problems?cursor=nope')).status).toBe(400);
    expect((await t.request('GET', '/api/v1/analysis/files?path=x')).status).toBe(400);
    const unknown = '00000000-0000-4000-8000-000000000000';
    expect((await t.request('GET', `/api/v1/analysis/ci-jobs/${unknown}`)).status).toBe(404);
    expect((await t.request('GET', `/api/v1/analysis/ci-runs/${unknown}/failed-jobs`)).status).toBe(
      404,
    );
    expect((await t.request('GET', `/api/v1/analysis/problems/${unknown}/trace`)).status).toBe(404);
    expect((await t.request('GET', '/api/v1/analysis/problems', { token: null })).status).toBe(401);
  });
});

describe('analysis without forge credentials', () => {
  let t: TestApp;
  let closeApp: () => Promise<void>;

  beforeAll(async () => {
    ({ app: t, close: closeApp } = await startIsolatedApp({}));
  }, 60000);

  afterAll(async () => {
    await closeApp?.();
  });

  it('skips the failed job and says that credentials are missing', async () => {
    const repo = { id: uniqueNumber(), fullName: `acme/bare-${uniqueNumber()}` };
    await sendGitHub(
      t,
      'workflow_job',
      workflowJobPayload(repo, {
        id: 9101,
        runId: 9100,
        name: 'build',
        sha: sha(),
        branch: 'main',
        conclusion: 'failure',
      }),
    );
    const [job] = await eventually(
      async () => {
        const rows = await t.dataSource.query<{ id: string }[]>(
          `SELECT j.id FROM ci_jobs j JOIN analysis_jobs a ON a.ci_job_id = j.id
         WHERE j.external_id = '9101' AND a.status <> 'pending'`,
        );
        return rows.length > 0 ? rows : undefined;
      },
      60000,
      'the skipped analysis',
    );
    const response = await t.request('GET', `/api/v1/analysis/ci-jobs/${job.id}`);
    expect(response.json()).toMatchObject({
      status: 'skipped',
      reason: 'no API credentials for this source',
      traceHash: null,
      problems: [],
    });
  }, 90000);
});
