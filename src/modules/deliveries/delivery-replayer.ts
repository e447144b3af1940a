import { Injectable } from '@nestjs/common';
import { AppError, ErrorCode } from '../../core/http/app-error';
import { JobName, QueueName } from '../../core/jobs/job-catalogue';
import { JobsService } from '../../core/jobs/jobs.service';
import { DeliveryFilter } from './delivery-filter';
import { DeliveryLifecycleRepository } from './delivery-lifecycle.repository';
import { OutboxRelay } from './outbox-relay';

/**
 * Sends stored deliveries through processing again (the records are upserts, so it is safe).
 * Bulk replays run as a job: jobs/replay-deliveries.handler.ts.
 */
@Injectable()
export class DeliveryReplayer {
  constructor(
    private readonly lifecycle: DeliveryLifecycleRepository,
    private readonly jobs: JobsService,
    private readonly relay: OutboxRelay,
  ) {}

  async replayOne(id: string): Promise<void> {
    const status = await this.lifecycle.statusOf(id);
    if (!status) throw new AppError(ErrorCode.NotFound, `Delivery ${id} does not exist`);
    await this.replay([id]);
  }

  async requestBulk(filter: DeliveryFilter, requestedBy: string): Promise<string> {
    const job = await this.jobs.enqueue(JobName.ReplayDeliveries, { filter, requestedBy });
    return job.id ?? '';
  }

  /** Processes these deliveries again, whatever their status. */
  async replayIds(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.replay(ids);
  }

  /** Drops old jobs (their ids are the delivery ids), resets the rows and queues them again. */
  private async replay(ids: string[]): Promise<void> {
    const queue = this.jobs.queue(QueueName.Deliveries);
    // A job a worker holds cannot be removed; it finishes on its own, and the new job (same
    // id) is then added by the relay once the row is back to `received`.
    await Promise.allSettled(ids.map((id) => queue.remove(id)));
    await this.lifecycle.resetForReplay(ids);
    await this.relay.relay(ids);
  }
}
