import { Injectable } from '@nestjs/common';
import { JobName } from '../../../core/jobs/job-catalogue';
import { JobsService } from '../../../core/jobs/jobs.service';
import { DeliveriesRepository } from '../deliveries.repository';
import { DeliveryFilter } from '../delivery-filter';
import { DeliveryStatus } from '../delivery-status';
import { DeadLetterPageView } from './dead-letter.dto';

const PAGE = 500;

export type DeadLetterFilter = Omit<DeliveryFilter, 'status'>;

const deadOnly = (filter: DeadLetterFilter): DeliveryFilter => ({
  ...filter,
  status: DeliveryStatus.Dead,
});

/**
 * Deliveries the worker gave up on: listing them, and asking for a redrive (which runs as a
 * job: jobs/redrive-dead-letters.handler.ts).
 */
@Injectable()
export class DeadLettersService {
  constructor(
    private readonly deliveries: DeliveriesRepository,
    private readonly jobs: JobsService,
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

  /** Dead deliveries among these ids, after `after` in id order, a page at a time. */
  deadAmong(ids: string[], after: string | undefined): Promise<string[]> {
    return this.deliveries.deadAmong(ids, after, PAGE);
  }

  /** Dead deliveries matching the filter, after `after` in id order, a page at a time. */
  deadMatching(filter: DeadLetterFilter, after: string | undefined): Promise<string[]> {
    return this.deliveries.idsAfter(deadOnly(filter), after, PAGE);
  }
}
