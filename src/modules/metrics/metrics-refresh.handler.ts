import { Injectable, Logger } from '@nestjs/common';
import { JobName, JobPayloads } from '../../core/jobs/job-catalogue';
import { JobHandler } from '../../core/jobs/job-handler.decorator';

/**
 * Recomputes a repository's delivery metrics. The metrics capability is not built yet: the job,
 * its payload and its per-repository deduplication are real, the computation is to come.
 */
@Injectable()
export class MetricsRefreshHandler {
  private readonly logger = new Logger(MetricsRefreshHandler.name);

  @JobHandler(JobName.RefreshMetrics)
  refresh(
    payload: JobPayloads[JobName.RefreshMetrics],
  ): Promise<{ computed: false; reason: string }> {
    this.logger.debug(`metrics refresh requested for repository ${payload.repositoryId}`);
    return Promise.resolve({ computed: false, reason: 'metrics capability not built yet' });
  }
}
