import { Injectable } from '@nestjs/common';
import { Job } from 'bullmq';
import { AppError, ErrorCode } from '../../core/http/app-error';
import { JobName, JobPayloads, QueueName } from '../../core/jobs/job-catalogue';
import { JobHandler } from '../../core/jobs/job-handler.decorator';
import { JobsService } from '../../core/jobs/jobs.service';
import { DeliveriesRepository } from './deliveries.repository';
import { DeliveryFilter } from './delivery-filter';
import { DeliveryLifecycleRepository } from './delivery-lifecycle.repository';
import { DeliveryStatus } from './delivery-status';
import { OutboxRelay } from './outbox-relay';

const PAGE = 500;

/** Sends stored deliveries through processing again (the records are upserts, so it is safe). */
@Injectable()
export class DeliveryReplayer {
  constructor(
    private readonly lifecycle: DeliveryLifecycleRepository,
    private readonly deliveries: DeliveriesRepository,
    private readonly jobs: JobsService,
    private readonly relay: OutboxRelay,
  ) {}

  async replayOne(id: string): Promise<void> {
    const status = await this.lifecycle.statusOf(id);
    if (!status) throw new AppError(ErrorCode.NotFound, `Delivery ${id} does not exist`);
    if (status === DeliveryStatus.Processing) {
      throw new AppError(
        ErrorCode.Conflict,
        `Delivery ${id} is being processed; replay it once it has finished`,
      );
    }
    await this.replay([id]);
  }

  async requestBulk(filter: DeliveryFilter, requestedBy: string): Promise<string> {
    const job = await this.jobs.enqueue(JobName.ReplayDeliveries, { filter, requestedBy });
    return job.id ?? '';
  }

  @JobHandler(JobName.ReplayDeliveries)
  async replayMatching(
    payload: JobPayloads[JobName.ReplayDeliveries],
    job: Job,
  ): Promise<{ replayed: number }> {
    let replayed = 0;
    let after: string | undefined;
    for (;;) {
      const ids = await this.deliveries.idsAfter(payload.filter, after, PAGE);
      if (ids.length === 0) break;
      await this.replay(ids);
      replayed += ids.length;
      after = ids[ids.length - 1];
      await job.updateProgress({ replayed });
    }
    return { replayed };
  }

  /** Processes these deliveries again (no status check beyond skipping `processing` rows). */
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
