import { Injectable } from '@nestjs/common';
import { JobName, JobPayloads } from '../../core/jobs/job-catalogue';
import { JobHandler } from '../../core/jobs/job-handler.decorator';
import { RefreshOutcome, RollupRepository } from './rollup.repository';

/**
 * Keeps a repository's metric rollups current: from the earliest time the writes since the
 * last refresh can have changed a figure (metric_dirty), or from the beginning when `full`.
 */
@Injectable()
export class MetricsRefreshHandler {
  constructor(private readonly rollups: RollupRepository) {}

  @JobHandler(JobName.RefreshMetrics)
  refresh(payload: JobPayloads[JobName.RefreshMetrics]): Promise<RefreshOutcome> {
    return this.rollups.refresh(payload.repositoryId, payload.full === true);
  }
}
