import {
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
  Optional,
} from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { AppConfig } from '../../config/config';
import { SchedulerLock } from '../../core/database/scheduler-lock';
import { QueueName } from '../../core/jobs/job-catalogue';
import { JobsService } from '../../core/jobs/jobs.service';
import { MetricsService } from '../../core/observability/metrics.service';
import { DeliveryLifecycleRepository } from './delivery-lifecycle.repository';
import { OutboxRelay } from './outbox-relay';

const SWEEP_JOB = 'outbox-sweep';
const BATCH = 1000;

export interface SweepResult {
  requeued: number;
  dead: number;
}

/**
 * The outbox's safety net. Queues deliveries the relay could not (Redis down), and re-queues
 * deliveries whose job vanished from Redis (FLUSHALL, restart without persistence).
 */
@Injectable()
export class OutboxSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(OutboxSweeper.name);

  constructor(
    private readonly lifecycle: DeliveryLifecycleRepository,
    private readonly relay: OutboxRelay,
    private readonly jobs: JobsService,
    private readonly lock: SchedulerLock,
    private readonly metrics: MetricsService,
    private readonly config: AppConfig,
    // Present only where ROLE runs the scheduler (ScheduleModule is imported there).
    @Optional() private readonly scheduler?: SchedulerRegistry,
  ) {
    metrics.onScrape(() => this.measureLag());
  }

  onApplicationBootstrap(): void {
    if (!this.config.runsScheduler || !this.scheduler) return;
    const timer = setInterval(() => void this.tick(), this.config.outboxSweepIntervalMs);
    this.scheduler.addInterval(SWEEP_JOB, timer);
  }

  onApplicationShutdown(): void {
    if (this.scheduler?.doesExist('interval', SWEEP_JOB)) this.scheduler.deleteInterval(SWEEP_JOB);
  }

  async tick(): Promise<void> {
    try {
      await this.lock.runExclusive(SWEEP_JOB, async () => {
        const result = await this.sweep();
        if (result.requeued + result.dead > 0) {
          this.logger.warn(
            `outbox sweep: re-queued ${result.requeued} deliveries lost from Redis; ${result.dead} given up by BullMQ`,
          );
        }
      });
    } catch (error) {
      this.logger.warn(
        `outbox sweep failed: ${error instanceof Error ? error.message : String(error)}`,
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

  private async measureLag(): Promise<void> {
    const backlog = await this.lifecycle.outboxBacklog();
    this.metrics.outboxPending.set(backlog.pending);
    this.metrics.outboxLag.set(backlog.oldestSeconds);
  }
}
