import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { MetricsService } from '../../core/observability/metrics.service';

/** Reads the outbox backlog (deliveries not queued yet) and its age at scrape time. */
@Injectable()
export class OutboxLagCollector implements OnModuleInit {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly metrics: MetricsService,
  ) {}

  onModuleInit(): void {
    this.metrics.onScrape(() => this.measureLag());
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
