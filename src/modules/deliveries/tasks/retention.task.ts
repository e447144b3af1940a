import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../../config/config';
import { rowsOf } from '../../../core/database/rows';
import { JobsService } from '../../../core/jobs/jobs.service';
import { ScheduledIntervals } from '../../../core/scheduling/scheduled-intervals';

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
    @InjectDataSource() private readonly dataSource: DataSource,
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
    const bodiesDropped = await this.inChunks(
      `UPDATE deliveries SET body = NULL, updated_at = now()
       WHERE id IN (SELECT id FROM deliveries
                    WHERE body IS NOT NULL AND status IN ('processed', 'ignored', 'cancelled')
                      AND received_at < $1::timestamptz - $2 * interval '1 day'
                    LIMIT ${CHUNK})
       RETURNING id`,
      [now, bodyDays],
    );
    const deadDeleted = await this.inChunks(
      `DELETE FROM deliveries
       WHERE id IN (SELECT id FROM deliveries
                    WHERE status = 'dead' AND received_at < $1::timestamptz - $2 * interval '1 day'
                    LIMIT ${CHUNK})
       RETURNING id`,
      [now, deadDays],
    );
    let jobsCleaned = 0;
    for (const queue of this.jobs.allQueues()) {
      jobsCleaned += (await queue.clean(completedJobsHours * 3600_000, CHUNK, 'completed')).length;
      jobsCleaned += (await queue.clean(failedJobsHours * 3600_000, CHUNK, 'failed')).length;
    }
    return { bodiesDropped, deadDeleted, jobsCleaned };
  }

  private async inChunks(sql: string, params: unknown[]): Promise<number> {
    let total = 0;
    for (;;) {
      const changed = rowsOf(
        await this.dataSource.query<{ id: string }[] | [{ id: string }[], number]>(sql, params),
      ).length;
      total += changed;
      if (changed < CHUNK) return total;
    }
  }
}
