import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { JobTestReportStatus } from '../analysis.entities';
import type { TestReportFetchStatus } from './analysis-test-report.entity';
import type { ProblemIdentity } from './test-report-problems';

/** The pipeline a CI job ran in, as the forge numbers it, and when the job finished. */
export interface JobPipeline {
  pipelineId: string;
  completedAt: Date | null;
}

export interface CachedTestReport {
  status: TestReportFetchStatus;
  reason: string | null;
  failedCases: Buffer | null;
  fetchedAt: Date;
}

export interface TestReportRow {
  status: TestReportFetchStatus;
  reason: string | null;
  totalCount: number;
  failedCount: number;
  errorCount: number;
  failedCases: Buffer | null;
}

/** A failed job of a pipeline, with the log parse its analysis reads (when analysed). */
export interface PipelineJob {
  id: string;
  externalId: string;
  name: string;
  traceHash: string | null;
  parserVersion: number | null;
}

export interface StoredProblem extends ProblemIdentity {
  id: string;
}

/** Pipelines' test reports as fetched, and what each job's analysis took from them. */
@Injectable()
export class TestReportRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async pipelineOf(ciJobId: string): Promise<JobPipeline | undefined> {
    const rows = await this.dataSource.query<
      { run_external_id: string | null; completed_at: Date | null }[]
    >(`SELECT run_external_id, completed_at FROM ci_jobs WHERE id = $1`, [ciJobId]);
    const row = rows[0];
    return row?.run_external_id
      ? { pipelineId: row.run_external_id, completedAt: row.completed_at }
      : undefined;
  }

  /** The failed jobs (not allowed to fail) of the pipeline that this job ran in. */
  async failedJobsBeside(ciJobId: string): Promise<PipelineJob[]> {
    const rows = await this.dataSource.query<
      {
        id: string;
        external_id: string;
        name: string;
        trace_hash: string | null;
        parser_version: number | null;
      }[]
    >(
      `SELECT s.id, s.external_id, s.name, a.trace_hash, a.parser_version
       FROM ci_jobs j
       JOIN ci_jobs s ON s.repository_id = j.repository_id AND s.run_external_id = j.run_external_id
       LEFT JOIN analysis_jobs a ON a.ci_job_id = s.id AND a.status = 'analyzed'
       WHERE j.id = $1 AND s.conclusion IN ('failure', 'timed_out') AND NOT s.allow_failure`,
      [ciJobId],
    );
    return rows.map((r) => ({
      id: r.id,
      externalId: r.external_id,
      name: r.name,
      traceHash: r.trace_hash,
      parserVersion: r.parser_version,
    }));
  }

  async cached(repositoryId: string, pipelineId: string): Promise<CachedTestReport | undefined> {
    const rows = await this.dataSource.query<
      {
        status: TestReportFetchStatus;
        reason: string | null;
        failed_cases: Buffer | null;
        fetched_at: Date;
      }[]
    >(
      `SELECT status, reason, failed_cases, fetched_at FROM analysis_test_reports
       WHERE repository_id = $1 AND pipeline_id = $2`,
      [repositoryId, pipelineId],
    );
    const row = rows[0];
    return row
      ? {
          status: row.status,
          reason: row.reason,
          failedCases: row.failed_cases,
          fetchedAt: row.fetched_at,
        }
      : undefined;
  }

  /** Keeps the pipeline's report as just fetched (replacing an older fetch). */
  async save(repositoryId: string, pipelineId: string, report: TestReportRow): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO analysis_test_reports (repository_id, pipeline_id, status, reason, total_count,
         failed_count, error_count, failed_cases, fetched_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, now())
       ON CONFLICT (repository_id, pipeline_id) DO UPDATE
         SET status = excluded.status, reason = excluded.reason,
             total_count = excluded.total_count, failed_count = excluded.failed_count,
             error_count = excluded.error_count, failed_cases = excluded.failed_cases,
             fetched_at = excluded.fetched_at`,
      [
        repositoryId,
        pipelineId,
        report.status,
        report.reason,
        report.totalCount,
        report.failedCount,
        report.errorCount,
        report.failedCases,
      ],
    );
  }

  async setJobReport(
    ciJobId: string,
    testReportHash: string | null,
    status: JobTestReportStatus,
    reason: string | null,
  ): Promise<void> {
    await this.dataSource.query(
      `UPDATE analysis_jobs SET test_report_hash = $2, test_report_status = $3,
         test_report_reason = $4 WHERE ci_job_id = $1`,
      [ciJobId, testReportHash, status, reason],
    );
  }

  async jobReportHash(ciJobId: string): Promise<string | undefined> {
    const rows = await this.dataSource.query<{ test_report_hash: string | null }[]>(
      `SELECT test_report_hash FROM analysis_jobs WHERE ci_job_id = $1`,
      [ciJobId],
    );
    return rows[0]?.test_report_hash ?? undefined;
  }

  /** The problems of one parse (a log's or a test report's), in order. */
  async problemsOf(traceHash: string, parserVersion: number): Promise<StoredProblem[]> {
    const rows = await this.dataSource.query<
      { id: string; fingerprint: string; test_name: string | null }[]
    >(
      `SELECT id, fingerprint, test_name FROM analysis_problems
       WHERE trace_hash = $1 AND parser_version = $2 ORDER BY ordinal`,
      [traceHash, parserVersion],
    );
    return rows.map((r) => ({ id: r.id, fingerprint: r.fingerprint, testName: r.test_name }));
  }
}
