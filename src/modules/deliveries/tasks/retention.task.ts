import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig } from '../../../config/config';
import { JobsService } from '../../../core/jobs/jobs.service';
import { ScheduledIntervals } from '../../../core/scheduling/scheduled-intervals';
import { DeliveryLifecycleRepository } from '../delivery-lifecycle.repository';

const TASK = 'retention';
/** Rows changed per statement, so that a large backlog never holds long locks. */
const CHUNK = 5000;

export interface RetentionResult {
  bodiesDropped: number;
  deadDeleted: number;
  jobsCleaned: number;
}

/**
 * Old work is cleaned up every RETENTION_INTERVAL_MS where ROLE runs the scheduler: raw bodies
 * of finished deliveries after RETENTION_BODY_DAYS (the row and its metadata stay; dead ones
 * keep theirs for a redrive until they are deleted), dead deliveries after
 * RETENTION_DEAD_DAYS, and finished jobs in Redis after their retention hours.
 */
@Injectable()
export class RetentionTask implements OnApplicationBootstrap {
  private readonly logger = new Logger(RetentionTask.name);

  constructor(
    private readonly lifecycle: DeliveryLifecycleRepository,
    private readonly config: AppConfig,
    private readonly jobs: JobsService,
    private readonly intervals: ScheduledIntervals,
  ) {}

  onApplicationBootstrap(): void {
    this.intervals.every(TASK, this.config.retention.intervalMs, () => this.tick());
  }

  private async tick(): Promise<void> {
    const result = await this.run();
    if (result.bodiesDropped + result.deadDeleted + result.jobsCleaned > 0) {
      this.logger.log(
        `retention: dropped ${result.bodiesDropped} bodies, deleted ${result.deadDeleted} dead deliveries, cleaned ${result.jobsCleaned} jobs`,
      );
    }
  }

  async run(now: Date = new Date()): Promise<RetentionResult> {
    const { bodyDays, deadDays, completedJobsHours, failedJobsHours } = this.config.retention;
    const bodiesDropped = await this.inChunks(() =>
      this.lifecycle.dropOldBodies(now, bodyDays, CHUNK),
    );
    const deadDeleted = await this.inChunks(() =>
      this.lifecycle.deleteOldDead(now, deadDays, CHUNK),
    );
    let jobsCleaned = 0;
    for (const queue of this.jobs.allQueues()) {
      jobsCleaned += (await queue.clean(completedJobsHours * 3600_000, CHUNK, 'completed')).length;
      jobsCleaned += (await queue.clean(failedJobsHours * 3600_000, CHUNK, 'failed')).length;
    }
    return { bodiesDropped, deadDeleted, jobsCleaned };
  }

  /** Repeats `chunk` (which answers how many rows it changed) until a chunk is not full. */
  private async inChunks(chunk: () => Promise<number>): Promise<number> {
    let total = 0;
    for (;;) {
      const changed = await chunk();
      total += changed;
      if (changed < CHUNK) return total;
    }
  }
}
