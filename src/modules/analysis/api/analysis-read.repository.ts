import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { keysetCursor, PositionedRow } from '../../../core/database/keyset-cursor';
import { pgPoolOf, prepared } from '../../../core/database/pg-pool';
import { SqlQuery } from '../../../core/database/sql';
import type { FailedJobView, ProblemView } from './analysis.dto';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface ProblemListFilter {
  repository?: string;
  sha?: string;
  pullRequest?: number;
  file?: string;
  tool?: string;
  isNew?: boolean;
  cursor?: string;
}

interface ProblemRow {
  id: string;
  ci_job_id: string;
  tool: string;
  severity: string;
  code: string | null;
  message: string;
  file: string | null;
  line: number | null;
  column: number | null;
  test_name: string | null;
  fingerprint: string;
  new_in_pull_request: boolean;
  flaky: boolean;
  first_seen_sha: string;
}

/** A finding's problem, with "flaky": the same job also passed on the same commit. */
const PROBLEM_SELECT = `
  SELECT f.id, f.ci_job_id, p.tool, p.severity, p.code, p.message, p.file, p.line, p."column",
    p.test_name, p.fingerprint, f.new_in_pull_request, f.first_seen_sha,
    EXISTS (SELECT 1 FROM ci_jobs s
            WHERE s.repository_id = f.repository_id AND s.head_sha = f.head_sha
              AND s.name = j.name AND s.conclusion = 'success') AS flaky`;
const PROBLEM_FROM = `
  FROM analysis_findings f
  JOIN analysis_problems p ON p.id = f.problem_id
  JOIN ci_jobs j ON j.id = f.ci_job_id`;

const cursor = keysetCursor({
  name: 'analysis-problems',
  keys: [{ sql: 'f.created_at', type: 'timestamptz' }],
  id: 'f.id',
  direction: 'desc',
});

export function problemView(row: ProblemRow): ProblemView {
  return {
    id: row.id,
    ciJobId: row.ci_job_id,
    tool: row.tool,
    severity: row.severity,
    code: row.code,
    message: row.message,
    file: row.file,
    line: row.line,
    column: row.column,
    testName: row.test_name,
    fingerprint: row.fingerprint,
    newInPullRequest: row.new_in_pull_request,
    flaky: row.flaky,
    firstSeenSha: row.first_seen_sha,
  };
}

export interface JobAnalysisRow {
  repository_id: string;
  status: string;
  reason: string | null;
  trace_hash: string | null;
  parser_version: number | null;
  conclusion: string | null;
  job_status: string;
  test_report_status: string | null;
  test_report_reason: string | null;
}

export interface TraceRow {
  trace_hash: string;
  start_line: number;
  end_line: number;
  content: Buffer;
}

/** A job of a commit with its analysis, for the pull-request comment. */
export interface CommitJobRow {
  id: string;
  name: string;
  url: string | null;
  status: string | null;
  reason: string | null;
}

export interface CommitProblemRow extends ProblemRow {
  job_name: string;
}

/** The reads behind the analysis API, the MCP resources and the pull-request comment. */
@Injectable()
export class AnalysisReadRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * The hot reads run as prepared statements: under load, planning these joins cost the
   * database as much as running them.
   */
  private async rows<T>(text: string, values: readonly unknown[]): Promise<T[]> {
    const result = await pgPoolOf(this.dataSource).query(prepared(text, values));
    return result.rows as T[];
  }

  async problems(filter: ProblemListFilter, limit: number) {
    const parts = new SqlQuery();
    // A full name may belong to several sources' repositories: each one's newest findings are
    // read in index order (a lateral join per repository), never every finding then sorted.
    const byName = filter.repository !== undefined && !UUID.test(filter.repository);
    if (filter.repository !== undefined && !byName) {
      parts.where(`f.repository_id = ${parts.param(filter.repository.toLowerCase())}::uuid`);
    }
    if (filter.sha !== undefined) {
      // Hex digits only (validated): no LIKE wildcard inside.
      parts.where(`f.head_sha LIKE ${parts.param(`${filter.sha.toLowerCase()}%`)}`);
    }
    if (filter.pullRequest !== undefined) {
      parts.where(`f.pull_request_numbers @> ARRAY[${parts.param(filter.pullRequest)}::int]`);
    }
    parts
      .whereIf(filter.file, 'f.file = ?')
      .whereIf(filter.tool, 'f.tool = ?')
      .whereIf(filter.isNew, 'f.new_in_pull_request = ?');
    if (filter.cursor) parts.where(cursor.after(filter.cursor, parts.param));
    const pageSize = parts.param(limit + 1);
    const from = byName
      ? `FROM repositories r
         CROSS JOIN LATERAL (
           SELECT f.* FROM analysis_findings f
           WHERE f.repository_id = r.id AND ${parts.whereSql}
           ORDER BY ${cursor.orderBy} LIMIT ${pageSize}) f
         JOIN analysis_problems p ON p.id = f.problem_id
         JOIN ci_jobs j ON j.id = f.ci_job_id
         WHERE r.full_name = ${parts.param(filter.repository)}`
      : `${PROBLEM_FROM} WHERE ${parts.whereSql}`;
    const rows = await this.rows<ProblemRow & PositionedRow>(
      `${PROBLEM_SELECT}, ${cursor.select} ${from} ORDER BY ${cursor.orderBy} LIMIT ${pageSize}`,
      parts.params,
    );
    const page = cursor.page(rows, limit);
    return { items: page.rows.map(problemView), nextCursor: page.nextCursor };
  }

  /** A CI job's analysis status; undefined when the job is unknown. */
  async jobAnalysis(ciJobId: string): Promise<JobAnalysisRow | undefined> {
    const rows = await this.rows<JobAnalysisRow>(
      `SELECT j.repository_id, a.status, a.reason, a.trace_hash, a.parser_version, j.conclusion,
         j.status AS job_status, a.test_report_status, a.test_report_reason
       FROM ci_jobs j LEFT JOIN analysis_jobs a ON a.ci_job_id = j.id WHERE j.id = $1`,
      [ciJobId],
    );
    return rows[0];
  }

  async jobProblems(ciJobId: string): Promise<ProblemView[]> {
    const rows = await this.rows<ProblemRow>(
      `${PROBLEM_SELECT} ${PROBLEM_FROM} WHERE f.ci_job_id = $1 ORDER BY p.ordinal`,
      [ciJobId],
    );
    return rows.map(problemView);
  }

  /** The failed jobs of a run with their analysis; undefined when the run is unknown. */
  async failedJobs(ciRunId: string, repositoryId?: string): Promise<FailedJobView[] | undefined> {
    const runs = await this.dataSource.query<{ repository_id: string; external_id: string }[]>(
      `SELECT repository_id, external_id FROM ci_runs WHERE id = $1`,
      [ciRunId],
    );
    const run = runs[0];
    if (!run || (repositoryId !== undefined && run.repository_id !== repositoryId))
      return undefined;
    const rows = await this.dataSource.query<
      {
        id: string;
        name: string;
        conclusion: string | null;
        url: string | null;
        allow_failure: boolean;
        status: string | null;
        reason: string | null;
        problems: number;
      }[]
    >(
      `SELECT j.id, j.name, j.conclusion, j.url, j.allow_failure, a.status, a.reason,
         (SELECT count(*)::int FROM analysis_findings f WHERE f.ci_job_id = j.id) AS problems
       FROM ci_jobs j LEFT JOIN analysis_jobs a ON a.ci_job_id = j.id
       WHERE j.repository_id = $1 AND j.run_external_id = $2
         AND j.conclusion IN ('failure', 'timed_out', 'cancelled')
       ORDER BY j.name, j.id`,
      [run.repository_id, run.external_id],
    );
    return rows.map((r) => ({
      ciJobId: r.id,
      name: r.name,
      conclusion: r.conclusion,
      url: r.url,
      allowFailure: r.allow_failure,
      status: r.status ?? 'pending',
      reason: r.reason,
      problems: r.problems,
    }));
  }

  /** What the analysis cache holds (counts only). */
  async cacheStatus(): Promise<{
    logs: number;
    logBytes: number;
    storedBytes: number;
    parses: Record<string, number>;
    jobs: Record<string, number>;
  }> {
    const [logs] = await this.dataSource.query<
      { logs: number; log_bytes: string; stored_bytes: string }[]
    >(
      `SELECT count(*)::int AS logs, coalesce(sum(bytes), 0)::text AS log_bytes,
         coalesce(sum(octet_length(content)), 0)::text AS stored_bytes FROM analysis_logs`,
    );
    const parses = await this.dataSource.query<{ parser_version: number; n: number }[]>(
      `SELECT parser_version, count(*)::int AS n FROM analysis_parses GROUP BY 1 ORDER BY 1`,
    );
    const jobs = await this.dataSource.query<{ status: string; n: number }[]>(
      `SELECT status, count(*)::int AS n FROM analysis_jobs GROUP BY 1 ORDER BY 1`,
    );
    return {
      logs: logs.logs,
      logBytes: Number(logs.log_bytes),
      storedBytes: Number(logs.stored_bytes),
      parses: Object.fromEntries(parses.map((p) => [String(p.parser_version), p.n])),
      jobs: Object.fromEntries(jobs.map((j) => [j.status, j.n])),
    };
  }

  async trace(findingId: string): Promise<TraceRow | undefined> {
    const rows = await this.dataSource.query<TraceRow[]>(
      `SELECT p.trace_hash, p.start_line, p.end_line, l.content
       FROM analysis_findings f
       JOIN analysis_problems p ON p.id = f.problem_id
       JOIN analysis_logs l ON l.trace_hash = p.trace_hash
       WHERE f.id = $1`,
      [findingId],
    );
    return rows[0];
  }

  /** The analysed (or skipped) failed jobs of a commit. */
  async commitJobs(repositoryId: string, sha: string): Promise<CommitJobRow[]> {
    return this.dataSource.query<CommitJobRow[]>(
      `SELECT j.id, j.name, j.url, a.status, a.reason
       FROM ci_jobs j JOIN analysis_jobs a ON a.ci_job_id = j.id
       WHERE j.repository_id = $1 AND j.head_sha = $2 ORDER BY j.name, j.id`,
      [repositoryId, sha],
    );
  }

  /** The problems of a commit's analysed jobs, as seen from one pull request. */
  async commitProblems(repositoryId: string, sha: string): Promise<CommitProblemRow[]> {
    return this.dataSource.query<CommitProblemRow[]>(
      `${PROBLEM_SELECT}, j.name AS job_name ${PROBLEM_FROM}
       WHERE f.repository_id = $1 AND f.head_sha = $2
       ORDER BY p.file NULLS LAST, p.line NULLS LAST, p.ordinal`,
      [repositoryId, sha],
    );
  }
}
