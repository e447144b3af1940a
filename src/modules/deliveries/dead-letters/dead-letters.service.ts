import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { keysetCursor, PositionedRow } from '../../../core/database/keyset-cursor';
import { JobName } from '../../../core/jobs/job-catalogue';
import { JobsService } from '../../../core/jobs/jobs.service';
import { filterClause } from '../deliveries.repository';
import { DeliveryFilter } from '../delivery-filter';
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

/**
 * Deliveries the worker gave up on: listing them, and asking for a redrive (which runs as a
 * job: jobs/redrive-dead-letters.handler.ts).
 */
@Injectable()
export class DeadLettersService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly jobs: JobsService,
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

  /** Dead deliveries among these ids, after `after` in id order, a page at a time. */
  async deadAmong(ids: string[], after: string | undefined): Promise<string[]> {
    const rows = await this.dataSource.query<{ id: string }[]>(
      `SELECT id FROM deliveries
       WHERE id = ANY($1::uuid[]) AND status = 'dead' AND ($2::uuid IS NULL OR id > $2::uuid)
       ORDER BY id LIMIT $3`,
      [ids, after ?? null, PAGE],
    );
    return rows.map((r) => r.id);
  }

  /** Dead deliveries matching the filter, after `after` in id order, a page at a time. */
  async deadMatching(filter: DeadLetterFilter, after: string | undefined): Promise<string[]> {
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
