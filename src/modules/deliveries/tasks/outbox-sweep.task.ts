import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig } from '../../../config/config';
import { QueueName } from '../../../core/jobs/job-catalogue';
import { JobsService } from '../../../core/jobs/jobs.service';
import { MetricsService } from '../../../core/observability/metrics.service';
import { ScheduledIntervals } from '../../../core/scheduling/scheduled-intervals';
import { DeliveryLifecycleRepository } from '../delivery-lifecycle.repository';
import { OutboxRelay } from '../outbox-relay';

const TASK = 'outbox-sweep';
const BATCH = 1000;

export interface SweepResult {
  requeued: number;
  dead: number;
}

/**
 * The outbox's safety net and the recovery of lost jobs, every OUTBOX_SWEEP_INTERVAL_MS where
 * ROLE runs the scheduler. Queues deliveries the relay could not (Redis down), re-queues
 * deliveries whose job vanished from Redis (FLUSHALL, restart without persistence), and marks
 * `dead` those BullMQ gave up on without a word (a worker lost during the last attempt).
 */
@Injectable()
export class OutboxSweepTask implements OnApplicationBootstrap {
  private readonly logger = new Logger(OutboxSweepTask.name);

  constructor(
    private readonly lifecycle: DeliveryLifecycleRepository,
    private readonly relay: OutboxRelay,
    private readonly jobs: JobsService,
    private readonly metrics: MetricsService,
    private readonly config: AppConfig,
    private readonly intervals: ScheduledIntervals,
  ) {}

  onApplicationBootstrap(): void {
    this.intervals.every(TASK, this.config.outboxSweepIntervalMs, () => this.tick());
  }

  private async tick(): Promise<void> {
    const result = await this.sweep();
    if (result.requeued + result.dead > 0) {
      this.logger.warn(
        `outbox sweep: re-queued ${result.requeued} deliveries lost from Redis; ${result.dead} given up by BullMQ`,
      );
    }
  }

  /**
   * One pass: wakes the relay (a notification may have been missed), then looks at deliveries
   * that should have been picked up by now. Those whose job Redis no longer has (FLUSHALL, a
   * restart without persistence) are queued again; those BullMQ gave up on (a worker died
   * during the last attempt) become `dead`.
   */
  async sweep(lostAfterMs = this.config.outboxLostAfterMs): Promise<SweepResult> {
    this.relay.kick();
    await this.relay.settled();
    const ids = await this.lifecycle.quietInFlight(lostAfterMs, BATCH);
    const states = await this.jobs.jobStates(QueueName.Deliveries, ids);
    const missing = ids.filter((id) => states.get(id) === 'unknown');
    const givenUp = ids.filter((id) => states.get(id) === 'failed');
    await this.relay.relay(missing);
    if (givenUp.length > 0) {
      await this.lifecycle.markGivenUp(givenUp);
    }
    if (ids.length > 0) {
      await this.lifecycle.markChecked(ids);
    }
    this.metrics.deliveriesRecovered.inc({ outcome: 'requeued' }, missing.length);
    this.metrics.deliveriesRecovered.inc({ outcome: 'dead' }, givenUp.length);
    return { requeued: missing.length, dead: givenUp.length };
  }
}
