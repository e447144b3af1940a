import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { rowsOf } from '../../core/database/rows';
import type { AnalysisStatus } from './analysis.entities';

/** How often a job whose log could not be fetched is tried again by later analyses. */
export const MAX_ANALYSIS_ATTEMPTS = 5;
/** A claim older than this belongs to a worker that died: it may be taken over. */
const STALE_CLAIM = '10 minutes';

/** A failed CI job to analyse, with what its run says. */
export interface ClaimedJob {
  id: string;
  repositoryId: string;
  externalId: string;
  name: string;
  conclusion: string | null;
  allowFailure: boolean;
  headSha: string;
  headBranch: string | null;
  url: string | null;
  runId: string | null;
  pullRequestNumbers: number[];
}

interface ClaimedRow {
  id: string;
  repository_id: string;
  external_id: string;
  name: string;
  conclusion: string | null;
  allow_failure: boolean;
  head_sha: string;
  head_branch: string | null;
  url: string | null;
  run_id: string | null;
  pull_request_numbers: number[] | null;
}

const JOB_SELECT = `
  SELECT j.id, j.repository_id, j.external_id, j.name, j.conclusion, j.allow_failure, j.head_sha,
    j.head_branch, j.url, run.id AS run_id, run.pull_request_numbers
  FROM ci_jobs j
  LEFT JOIN LATERAL (
    SELECT r.id, r.pull_request_numbers FROM ci_runs r
    WHERE r.repository_id = j.repository_id AND r.external_id = j.run_external_id
    ORDER BY r.updated_at DESC LIMIT 1
  ) run ON true`;

function claimed(row: ClaimedRow): ClaimedJob {
  return {
    id: row.id,
    repositoryId: row.repository_id,
    externalId: row.external_id,
    name: row.name,
    conclusion: row.conclusion,
    allowFailure: row.allow_failure,
    headSha: row.head_sha,
    headBranch: row.head_branch,
    url: row.url,
    runId: row.run_id,
    pullRequestNumbers: row.pull_request_numbers ?? [],
  };
}

/** The analysis status of CI jobs, and the claim that makes one worker analyse a job once. */
@Injectable()
export class AnalysisJobsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Claims the repository's finished, failed (or cancelled) jobs not analysed yet: new ones,
   * ones whose fetch failed fewer than MAX_ANALYSIS_ATTEMPTS times, and stale claims. A job
   * another worker claimed is not returned.
   */
  async claim(repositoryId: string): Promise<ClaimedJob[]> {
    const rows = await this.dataSource.query<{ ci_job_id: string }[]>(
      `INSERT INTO analysis_jobs (ci_job_id, repository_id, status, attempts)
       SELECT j.id, j.repository_id, 'pending', 1 FROM ci_jobs j
       WHERE j.repository_id = $1 AND j.status = 'completed'
         AND j.conclusion IN ('failure', 'timed_out', 'cancelled')
       ON CONFLICT (ci_job_id) DO UPDATE
         SET status = 'pending', reason = NULL, attempts = analysis_jobs.attempts + 1,
             reported = false, updated_at = now()
         WHERE (analysis_jobs.status = 'failed' AND analysis_jobs.attempts < $2)
            OR (analysis_jobs.status = 'pending'
                AND analysis_jobs.updated_at < now() - interval '${STALE_CLAIM}')
       RETURNING ci_job_id`,
      [repositoryId, MAX_ANALYSIS_ATTEMPTS],
    );
    if (rows.length === 0) return [];
    return this.jobs(rows.map((r) => r.ci_job_id));
  }

  async jobs(ids: string[]): Promise<ClaimedJob[]> {
    const rows = await this.dataSource.query<ClaimedRow[]>(
      `${JOB_SELECT} WHERE j.id = ANY($1::uuid[]) ORDER BY j.completed_at, j.id`,
      [ids],
    );
    return rows.map(claimed);
  }

  /** Analysed jobs that read this log. */
  async jobsReading(traceHash: string): Promise<ClaimedJob[]> {
    const rows = await this.dataSource.query<ClaimedRow[]>(
      `${JOB_SELECT} JOIN analysis_jobs a ON a.ci_job_id = j.id
       WHERE a.trace_hash = $1 AND a.status = 'analyzed'`,
      [traceHash],
    );
    return rows.map(claimed);
  }

  async finish(
    ciJobId: string,
    status: Exclude<AnalysisStatus, 'pending'>,
    reason: string | null,
  ): Promise<void> {
    await this.dataSource.query(
      `UPDATE analysis_jobs SET status = $2, reason = $3, updated_at = now() WHERE ci_job_id = $1`,
      [ciJobId, status, reason],
    );
  }

  /**
   * Claims the report of the repository's finished analyses not reported yet: marks them
   * reported and answers them, so that two workers never report the same outcome.
   */
  async claimUnreported(repositoryId: string): Promise<ClaimedJob[]> {
    const result = await this.dataSource.query<
      { ci_job_id: string }[] | [{ ci_job_id: string }[], number]
    >(
      `UPDATE analysis_jobs SET reported = true
       WHERE repository_id = $1 AND NOT reported AND status <> 'pending'
       RETURNING ci_job_id`,
      [repositoryId],
    );
    const rows = rowsOf(result);
    return rows.length === 0 ? [] : this.jobs(rows.map((r) => r.ci_job_id));
  }

  /** Gives reports back after they could not be posted, for the next attempt. */
  async unclaimReports(ciJobIds: string[]): Promise<void> {
    await this.dataSource.query(
      `UPDATE analysis_jobs SET reported = false WHERE ci_job_id = ANY($1::uuid[])`,
      [ciJobIds],
    );
  }

  /**
   * The newest commit whose analysis was reported on this pull request: its run named the
   * pull request, or its findings were written for it (the forge named it).
   */
  async lastReportedSha(repositoryId: string, pullRequest: number): Promise<string | undefined> {
    const rows = await this.dataSource.query<{ head_sha: string }[]>(
      `${JOB_SELECT} JOIN analysis_jobs a ON a.ci_job_id = j.id
       WHERE j.repository_id = $1 AND a.reported AND a.status <> 'pending'
         AND ($2 = ANY(run.pull_request_numbers)
              OR EXISTS (SELECT 1 FROM analysis_findings f
                         WHERE f.ci_job_id = j.id AND $2 = ANY(f.pull_request_numbers)))
       ORDER BY j.completed_at DESC NULLS LAST LIMIT 1`,
      [repositoryId, pullRequest],
    );
    return rows[0]?.head_sha;
  }

  /** Pull request numbers recorded as open with this head commit. */
  async openPullRequestsAt(repositoryId: string, sha: string): Promise<number[]> {
    const rows = await this.dataSource.query<{ number: number }[]>(
      `SELECT number FROM pull_requests
       WHERE repository_id = $1 AND head_sha = $2 AND state = 'open' ORDER BY number`,
      [repositoryId, sha],
    );
    return rows.map((r) => r.number);
  }

  /** The base branch and current head of a pull request, when it is recorded. */
  async pullRequest(
    repositoryId: string,
    number: number,
  ): Promise<{ baseRef: string; headSha: string | null } | undefined> {
    const rows = await this.dataSource.query<{ base_ref: string; head_sha: string | null }[]>(
      `SELECT base_ref, head_sha FROM pull_requests WHERE repository_id = $1 AND number = $2`,
      [repositoryId, number],
    );
    const row = rows[0];
    return row ? { baseRef: row.base_ref, headSha: row.head_sha } : undefined;
  }

  async defaultBranch(repositoryId: string): Promise<string | undefined> {
    const rows = await this.dataSource.query<{ default_branch: string | null }[]>(
      `SELECT default_branch FROM repositories WHERE id = $1`,
      [repositoryId],
    );
    return rows[0]?.default_branch ?? undefined;
  }
}
