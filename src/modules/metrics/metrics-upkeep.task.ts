import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { JobName } from '../../core/jobs/job-catalogue';
import { JobsService } from '../../core/jobs/jobs.service';
import { ScheduledIntervals } from '../../core/scheduling/scheduled-intervals';
import { RollupRepository } from './rollup.repository';
import { ValueBinsRepository } from './value-bins.repository';

const TASK = 'metrics-upkeep';
const UPKEEP_INTERVAL_MS = 60_000;
/** Marks younger than this belong to a refresh that is probably waiting in its burst window. */
const STALE_AFTER_MS = 30_000;

/**
 * Rollup upkeep: a refresh job lost with Redis, or never queued (follow-ups are queued after
 * the delivery committed, best effort), leaves its change marks behind; this queues a refresh
 * for every repository whose marks are older than a refresh would leave them. It also folds
 * the rows refreshes appended to metric_value_bins.
 */
@Injectable()
export class MetricsUpkeepTask implements OnApplicationBootstrap {
  private readonly logger = new Logger(MetricsUpkeepTask.name);

  constructor(
    private readonly rollups: RollupRepository,
    private readonly bins: ValueBinsRepository,
    private readonly jobs: JobsService,
    private readonly intervals: ScheduledIntervals,
  ) {}

  onApplicationBootstrap(): void {
    this.intervals.every(TASK, UPKEEP_INTERVAL_MS, () => this.tick());
  }

  private async tick(): Promise<void> {
    const queued = await this.sweep();
    if (queued > 0) this.logger.warn(`metrics upkeep: queued ${queued} forgotten refreshes`);
    await this.bins.compact();
  }

  /** Queues a refresh per repository with stale marks; answers how many. */
  async sweep(staleAfterMs = STALE_AFTER_MS): Promise<number> {
    const repositories = await this.rollups.repositoriesWithStaleMarks(staleAfterMs);
    for (const repositoryId of repositories) {
      await this.jobs.enqueue(JobName.RefreshMetrics, { repositoryId });
    }
    return repositories.length;
  }
}
