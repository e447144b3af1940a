import { Injectable, Logger } from '@nestjs/common';
import { JobName, JobPayloads } from '../../core/jobs/job-catalogue';
import { JobHandler } from '../../core/jobs/job-handler.decorator';

/**
 * Analyses a failed CI run and reports back to the pull request. The analysis capability is
 * not built yet: the job and its deduplication are real, the analysis is to come.
 */
@Injectable()
export class CiFailureAnalysisHandler {
  private readonly logger = new Logger(CiFailureAnalysisHandler.name);

  @JobHandler(JobName.AnalyzeCiFailure)
  analyze(
    payload: JobPayloads[JobName.AnalyzeCiFailure],
  ): Promise<{ analyzed: false; reason: string }> {
    this.logger.debug(`analysis requested for CI run ${payload.ciRunId}`);
    return Promise.resolve({ analyzed: false, reason: 'analysis capability not built yet' });
  }
}
