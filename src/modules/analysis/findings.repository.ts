import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { ClaimedJob } from './analysis-jobs.repository';

/** Where the findings of a job are compared: the pull request's base branch, if any. */
export interface FindingsContext {
  job: ClaimedJob;
  traceHash: string;
  parserVersion: number;
  /** Problems of the job's test report that its log does not show (they come on top). */
  testReportProblemIds: string[];
  pullRequestNumbers: number[];
  /** The base branch of the job's pull request; undefined outside a pull request. */
  baseBranch: string | undefined;
}

/**
 * A job's findings: its log's problems at one parser version, each with whether it is new in
 * the pull request (not seen on the base branch's latest analysed commit) and where it was
 * first seen. Written in one transaction with the job's status, so readers see a job's old
 * findings or its new ones, never a mix.
 */
@Injectable()
export class FindingsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async write(ctx: FindingsContext): Promise<number> {
    const { job } = ctx;
    return this.dataSource.transaction(async (manager) => {
      // Fingerprints first, so that a problem's first sighting can be this very job.
      await manager.query(
        `INSERT INTO analysis_fingerprints AS fp (repository_id, fingerprint, first_seen_sha,
           first_seen_branch, first_seen_at, last_seen_sha, last_seen_branch, last_seen_at)
         SELECT DISTINCT ON (p.fingerprint) $1::uuid, p.fingerprint, $4, $5, now(), $4, $5, now()
         FROM analysis_problems p
         WHERE (p.trace_hash = $2 AND p.parser_version = $3) OR p.id = ANY($6::uuid[])
         ON CONFLICT (repository_id, fingerprint) DO UPDATE
           SET last_seen_sha = excluded.last_seen_sha, last_seen_branch = excluded.last_seen_branch,
               last_seen_at = excluded.last_seen_at`,
        [
          job.repositoryId,
          ctx.traceHash,
          ctx.parserVersion,
          job.headSha,
          job.headBranch,
          ctx.testReportProblemIds,
        ],
      );
      await manager.query(`DELETE FROM analysis_findings WHERE ci_job_id = $1`, [job.id]);
      const inserted = await manager.query<unknown[]>(
        `WITH base_sha AS (
           SELECT j.head_sha FROM analysis_jobs a JOIN ci_jobs j ON j.id = a.ci_job_id
           WHERE a.repository_id = $1 AND a.status = 'analyzed' AND $7::text IS NOT NULL
             AND j.head_branch = $7 AND j.head_sha <> $5
           ORDER BY j.completed_at DESC NULLS LAST LIMIT 1
         ), base AS (
           SELECT DISTINCT f.fingerprint FROM analysis_findings f JOIN base_sha b
             ON f.repository_id = $1 AND f.head_sha = b.head_sha
         )
         INSERT INTO analysis_findings (ci_job_id, problem_id, repository_id, ci_run_id, head_sha,
           head_branch, pull_request_numbers, tool, file, fingerprint, new_in_pull_request,
           first_seen_sha, first_seen_branch)
         SELECT $2, p.id, $1, $4, $5, $6, $8::int[], p.tool, p.file, p.fingerprint,
           cardinality($8::int[]) > 0 AND p.fingerprint NOT IN (SELECT fingerprint FROM base),
           fp.first_seen_sha, fp.first_seen_branch
         FROM analysis_problems p
         JOIN analysis_fingerprints fp ON fp.repository_id = $1 AND fp.fingerprint = p.fingerprint
         WHERE (p.trace_hash = $3 AND p.parser_version = $9) OR p.id = ANY($10::uuid[])
         RETURNING 1`,
        [
          job.repositoryId,
          job.id,
          ctx.traceHash,
          job.runId,
          job.headSha,
          job.headBranch,
          ctx.baseBranch ?? null,
          ctx.pullRequestNumbers,
          ctx.parserVersion,
          ctx.testReportProblemIds,
        ],
      );
      await manager.query(
        `UPDATE analysis_jobs SET status = 'analyzed', reason = NULL, trace_hash = $2,
           parser_version = $3, updated_at = now() WHERE ci_job_id = $1`,
        [job.id, ctx.traceHash, ctx.parserVersion],
      );
      return inserted.length;
    });
  }
}
