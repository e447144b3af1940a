import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/config';
import { messageOf } from '../../core/errors/message-of';
import { ForgeOriginRefusedError, ForgeRequestError } from '../forges/forge-errors';
import { RepositoryForgeAccess } from '../forges/forges.service';
import { AnalysisJobsRepository, ClaimedJob } from './analysis-jobs.repository';
import { FindingsRepository } from './findings.repository';
import { compressLog, limitLog, traceHashOf } from './log-archive';
import { LogParsingService } from './log-parsing.service';
import { LogStoreRepository } from './log-store.repository';
import { TestReportService } from './test-reports/test-report.service';

/** What became of one job. `retry`: the failure may pass, so the job should run again. */
export type JobOutcome =
  | { status: 'analyzed'; traceHash: string; problems: number }
  | { status: 'skipped'; reason: string }
  | { status: 'failed'; reason: string; retry: boolean };

/** Why a job is not analysed at all, whatever the forge says. */
export function skipReason(job: ClaimedJob): string | undefined {
  if (job.allowFailure) return 'the job is allowed to fail';
  if (job.conclusion === 'cancelled') return 'the job was cancelled';
  return undefined;
}

/**
 * Analyses one claimed CI job: fetches its log through the forge client, stores it once by
 * trace hash, parses it once per parser version, and writes the job's findings.
 */
@Injectable()
export class JobAnalyzer {
  constructor(
    private readonly config: AppConfig,
    private readonly jobs: AnalysisJobsRepository,
    private readonly logs: LogStoreRepository,
    private readonly parsing: LogParsingService,
    private readonly findings: FindingsRepository,
    private readonly testReports: TestReportService,
  ) {}

  async analyze(
    job: ClaimedJob,
    access: RepositoryForgeAccess | undefined,
    pullRequestNumbers: number[],
  ): Promise<JobOutcome> {
    const skip =
      skipReason(job) ??
      (access === undefined ? 'no forge source is configured for this repository' : undefined) ??
      (access?.api.status === 'available' ? undefined : access?.api.message);
    if (skip !== undefined || access === undefined) {
      const reason = skip ?? 'no forge access';
      await this.jobs.finish(job.id, 'skipped', reason);
      return { status: 'skipped', reason };
    }
    await this.testReports.prepare(job, access);
    let log: string;
    try {
      log = await access.client().fetchJobLog(access.repository, job.externalId);
    } catch (error) {
      const retry = !(
        error instanceof ForgeOriginRefusedError ||
        (error instanceof ForgeRequestError && !error.transient)
      );
      const reason = `the log could not be fetched: ${messageOf(error)}`.slice(0, 1000);
      await this.jobs.finish(job.id, 'failed', reason);
      return { status: 'failed', reason, retry };
    }
    const outcome = await this.analyzeLog(job, log, pullRequestNumbers);
    const rewrite = await this.testReports.suiteFirstToRewrite(job, access);
    if (rewrite !== undefined) {
      await this.parsing.ensureParsed(rewrite.traceHash);
      await this.record(rewrite.first, rewrite.traceHash, pullRequestNumbers);
    }
    return outcome;
  }

  /** Stores, parses (once) and records a job's log. */
  async analyzeLog(
    job: ClaimedJob,
    fetched: string,
    pullRequestNumbers: number[],
  ): Promise<JobOutcome> {
    const log = limitLog(fetched, this.config.analysis.maxLogBytes);
    const traceHash = traceHashOf(log);
    await this.logs.store(traceHash, await compressLog(log), Buffer.byteLength(log, 'utf8'));
    await this.parsing.ensureParsed(traceHash, log);
    const problems = await this.record(job, traceHash, pullRequestNumbers);
    return { status: 'analyzed', traceHash, problems };
  }

  /** Writes a job's findings from its stored log's current parse and its test report. */
  async record(job: ClaimedJob, traceHash: string, pullRequestNumbers: number[]): Promise<number> {
    const pr = pullRequestNumbers[0];
    const baseBranch =
      pr === undefined
        ? undefined
        : ((await this.jobs.pullRequest(job.repositoryId, pr))?.baseRef ??
          (await this.jobs.defaultBranch(job.repositoryId)));
    const parserVersion = this.parsing.version;
    return this.findings.write({
      job,
      traceHash,
      parserVersion,
      testReportProblemIds: await this.testReports.problemsBesides(job, traceHash, parserVersion),
      pullRequestNumbers,
      baseBranch,
    });
  }
}
