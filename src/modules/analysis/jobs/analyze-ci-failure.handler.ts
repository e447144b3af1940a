import { Injectable, Logger } from '@nestjs/common';
import { JobName, JobPayloads } from '../../../core/jobs/job-catalogue';
import { JobHandler } from '../../../core/jobs/job-handler.decorator';
import { messageOf } from '../../../core/errors/message-of';
import { ForgesService, RepositoryForgeAccess } from '../../forges/forges.service';
import { AnalysisJobsRepository, ClaimedJob } from '../analysis-jobs.repository';
import { AnalysisFeedbackService } from '../feedback/analysis-feedback.service';
import { JobAnalyzer } from '../job-analyzer';
import { RunJobsDiscovery } from '../run-jobs-discovery';

export interface CiFailureResult {
  jobs: number;
  analyzed: number;
  skipped: number;
  failed: number;
}

/**
 * Analyses the failed CI jobs of a repository that no worker analysed yet (one job per
 * repository, so that no failure waiting behind another is dropped by deduplication), then
 * reports each analysed commit on its pull requests. A log that could not be fetched for a
 * reason that may pass fails the job after the others are done, so BullMQ retries it.
 */
@Injectable()
export class AnalyzeCiFailureHandler {
  private readonly logger = new Logger(AnalyzeCiFailureHandler.name);

  constructor(
    private readonly forges: ForgesService,
    private readonly jobs: AnalysisJobsRepository,
    private readonly analyzer: JobAnalyzer,
    private readonly feedback: AnalysisFeedbackService,
    private readonly runJobs: RunJobsDiscovery,
  ) {}

  @JobHandler(JobName.AnalyzeCiFailure)
  async analyze(payload: JobPayloads[JobName.AnalyzeCiFailure]): Promise<CiFailureResult> {
    const { repositoryId } = payload;
    const access = await this.forges.forRepository(repositoryId);
    // Failed runs whose jobs never arrived as events: their jobs, listed by the forge, first.
    const retryable = await this.runJobs.discover(access);
    const claimed = await this.jobs.claim(repositoryId);
    const result: CiFailureResult = { jobs: claimed.length, analyzed: 0, skipped: 0, failed: 0 };
    for (const job of claimed) {
      const outcome = await this.analyzer.analyze(
        job,
        access,
        await this.pullRequestsOf(job, access),
      );
      result[outcome.status] += 1;
      if (outcome.status === 'failed' && outcome.retry) retryable.push(outcome.reason);
    }
    await this.report(repositoryId, access);
    if (retryable.length > 0) {
      throw new Error(`${retryable.length} CI fetch(es) failed for now: ${retryable[0]}`);
    }
    return result;
  }

  /**
   * Reports every finished analysis of the repository not reported yet (this run's, and any
   * whose report failed before), one commit at a time; a commit whose report fails is given
   * back and the job fails, so that BullMQ retries it.
   */
  private async report(
    repositoryId: string,
    access: RepositoryForgeAccess | undefined,
  ): Promise<void> {
    const unreported = await this.jobs.claimUnreported(repositoryId);
    if (access === undefined) return;
    const byCommit = new Map<string, { jobIds: string[]; pullRequests: Set<number> }>();
    for (const job of unreported) {
      const commit = byCommit.get(job.headSha) ?? { jobIds: [], pullRequests: new Set<number>() };
      commit.jobIds.push(job.id);
      for (const n of await this.pullRequestsOf(job, access)) commit.pullRequests.add(n);
      byCommit.set(job.headSha, commit);
    }
    let failure: Error | undefined;
    for (const [sha, commit] of byCommit) {
      try {
        await this.feedback.report(
          access,
          sha,
          [...commit.pullRequests].sort((a, b) => a - b),
        );
      } catch (error) {
        failure ??= error instanceof Error ? error : new Error(messageOf(error));
        await this.jobs.unclaimReports(commit.jobIds);
      }
    }
    if (failure !== undefined) throw failure;
  }

  /** From the run's payload, else the open pull requests recorded at the commit, else the forge. */
  private async pullRequestsOf(
    job: ClaimedJob,
    access: RepositoryForgeAccess | undefined,
  ): Promise<number[]> {
    if (job.pullRequestNumbers.length > 0) return job.pullRequestNumbers;
    const recorded = await this.jobs.openPullRequestsAt(job.repositoryId, job.headSha);
    if (recorded.length > 0 || access?.api.status !== 'available') return recorded;
    try {
      const found = await access.client().pullRequestsForCommit(access.repository, job.headSha);
      return found
        .filter((pr) => pr.state === 'open' || pr.state === 'opened')
        .map((pr) => pr.number);
    } catch (error) {
      this.logger.warn(`pull requests of ${job.headSha} not found: ${messageOf(error)}`);
      return [];
    }
  }
}
