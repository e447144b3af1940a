import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { keysetCursor, PositionedRow } from '../../core/database/keyset-cursor';
import { AppError, ErrorCode } from '../../core/http/app-error';
import { DeliveryFilter } from './delivery-filter';
import { DeliveryDetailView, DeliverySummaryView } from './delivery.dto';

interface DeliveryRow {
  id: string;
  provider: string;
  source: string;
  provider_delivery_id: string;
  event: string;
  action: string | null;
  repository: string | null;
  status: string;
  attempts: number;
  last_error: string | null;
  body_size: number;
  received_at: Date;
  queued_at: Date | null;
  processed_at: Date | null;
}

interface DetailRow extends DeliveryRow {
  headers: Record<string, string>;
  content_type: string;
  body: Buffer | null;
}

const SUMMARY_COLUMNS = `id, provider, source, provider_delivery_id, event, action, repository, status,
  attempts, last_error, body_size, received_at, queued_at, processed_at`;

const LISTING = keysetCursor({
  name: 'deliveries',
  keys: [{ sql: 'received_at', type: 'timestamptz' }],
  id: 'id',
  direction: 'desc',
});

/** Builds the WHERE clause of a delivery filter; parameters are numbered from `offset`. */
export function filterClause(
  filter: DeliveryFilter,
  offset = 0,
): { sql: string; params: unknown[] } {
  const conditions: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, value: unknown) => {
    params.push(value);
    conditions.push(sql.replace('?', `$${offset + params.length}`));
  };
  if (filter.provider) add('provider = ?', filter.provider);
  if (filter.source) add('source = ?', filter.source);
  if (filter.event) add('event = ?', filter.event);
  if (filter.status) add('status = ?', filter.status);
  if (filter.repository) add('repository = ?', filter.repository);
  if (filter.receivedFrom) add('received_at >= ?', filter.receivedFrom);
  if (filter.receivedTo) add('received_at < ?', filter.receivedTo);
  return { sql: conditions.length ? conditions.join(' AND ') : 'TRUE', params };
}

function summary(row: DeliveryRow): DeliverySummaryView {
  return {
    id: row.id,
    provider: row.provider,
    source: row.source,
    providerDeliveryId: row.provider_delivery_id,
    event: row.event,
    action: row.action,
    repository: row.repository,
    status: row.status,
    attempts: row.attempts,
    lastError: row.last_error,
    bodySize: row.body_size,
    receivedAt: row.received_at.toISOString(),
    queuedAt: row.queued_at?.toISOString() ?? null,
    processedAt: row.processed_at?.toISOString() ?? null,
  };
}

/** Reads of the deliveries table for the admin API. */
@Injectable()
export class DeliveriesRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async page(
    filter: DeliveryFilter,
    limit: number,
    cursor?: string,
  ): Promise<{ items: DeliverySummaryView[]; nextCursor: string | null }> {
    const where = filterClause(filter);
    const params = [...where.params];
    const param = (value: unknown) => {
      params.push(value);
      return `$${params.length}`;
    };
    const keyset = cursor ? ` AND ${LISTING.after(cursor, param)}` : '';
    const rows = await this.dataSource.query<(DeliveryRow & PositionedRow)[]>(
      `SELECT ${SUMMARY_COLUMNS}, ${LISTING.select} FROM deliveries WHERE ${where.sql}${keyset}
       ORDER BY ${LISTING.orderBy} LIMIT ${param(limit + 1)}`,
      params,
    );
    const page = LISTING.page(rows, limit);
    return { items: page.rows.map(summary), nextCursor: page.nextCursor };
  }

  async detail(id: string): Promise<DeliveryDetailView> {
    const [row] = await this.dataSource.query<DetailRow[]>(
      `SELECT ${SUMMARY_COLUMNS}, headers, content_type, body FROM deliveries WHERE id = $1`,
      [id],
    );
    if (!row) throw new AppError(ErrorCode.NotFound, `Delivery ${id} does not exist`);
    return {
      ...summary(row),
      headers: row.headers,
      contentType: row.content_type,
      body: row.body ? row.body.toString('utf8') : null,
    };
  }

  /** Ids matching a filter, after `afterId` in id order (for bulk work in pages). */
  async idsAfter(
    filter: DeliveryFilter,
    afterId: string | undefined,
    limit: number,
  ): Promise<string[]> {
    const where = filterClause(filter);
    const params = [...where.params];
    let after = '';
    if (afterId) {
      params.push(afterId);
      after = ` AND id > $${params.length}::uuid`;
    }
    params.push(limit);
    const rows = await this.dataSource.query<{ id: string }[]>(
      `SELECT id FROM deliveries WHERE ${where.sql}${after} ORDER BY id LIMIT $${params.length}`,
      params,
    );
    return rows.map((r) => r.id);
  }
}
