import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { keysetCursor, PositionedRow } from '../../core/database/keyset-cursor';
import { sqlLiteral, SqlQuery } from '../../core/database/sql';
import { AppError, ErrorCode } from '../../core/http/app-error';
import { DeadLetterView } from './dead-letters/dead-letter.dto';
import { DeliveryFilter } from './delivery-filter';
import { DeliveryStatus } from './delivery-status';
import { DeliveryDetailView, DeliverySummaryView } from './delivery.dto';
import { DeliveryEntity } from './delivery.entity';

/** A listed delivery: the entity's columns, selected under its property names. */
type DeliveryRow = Pick<
  DeliveryEntity,
  | 'id'
  | 'provider'
  | 'source'
  | 'providerDeliveryId'
  | 'event'
  | 'action'
  | 'repository'
  | 'status'
  | 'attempts'
  | 'lastError'
  | 'bodySize'
  | 'receivedAt'
  | 'queuedAt'
  | 'processedAt'
  | 'test'
>;

type DetailRow = DeliveryRow & Pick<DeliveryEntity, 'headers' | 'contentType' | 'body'>;

const SUMMARY_COLUMNS = `id, provider, source, provider_delivery_id AS "providerDeliveryId", event,
  action, repository, status, attempts, last_error AS "lastError", body_size AS "bodySize",
  received_at AS "receivedAt", queued_at AS "queuedAt", processed_at AS "processedAt", test`;

const DEAD_LISTING = keysetCursor({
  name: 'dead-letters',
  keys: [{ sql: 'received_at', type: 'timestamptz' }],
  id: 'id',
  direction: 'desc',
});

type DeadRow = Pick<
  DeliveryEntity,
  | 'id'
  | 'provider'
  | 'source'
  | 'providerDeliveryId'
  | 'event'
  | 'action'
  | 'repository'
  | 'attempts'
  | 'lastError'
  | 'receivedAt'
  | 'updatedAt'
>;

const LISTING = keysetCursor({
  name: 'deliveries',
  keys: [{ sql: 'received_at', type: 'timestamptz' }],
  id: 'id',
  direction: 'desc',
});

/** The conditions of a delivery filter, bound to `query`'s parameters. */
function whereFilter(query: SqlQuery, filter: DeliveryFilter): SqlQuery {
  return query
    .whereIf(filter.provider, 'provider = ?')
    .whereIf(filter.source, 'source = ?')
    .whereIf(filter.event, 'event = ?')
    .whereIf(filter.status, 'status = ?')
    .whereIf(filter.repository, 'repository = ?')
    .whereIf(filter.receivedFrom, 'received_at >= ?')
    .whereIf(filter.receivedTo, 'received_at < ?');
}

function summary(row: DeliveryRow): DeliverySummaryView {
  return {
    id: row.id,
    provider: row.provider,
    source: row.source,
    providerDeliveryId: row.providerDeliveryId,
    event: row.event,
    action: row.action,
    repository: row.repository,
    status: row.status,
    attempts: row.attempts,
    lastError: row.lastError,
    bodySize: row.bodySize,
    receivedAt: row.receivedAt.toISOString(),
    queuedAt: row.queuedAt?.toISOString() ?? null,
    processedAt: row.processedAt?.toISOString() ?? null,
    test: row.test,
  };
}

/** Reads of the deliveries table for the admin API (listings, details, dead letters). */
@Injectable()
export class DeliveriesRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async page(
    filter: DeliveryFilter,
    limit: number,
    cursor?: string,
  ): Promise<{ items: DeliverySummaryView[]; nextCursor: string | null }> {
    const query = whereFilter(new SqlQuery(), filter);
    if (cursor) query.where(LISTING.after(cursor, query.param));
    const rows = await this.dataSource.query<(DeliveryRow & PositionedRow)[]>(
      `SELECT ${SUMMARY_COLUMNS}, ${LISTING.select} FROM deliveries WHERE ${query.whereSql}
       ORDER BY ${LISTING.orderBy} LIMIT ${query.param(limit + 1)}`,
      query.params,
    );
    const page = LISTING.page(rows, limit);
    return { items: page.rows.map(summary), nextCursor: page.nextCursor };
  }

  async detail(id: string): Promise<DeliveryDetailView> {
    const [row] = await this.dataSource.query<DetailRow[]>(
      `SELECT ${SUMMARY_COLUMNS}, headers, content_type AS "contentType", body
       FROM deliveries WHERE id = $1`,
      [id],
    );
    if (!row) throw new AppError(ErrorCode.NotFound, `Delivery ${id} does not exist`);
    return {
      ...summary(row),
      headers: row.headers,
      contentType: row.contentType,
      body: row.body ? row.body.toString('utf8') : null,
    };
  }

  /** Ids matching a filter, after `afterId` in id order (for bulk work in pages). */
  async idsAfter(
    filter: DeliveryFilter,
    afterId: string | undefined,
    limit: number,
  ): Promise<string[]> {
    const query = whereFilter(new SqlQuery(), filter).whereIf(afterId, 'id > ?::uuid');
    const rows = await this.dataSource.query<{ id: string }[]>(
      `SELECT id FROM deliveries WHERE ${query.whereSql} ORDER BY id LIMIT ${query.param(limit)}`,
      query.params,
    );
    return rows.map((r) => r.id);
  }

  /** Which of `ids` are dead, after `afterId` in id order. */
  async deadAmong(ids: string[], afterId: string | undefined, limit: number): Promise<string[]> {
    const query = new SqlQuery()
      .whereIf(ids, 'id = ANY(?::uuid[])')
      .where(`status = ${sqlLiteral(DeliveryStatus.Dead)}`)
      .whereIf(afterId, 'id > ?::uuid');
    const rows = await this.dataSource.query<{ id: string }[]>(
      `SELECT id FROM deliveries WHERE ${query.whereSql} ORDER BY id LIMIT ${query.param(limit)}`,
      query.params,
    );
    return rows.map((r) => r.id);
  }

  /** A page of dead letters, newest first. */
  async deadPage(
    filter: Omit<DeliveryFilter, 'status'>,
    limit: number,
    cursor?: string,
  ): Promise<{ items: DeadLetterView[]; nextCursor: string | null }> {
    const query = whereFilter(new SqlQuery(), { ...filter, status: DeliveryStatus.Dead });
    if (cursor) query.where(DEAD_LISTING.after(cursor, query.param));
    const rows = await this.dataSource.query<(DeadRow & PositionedRow)[]>(
      `SELECT id, provider, source, provider_delivery_id AS "providerDeliveryId", event, action,
         repository, attempts, last_error AS "lastError", received_at AS "receivedAt",
         updated_at AS "updatedAt", ${DEAD_LISTING.select}
       FROM deliveries WHERE ${query.whereSql}
       ORDER BY ${DEAD_LISTING.orderBy} LIMIT ${query.param(limit + 1)}`,
      query.params,
    );
    const page = DEAD_LISTING.page(rows, limit);
    return { items: page.rows.map(deadLetterOf), nextCursor: page.nextCursor };
  }
}

function deadLetterOf(row: DeadRow): DeadLetterView {
  return {
    id: row.id,
    provider: row.provider,
    source: row.source,
    providerDeliveryId: row.providerDeliveryId,
    event: row.event,
    action: row.action,
    repository: row.repository,
    attempts: row.attempts,
    lastError: row.lastError,
    receivedAt: row.receivedAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}
