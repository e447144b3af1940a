import { Injectable } from '@nestjs/common';
import type { Job } from 'bullmq';
import { JobName, JobPayloads } from '../../../core/jobs/job-catalogue';
import { JobHandler } from '../../../core/jobs/job-handler.decorator';
import { DeliveriesRepository } from '../deliveries.repository';
import { DeliveryReplayer } from '../delivery-replayer';

const PAGE = 500;

/** Job `deliveries.replay`: every delivery matching a filter goes through processing again. */
@Injectable()
export class ReplayDeliveriesHandler {
  constructor(
    private readonly deliveries: DeliveriesRepository,
    private readonly replayer: DeliveryReplayer,
  ) {}

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
      await this.replayer.replayIds(ids);
      replayed += ids.length;
      after = ids[ids.length - 1];
      await job.updateProgress({ replayed });
    }
    return { replayed };
  }
}
