import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig } from '../../../config/config';
import { messageOf } from '../../../core/errors/message-of';
import { ScheduledIntervals } from '../../../core/scheduling/scheduled-intervals';
import { ReconciliationService } from './reconciliation.service';

/**
 * The interval's own name: a tick holds its lock while the run holds the service's
 * (`forge-reconciliation`), which a manual run through the API takes too.
 */
const TASK = 'forge-reconciliation-schedule';

/**
 * Where ROLE runs the scheduler: a reconciliation once at start, then every
 * RECONCILIATION_INTERVAL_MS (0: at start only). A tick waits for its run to end, so runs
 * never pile up behind a slow forge.
 */
@Injectable()
export class ReconciliationTask implements OnApplicationBootstrap {
  private readonly logger = new Logger(ReconciliationTask.name);

  constructor(
    private readonly reconciliation: ReconciliationService,
    private readonly config: AppConfig,
    private readonly intervals: ScheduledIntervals,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.intervals.enabled) return;
    const everyMs = this.config.forgeApi.reconciliationIntervalMs;
    if (everyMs > 0) this.intervals.every(TASK, everyMs, () => this.run('schedule'));
    this.run('start').catch((error: unknown) =>
      this.logger.warn(`reconciliation at start failed: ${messageOf(error)}`),
    );
  }

  private async run(trigger: 'start' | 'schedule'): Promise<void> {
    await this.reconciliation.start(trigger);
    await this.reconciliation.settled();
  }
}
