import { Injectable, Logger } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { SchedulerLock } from '../../../core/database/scheduler-lock';
import { QueueName } from '../../../core/jobs/job-catalogue';
import { JobsService } from '../../../core/jobs/jobs.service';
import { MetricsService } from '../../../core/observability/metrics.service';
import { OutboxRelay } from './outbox-relay';

const SWEEP_INTERVAL_MS = 5000;
const BATCH = 1000;

export interface SweepResult {
  relayed: number;
  requeued: number;
}

/**
 * The outbox's safety net. Queues deliveries the relay could not (Redis down), and re-queues
 * deliveries whose job vanished from Redis (FLUSHALL, restart without persistence).
 */
@Injectable()
export class OutboxSweeper {
  private readonly logger = new Logger(OutboxSweeper.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly relay: OutboxRelay,
    private readonly jobs: JobsService,
    private readonly lock: SchedulerLock,
    private readonly metrics: MetricsService,
  ) {
    metrics.onScrape(() => this.measureLag());
  }

  @Interval('outbox-sweep', SWEEP_INTERVAL_MS)
  async tick(): Promise<void> {
    try {
      await this.lock.runExclusive('outbox-sweep', async () => {
        const result = await this.sweep();
        if (result.relayed + result.requeued > 0) {
          this.logger.log(
            `outbox sweep: relayed ${result.relayed}, re-queued ${result.requeued} lost jobs`,
          );
        }
      });
    } catch (error) {
      this.logger.warn(
        `outbox sweep failed: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }

  /** One pass: `received` rows older than a moment, and queued/processing rows lost from Redis. */
  async sweep(minAgeMs = 2000, lostAfterMs = 15000): Promise<SweepResult> {
    const stored = await this.dataSource.query<{ id: string }[]>(
      `SELECT id FROM deliveries
       WHERE status = 'received' AND received_at < now() - $1 * interval '1 millisecond'
       ORDER BY received_at LIMIT $2`,
      [minAgeMs, BATCH],
    );
    await this.relay.relay(stored.map((r) => r.id));

    // Oldest confirmation first; confirming moves a row to the back, so every pass makes progress.
    const candidates = await this.dataSource.query<{ id: string }[]>(
      `SELECT id FROM deliveries
       WHERE status IN ('queued', 'processing', 'failed')
         AND coalesce(queued_at, received_at) < now() - $1 * interval '1 millisecond'
       ORDER BY coalesce(queued_at, received_at) LIMIT $2`,
      [lostAfterMs, BATCH],
    );
    const ids = candidates.map((r) => r.id);
    const states = await this.jobs.jobStates(QueueName.Deliveries, ids);
    const missing = ids.filter((id) => states.get(id) === 'unknown');
    // BullMQ gave up (e.g. the worker died during the last attempt): the delivery is dead.
    const givenUp = ids.filter((id) => states.get(id) === 'failed');
    const present = ids.filter((id) => !missing.includes(id) && !givenUp.includes(id));
    if (missing.length > 0) {
      await this.dataSource.query(
        `UPDATE deliveries SET status = 'received', updated_at = now() WHERE id = ANY($1::uuid[])
           AND status IN ('queued', 'processing', 'failed')`,
        [missing],
      );
      await this.relay.relay(missing);
    }
    if (givenUp.length > 0) {
      await this.dataSource.query(
        `UPDATE deliveries SET status = 'dead', updated_at = now(),
           last_error = coalesce(last_error, 'the job failed without recording a reason (worker lost)')
         WHERE id = ANY($1::uuid[]) AND status IN ('queued', 'processing', 'failed')`,
        [givenUp],
      );
    }
    if (present.length > 0) {
      await this.dataSource.query(
        `UPDATE deliveries SET queued_at = now() WHERE id = ANY($1::uuid[])`,
        [present],
      );
    }
    return { relayed: stored.length, requeued: missing.length };
  }

  private async measureLag(): Promise<void> {
    const [row] = await this.dataSource.query<{ pending: string; oldest: number | null }[]>(
      `SELECT count(*) AS pending, extract(epoch FROM now() - min(received_at))::float AS oldest
       FROM deliveries WHERE status = 'received'`,
    );
    this.metrics.outboxPending.set(Number(row.pending));
    this.metrics.outboxLag.set(row.oldest ?? 0);
  }
}
