import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Job, UnrecoverableError } from 'bullmq';
import { DataSource } from 'typeorm';
import { rowsOf } from '../../../core/database/rows';
import { JobName, JobPayloads } from '../../../core/jobs/job-catalogue';
import { JobHandler } from '../../../core/jobs/job-handler.decorator';
import { DeliveryStatus } from './delivery-status';

interface ClaimedDelivery {
  id: string;
  provider: string;
  event: string;
  ping: boolean;
}

const PING_EVENTS = new Set(['ping', 'diagnostics:ping']);

/**
 * The worker side of a delivery: claims it, processes it in one transaction that also
 * records its final status, and reports failures to BullMQ (which retries transient ones).
 */
@Injectable()
export class DeliveryProcessor {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  @JobHandler(JobName.ProcessDelivery)
  async process(payload: JobPayloads[JobName.ProcessDelivery], job: Job): Promise<DeliveryStatus> {
    const claimed = await this.claim(payload.deliveryId);
    if (!claimed) return DeliveryStatus.Processed;
    // From here on, every failure is recorded on the delivery before BullMQ sees it.
    try {
      return await this.dataSource.transaction(async (manager) => {
        const status = claimed.ping ? DeliveryStatus.Ignored : DeliveryStatus.Processed;
        await manager.query(
          `UPDATE deliveries SET status = $2, processed_at = now(), last_error = NULL, updated_at = now()
           WHERE id = $1`,
          [claimed.id, status],
        );
        return status;
      });
    } catch (error) {
      await this.recordFailure(claimed.id, error, job);
      throw error;
    }
  }

  /** Marks the delivery `processing`; undefined when it is already final (nothing to do). */
  private async claim(deliveryId: string): Promise<ClaimedDelivery | undefined> {
    type Claimed = { id: string; provider: string; event: string };
    const result = await this.dataSource.query<Claimed[] | [Claimed[], number]>(
      `UPDATE deliveries SET status = 'processing', attempts = attempts + 1, updated_at = now()
       WHERE id = $1 AND status NOT IN ('processed', 'ignored', 'dead', 'cancelled')
       RETURNING id, provider, event`,
      [deliveryId],
    );
    const rows = rowsOf(result);
    if (rows.length === 0) {
      const [exists] = await this.dataSource.query<{ id: string }[]>(
        'SELECT id FROM deliveries WHERE id = $1',
        [deliveryId],
      );
      if (!exists) throw new UnrecoverableError(`delivery ${deliveryId} does not exist`);
      return undefined;
    }
    const [row] = rows;
    return { ...row, ping: PING_EVENTS.has(row.event) || row.event.endsWith('Test Hook') };
  }

  private async recordFailure(deliveryId: string, error: unknown, job: Job): Promise<void> {
    const attempts = job.opts.attempts ?? 1;
    // Transient or unknown errors are retried; a payload we cannot understand is not.
    const final = error instanceof UnrecoverableError || job.attemptsMade + 1 >= attempts;
    const message = error instanceof Error ? error.message : String(error);
    await this.dataSource
      .query(
        `UPDATE deliveries SET status = $2, last_error = $3, updated_at = now() WHERE id = $1`,
        [deliveryId, final ? DeliveryStatus.Dead : DeliveryStatus.Failed, message.slice(0, 2000)],
      )
      .catch(() => undefined);
  }
}
