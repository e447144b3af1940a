import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { JobName } from '../../../core/jobs/job-catalogue';
import { JobsService } from '../../../core/jobs/jobs.service';

const MAX_BATCH = 500;

/**
 * Moves stored deliveries into BullMQ right after they are committed. Best effort by design:
 * if Redis is down, the rows stay `received` and the periodic sweep (OutboxSweeper) queues
 * them later, so Redis never holds the only copy of anything.
 */
@Injectable()
export class OutboxRelay implements OnApplicationShutdown {
  private readonly logger = new Logger(OutboxRelay.name);
  private pending = new Set<string>();
  private running: Promise<void> | undefined;

  constructor(
    private readonly jobs: JobsService,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  /** Asks for a delivery to be queued soon; never throws, never waits. */
  notify(deliveryId: string): void {
    this.pending.add(deliveryId);
    this.running ??= this.drain().finally(() => {
      this.running = undefined;
      if (this.pending.size > 0) this.notify([...this.pending][0]);
    });
  }

  /** Queues deliveries and marks them queued. Throws when Redis or the database fails. */
  async relay(deliveryIds: string[]): Promise<void> {
    if (deliveryIds.length === 0) return;
    await this.jobs.enqueueBulk(
      JobName.ProcessDelivery,
      deliveryIds.map((deliveryId) => ({ deliveryId })),
    );
    // Only rows still `received`: a fast worker may already have moved it on.
    await this.dataSource.query(
      `UPDATE deliveries SET status = 'queued', queued_at = now(), updated_at = now()
       WHERE id = ANY($1::uuid[]) AND status = 'received'`,
      [deliveryIds],
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.running;
  }

  private async drain(): Promise<void> {
    // Yield once so that deliveries stored in the same tick travel together.
    await new Promise((resolve) => setImmediate(resolve));
    while (this.pending.size > 0) {
      const batch = [...this.pending].slice(0, MAX_BATCH);
      batch.forEach((id) => this.pending.delete(id));
      try {
        await this.relay(batch);
      } catch (error) {
        // The sweep will pick these and any others up; do not hold them in memory.
        this.pending.clear();
        this.logger.warn(
          `outbox relay failed for ${batch.length} deliveries, the sweep will retry: ${
            error instanceof Error ? error.message : String(error)
          }`,
        );
        return;
      }
    }
  }
}
