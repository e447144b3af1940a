import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { ForgeCiJob } from '../forges/forge-types';

/**
 * The newest failed runs without job rows asked about per analysis: a run the forge lists no
 * job for stays without rows, and is not asked about forever once newer ones push it out.
 */
const RUNS_PER_LOOKUP = 20;

/** A finished, failed run none of whose jobs is recorded. */
export interface RunWithoutJobs {
  externalId: string;
  /** The ci_jobs source the run's jobs are recorded under by the activity module. */
  jobSource: string;
  headSha: string;
  headBranch: string | null;
}

/** The ci_jobs source of a run source's jobs (as the forges' job events record them). */
const JOB_SOURCE_OF_RUN: Readonly<Record<string, string>> = {
  workflow_run: 'workflow_job',
  pipeline: 'pipeline',
};

/**
 * Runs whose jobs never arrived as events (GitHub workflow_run, GitLab Pipeline Hook without
 * workflow_job / Job Hook deliveries), and the jobs the forge lists for them, recorded in
 * `ci_jobs` under the forge's own ids and the source the job events use, so that a job event
 * arriving later finds the same row (the activity module's upsert), never a second one.
 */
@Injectable()
export class RunJobsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async failedRunsWithoutJobs(repositoryId: string): Promise<RunWithoutJobs[]> {
    const rows = await this.dataSource.query<
      { external_id: string; source: string; head_sha: string; head_branch: string | null }[]
    >(
      `SELECT r.external_id, r.source, r.head_sha, r.head_branch FROM ci_runs r
       WHERE r.repository_id = $1 AND r.source = ANY($2::text[]) AND r.status = 'completed'
         AND r.conclusion IN ('failure', 'timed_out')
         AND NOT EXISTS (SELECT 1 FROM ci_jobs j
                         WHERE j.repository_id = r.repository_id
                           AND j.run_external_id = r.external_id)
       ORDER BY r.updated_at DESC LIMIT $3`,
      [repositoryId, Object.keys(JOB_SOURCE_OF_RUN), RUNS_PER_LOOKUP],
    );
    return rows.map((r) => ({
      externalId: r.external_id,
      jobSource: JOB_SOURCE_OF_RUN[r.source] ?? r.source,
      headSha: r.head_sha,
      headBranch: r.head_branch,
    }));
  }

  /**
   * Records listed jobs. A row a job event already wrote is left alone: the event carries the
   * forge's newest state, and its own upsert keeps the newest by time.
   */
  async record(repositoryId: string, run: RunWithoutJobs, jobs: ForgeCiJob[]): Promise<void> {
    for (const job of jobs) {
      await this.dataSource.query(
        `INSERT INTO ci_jobs (repository_id, source, external_id, run_external_id, name, status,
           conclusion, head_sha, head_branch, stage, url, runner_name, allow_failure, created_at,
           started_at, completed_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
         ON CONFLICT ON CONSTRAINT ci_jobs_repository_id_source_external_id_key DO NOTHING`,
        [
          repositoryId,
          run.jobSource,
          job.externalId,
          run.externalId,
          job.name,
          job.status,
          job.conclusion ?? null,
          job.headSha === '' ? run.headSha : job.headSha,
          job.headBranch ?? run.headBranch,
          job.stage ?? null,
          job.url ?? null,
          job.runnerName ?? null,
          job.allowFailure,
          job.createdAt,
          job.startedAt ?? null,
          job.completedAt ?? null,
          job.completedAt ?? job.startedAt ?? job.createdAt,
        ],
      );
    }
  }
}
