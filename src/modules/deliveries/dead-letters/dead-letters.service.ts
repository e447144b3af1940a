import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Job } from 'bullmq';
import { DataSource } from 'typeorm';
import { keysetCursor, PositionedRow } from '../../../core/database/keyset-cursor';
import { JobName, JobPayloads } from '../../../core/jobs/job-catalogue';
import { JobHandler } from '../../../core/jobs/job-handler.decorator';
import { JobsService } from '../../../core/jobs/jobs.service';
import { filterClause } from '../deliveries.repository';
import { DeliveryFilter } from '../delivery-filter';
import { DeliveryReplayer } from '../delivery-replayer';
import { DeliveryStatus } from '../delivery-status';
import { DeadLetterPageView, DeadLetterView } from './dead-letter.dto';

const PAGE = 500;

const LISTING = keysetCursor({
  name: 'dead-letters',
  keys: [{ sql: 'received_at', type: 'timestamptz' }],
  id: 'id',
  direction: 'desc',
});

interface DeadRow extends PositionedRow {
  id: string;
  provider: string;
  source: string;
  provider_delivery_id: string;
  event: string;
  action: string | null;
  repository: string | null;
  attempts: number;
  last_error: string | null;
  received_at: Date;
  updated_at: Date;
}

export type DeadLetterFilter = Omit<DeliveryFilter, 'status'>;

const deadOnly = (filter: DeadLetterFilter): DeliveryFilter => ({
  ...filter,
  status: DeliveryStatus.Dead,
});

/** Deliveries the worker gave up on: listing them, and sending them through processing again. */
@Injectable()
export class DeadLettersService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly jobs: JobsService,
    private readonly replayer: DeliveryReplayer,
  ) {}

  async page(
    filter: DeadLetterFilter,
    limit: number,
    cursor?: string,
  ): Promise<DeadLetterPageView> {
    const where = filterClause(deadOnly(filter));
    const params = [...where.params];
    const param = (value: unknown) => {
      params.push(value);
      return `$${params.length}`;
    };
    const keyset = cursor ? ` AND ${LISTING.after(cursor, param)}` : '';
    const rows = await this.dataSource.query<DeadRow[]>(
      `SELECT id, provider, source, provider_delivery_id, event, action, repository, attempts,
         last_error, received_at, updated_at, ${LISTING.select}
       FROM deliveries WHERE ${where.sql}${keyset}
       ORDER BY ${LISTING.orderBy} LIMIT ${param(limit + 1)}`,
      params,
    );
    const page = LISTING.page(rows, limit);
    return { items: page.rows.map(viewOf), nextCursor: page.nextCursor };
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

  private async deadAmong(ids: string[], after: string | undefined): Promise<string[]> {
    const rows = await this.dataSource.query<{ id: string }[]>(
      `SELECT id FROM deliveries
       WHERE id = ANY($1::uuid[]) AND status = 'dead' AND ($2::uuid IS NULL OR id > $2::uuid)
       ORDER BY id LIMIT $3`,
      [ids, after ?? null, PAGE],
    );
    return rows.map((r) => r.id);
  }

  private async deadMatching(
    filter: DeadLetterFilter,
    after: string | undefined,
  ): Promise<string[]> {
    const where = filterClause(deadOnly(filter));
    const params = [...where.params, after ?? null, PAGE];
    const rows = await this.dataSource.query<{ id: string }[]>(
      `SELECT id FROM deliveries
       WHERE ${where.sql} AND ($${params.length - 1}::uuid IS NULL OR id > $${params.length - 1}::uuid)
       ORDER BY id LIMIT $${params.length}`,
      params,
    );
    return rows.map((r) => r.id);
  }
}

function viewOf(row: DeadRow): DeadLetterView {
  return {
    id: row.id,
    provider: row.provider,
    source: row.source,
    providerDeliveryId: row.provider_delivery_id,
    event: row.event,
    action: row.action,
    repository: row.repository,
    attempts: row.attempts,
    lastError: row.last_error,
    receivedAt: row.received_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}
