import { Injectable, Logger } from '@nestjs/common';
import { JobName, JobPayloads } from '../../core/jobs/job-catalogue';
import { JobHandler } from '../../core/jobs/job-handler.decorator';

/**
 * Analyses the failed CI runs of a repository and reports back to their pull requests (one job
 * per repository, so that no failure waiting behind another is dropped by deduplication). The analysis capability is
 * not built yet: the job and its deduplication are real, the analysis is to come.
 */
@Injectable()
export class CiFailureAnalysisHandler {
  private readonly logger = new Logger(CiFailureAnalysisHandler.name);

  @JobHandler(JobName.AnalyzeCiFailure)
  analyze(
    payload: JobPayloads[JobName.AnalyzeCiFailure],
  ): Promise<{ analyzed: false; reason: string }> {
    this.logger.debug(`analysis requested for the failed CI runs of ${payload.repositoryId}`);
    return Promise.resolve({ analyzed: false, reason: 'analysis capability not built yet' });
  }
}
