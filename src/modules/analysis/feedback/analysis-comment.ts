import type { CommitJobRow, CommitProblemRow } from '../api/analysis-read.repository';

/** Most problems a comment lists; the rest are counted and left to the API. */
export const COMMENT_PROBLEM_LIMIT = 60;
const MESSAGE_LIMIT = 300;

export interface CommentInput {
  headSha: string;
  /** The pull request's head now, when it is known and moved past `headSha`. */
  currentHeadSha?: string;
  baseBranch?: string;
  jobs: CommitJobRow[];
  problems: CommitProblemRow[];
  /** Link to a line of a file at the commit (undefined: no link). */
  lineLink: (file: string, line: number | null) => string | undefined;
}

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > MESSAGE_LIMIT ? `${flat.slice(0, MESSAGE_LIMIT - 1)}…` : flat;
}

/** Markdown inline code that the text cannot break out of. */
function code(text: string): string {
  const ticks = text.includes('`') ? '``' : '`';
  return `${ticks}${text.replace(/\n/g, ' ')}${ticks}`;
}

function short(sha: string): string {
  return sha.slice(0, 10);
}

/**
 * The sticky pull-request comment: failed jobs, problems grouped by file with links to their
 * lines, new in this pull request vs already failing on the base branch, flaky marks, and the
 * head commit it describes (marked outdated once the head moved on).
 */
export function renderAnalysisComment(input: CommentInput): string {
  const { problems, jobs } = input;
  const failedJobs = jobs.length;
  const files = new Set(problems.map((p) => p.file ?? ''));
  const fresh = problems.filter((p) => p.new_in_pull_request).length;
  const base = input.baseBranch ? code(input.baseBranch) : 'the base branch';
  const out: string[] = [];
  out.push(`### Hookyard CI analysis for ${code(short(input.headSha))}`);
  if (input.currentHeadSha && input.currentHeadSha !== input.headSha) {
    out.push(
      '',
      `> **Outdated:** this describes ${code(short(input.headSha))}; the head is now ${code(short(input.currentHeadSha))}.`,
    );
  }
  out.push(
    '',
    `${failedJobs} failed job${failedJobs === 1 ? '' : 's'}, ${problems.length} problem${problems.length === 1 ? '' : 's'} in ${files.size} file${files.size === 1 ? '' : 's'}: ` +
      `${fresh} new in this pull request, ${problems.length - fresh} already failing on ${base}.`,
    '',
    '**Failed jobs**',
  );
  for (const job of jobs) {
    const name = job.url ? `[${oneLine(job.name)}](${job.url})` : oneLine(job.name);
    const count = problems.filter((p) => p.ci_job_id === job.id).length;
    const state =
      job.status === 'analyzed'
        ? `${count} problem${count === 1 ? '' : 's'}`
        : `${job.status ?? 'pending'}${job.reason ? `: ${oneLine(job.reason)}` : ''}`;
    out.push(`- ${name}: ${state}`);
  }
  const byFile = new Map<string, CommitProblemRow[]>();
  for (const problem of problems.slice(0, COMMENT_PROBLEM_LIMIT)) {
    const key = problem.file ?? '';
    byFile.set(key, [...(byFile.get(key) ?? []), problem]);
  }
  for (const [file, list] of byFile) {
    out.push('', file ? `**${code(file)}**` : '**Without a file**');
    for (const p of list) {
      const where = p.line === null ? '' : `L${p.line}${p.column === null ? '' : `:${p.column}`}`;
      const link = file && where ? input.lineLink(file, p.line) : undefined;
      const place = where ? (link ? `[${where}](${link}) ` : `${where} `) : '';
      const marks = [
        p.new_in_pull_request ? 'new' : 'already failing',
        ...(p.flaky ? ['flaky'] : []),
      ].join(', ');
      const label = [p.code ? code(p.code) : '', p.test_name ? code(oneLine(p.test_name)) : '']
        .filter(Boolean)
        .join(' ');
      out.push(`- ${place}${label ? `${label} ` : ''}${oneLine(p.message)} (${p.tool}; ${marks})`);
    }
  }
  if (problems.length > COMMENT_PROBLEM_LIMIT) {
    out.push('', `…and ${problems.length - COMMENT_PROBLEM_LIMIT} more (see the analysis API).`);
  }
  out.push('', `<sub>Head commit ${code(input.headSha)}</sub>`);
  return out.join('\n');
}

/** Whether a comment as posted (after its marker) is the one describing commit `sha`. */
export function describesCommit(body: string, sha: string): boolean {
  return body.trimEnd().endsWith(`<sub>Head commit ${code(sha)}</sub>`);
}

/** Link to a file's line at a commit on each forge's web UI. */
export function lineLinker(
  provider: string,
  webUrl: string,
  fullName: string,
  sha: string,
): (file: string, line: number | null) => string | undefined {
  const root = webUrl.replace(/\/+$/, '');
  const path = (file: string) =>
    file
      .replace(/^\.?\//, '')
      .split('/')
      .map(encodeURIComponent)
      .join('/');
  return (file, line) => {
    if (file.startsWith('/') || file.includes('..')) return undefined;
    const anchor = line === null ? '' : line;
    switch (provider) {
      case 'github':
        return `${root}/${fullName}/blob/${sha}/${path(file)}${anchor === '' ? '' : `#L${anchor}`}`;
      case 'gitlab':
        return `${root}/${fullName}/-/blob/${sha}/${path(file)}${anchor === '' ? '' : `#L${anchor}`}`;
      case 'gitea':
        return `${root}/${fullName}/src/commit/${sha}/${path(file)}${anchor === '' ? '' : `#L${anchor}`}`;
      case 'bitbucket':
        return `${root}/${fullName}/src/${sha}/${path(file)}${anchor === '' ? '' : `#lines-${anchor}`}`;
      default:
        return undefined;
    }
  };
}
