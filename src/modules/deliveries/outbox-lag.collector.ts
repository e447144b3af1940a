import { Injectable, OnModuleInit } from '@nestjs/common';
import { MetricsService } from '../../core/observability/metrics.service';
import { DeliveryLifecycleRepository } from './delivery-lifecycle.repository';

/** Reads the outbox backlog (deliveries not queued yet) and its age at scrape time. */
@Injectable()
export class OutboxLagCollector implements OnModuleInit {
  constructor(
    private readonly lifecycle: DeliveryLifecycleRepository,
    private readonly metrics: MetricsService,
  ) {}

  onModuleInit(): void {
    this.metrics.onScrape(() => this.measureLag());
  }

  private async measureLag(): Promise<void> {
    const backlog = await this.lifecycle.outboxBacklog();
    this.metrics.outboxPending.set(backlog.pending);
    this.metrics.outboxLag.set(backlog.oldestSeconds);
  }
}
