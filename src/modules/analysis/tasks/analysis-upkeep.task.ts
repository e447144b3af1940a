import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig } from '../../../config/config';
import { ScheduledIntervals } from '../../../core/scheduling/scheduled-intervals';
import { AnalysisJobsRepository } from '../analysis-jobs.repository';
import { JobAnalyzer } from '../job-analyzer';
import { LogParsingService } from '../log-parsing.service';
import { LogStoreRepository } from '../log-store.repository';

const TASK = 'analysis-upkeep';
/** Logs re-parsed per batch (each one is decompressed and parsed in memory). */
const BATCH = 20;

export interface AnalysisUpkeepResult {
  reparsedLogs: number;
  refreshedJobs: number;
  oldParsesDeleted: number;
  expiredLogsDeleted: number;
}

/**
 * After a parser upgrade, parses the stored logs again (each once) and rewrites the findings of
 * the jobs that read them; then deletes parses of older versions no job reads any more, and
 * logs unused for ANALYSIS_LOG_RETENTION_DAYS (with what was parsed from them).
 */
@Injectable()
export class AnalysisUpkeepTask implements OnApplicationBootstrap {
  private readonly logger = new Logger(AnalysisUpkeepTask.name);

  constructor(
    private readonly config: AppConfig,
    private readonly intervals: ScheduledIntervals,
    private readonly logs: LogStoreRepository,
    private readonly parsing: LogParsingService,
    private readonly jobs: AnalysisJobsRepository,
    private readonly analyzer: JobAnalyzer,
  ) {}

  onApplicationBootstrap(): void {
    this.intervals.every(TASK, this.config.analysis.upkeepIntervalMs, () => this.tick());
  }

  async tick(): Promise<void> {
    const result = await this.run();
    if (Object.values(result).some((n) => n > 0)) {
      this.logger.log(`analysis upkeep: ${JSON.stringify(result)}`);
    }
  }

  async run(): Promise<AnalysisUpkeepResult> {
    const result: AnalysisUpkeepResult = {
      reparsedLogs: 0,
      refreshedJobs: 0,
      oldParsesDeleted: 0,
      expiredLogsDeleted: 0,
    };
    const version = this.parsing.version;
    for (;;) {
      const traces = await this.logs.tracesBehind(version, BATCH);
      if (traces.length === 0) break;
      for (const traceHash of traces) {
        if (await this.parsing.ensureParsed(traceHash)) result.reparsedLogs += 1;
        for (const job of await this.jobs.jobsReading(traceHash)) {
          const pullRequests =
            job.pullRequestNumbers.length > 0
              ? job.pullRequestNumbers
              : await this.jobs.openPullRequestsAt(job.repositoryId, job.headSha);
          await this.analyzer.record(job, traceHash, pullRequests);
          result.refreshedJobs += 1;
        }
      }
    }
    result.oldParsesDeleted = await this.logs.deleteOldParses(version);
    result.expiredLogsDeleted = await this.logs.deleteLogsUnusedFor(
      this.config.analysis.logRetentionDays,
    );
    return result;
  }
}
