import { Injectable } from '@nestjs/common';
import type { Job } from 'bullmq';
import { JobName, JobPayloads } from '../../../core/jobs/job-catalogue';
import { JobHandler } from '../../../core/jobs/job-handler.decorator';
import { JobsService } from '../../../core/jobs/jobs.service';
import { DeliveriesRepository } from '../deliveries.repository';
import { DeliveryFilter } from '../delivery-filter';
import { DeliveryReplayer } from '../delivery-replayer';
import { DeliveryStatus } from '../delivery-status';
import { DeadLetterPageView } from './dead-letter.dto';

const PAGE = 500;

export type DeadLetterFilter = Omit<DeliveryFilter, 'status'>;

const deadOnly = (filter: DeadLetterFilter): DeliveryFilter => ({
  ...filter,
  status: DeliveryStatus.Dead,
});

/** Deliveries the worker gave up on: listing them, and sending them through processing again. */
@Injectable()
export class DeadLettersService {
  constructor(
    private readonly deliveries: DeliveriesRepository,
    private readonly jobs: JobsService,
    private readonly replayer: DeliveryReplayer,
  ) {}

  page(filter: DeadLetterFilter, limit: number, cursor?: string): Promise<DeadLetterPageView> {
    return this.deliveries.deadPage(filter, limit, cursor);
  }

  async requestRedrive(
    selection: { ids: string[] } | { filter: DeadLetterFilter },
    requestedBy: string,
  ): Promise<string> {
    const job = await this.jobs.enqueue(JobName.RedriveDeadLetters, { ...selection, requestedBy });
    return job.id ?? '';
  }

  @JobHandler(JobName.RedriveDeadLetters)
  async redrive(
    payload: JobPayloads[JobName.RedriveDeadLetters],
    job: Job,
  ): Promise<{ redriven: number }> {
    let redriven = 0;
    let after: string | undefined;
    await job.updateProgress({ redriven });
    for (;;) {
      const ids = payload.ids
        ? await this.deadAmong(payload.ids, after)
        : await this.deadMatching(payload.filter ?? {}, after);
      if (ids.length === 0) break;
      await this.replayer.replayIds(ids);
      redriven += ids.length;
      after = ids[ids.length - 1];
      await job.updateProgress({ redriven });
      await job.log(`redriven ${redriven} dead deliveries`);
    }
    return { redriven };
  }

  private deadAmong(ids: string[], after: string | undefined): Promise<string[]> {
    return this.deliveries.deadAmong(ids, after, PAGE);
  }

  private deadMatching(filter: DeadLetterFilter, after: string | undefined): Promise<string[]> {
    return this.deliveries.idsAfter(deadOnly(filter), after, PAGE);
  }
}
