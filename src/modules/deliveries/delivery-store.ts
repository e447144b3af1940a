import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../config/config';
import { Batcher } from '../../core/database/batcher';
import { isTransientError, isWorthIsolating } from '../../core/database/transient-errors';
import { AppError, ErrorCode } from '../../core/http/app-error';
import { DeliveryStatus } from './delivery-status';
import { OUTBOX_CHANNEL } from './outbox-relay';
import { messageOf } from '../../core/errors/message-of';

export interface NewDelivery {
  provider: string;
  source: string;
  providerDeliveryId: string;
  event: string;
  action?: string;
  repository?: string;
  contentType: string;
  headers: Record<string, string>;
  body: Buffer;
  /** `received` normally; `ignored` when the source's repository filter excludes it. */
  status: DeliveryStatus.Received | DeliveryStatus.Ignored;
  /** A test delivery Hookyard sent itself (TestDeliveryMarker); false when absent. */
  test?: boolean;
}

export interface StoredDelivery {
  id: string;
  duplicate: boolean;
  status: DeliveryStatus;
}

/** Most rows in one INSERT. */
const MAX_BATCH = 256;

const COLUMNS = 12;
const INSERT_HEAD = `WITH inserted AS (INSERT INTO deliveries
  (provider, source, provider_delivery_id, event, action, repository, content_type,
   headers, body, body_size, status, test) VALUES `;
// The notification is delivered on commit and wakes the outbox relay: no extra round trip.
const INSERT_TAIL = ` ON CONFLICT ON CONSTRAINT deliveries_source_delivery_unique DO NOTHING
  RETURNING id, provider, source, provider_delivery_id, status)
  SELECT inserted.* FROM inserted, (SELECT pg_notify('${OUTBOX_CHANNEL}', '')) AS wake`;

/** The statement text per batch size (at most MAX_BATCH of them), built once. */
const insertSqlByRows = new Map<number, string>();

function insertSql(rows: number): string {
  let sql = insertSqlByRows.get(rows);
  if (sql === undefined) {
    sql = buildInsertSql(rows);
    insertSqlByRows.set(rows, sql);
  }
  return sql;
}

/**
 * One parameter per value (not arrays): node-postgres then sends each body as binary, where
 * an array parameter would be hex text twice its size, to be encoded here and decoded there.
 */
function buildInsertSql(rows: number): string {
  const tuples: string[] = [];
  for (let r = 0; r < rows; r++) {
    const p = (c: number) => `$${r * COLUMNS + c}`;
    tuples.push(
      `(${p(1)}, ${p(2)}, ${p(3)}, ${p(4)}, ${p(5)}, ${p(6)}, ${p(7)}, ${p(8)}::jsonb, ${p(9)}::bytea, ${p(10)}::int, ${p(11)}, ${p(12)}::boolean)`,
    );
  }
  return INSERT_HEAD + tuples.join(', ') + INSERT_TAIL;
}

const EXISTING_SQL = `
  SELECT d.id, d.provider, d.source, d.provider_delivery_id, d.status
  FROM deliveries d
  JOIN unnest($1::text[], $2::text[], $3::text[]) AS k(provider, source, provider_delivery_id)
    USING (provider, source, provider_delivery_id)`;

interface Row {
  id: string;
  provider: string;
  source: string;
  provider_delivery_id: string;
  status: DeliveryStatus;
}

const keyOf = (provider: string, source: string, deliveryId: string) =>
  `${provider}\u0001${source}\u0001${deliveryId}`;

/**
 * Stores deliveries durably with group commit: requests that arrive while other inserts are
 * in flight are written together in one multi-row INSERT, so throughput grows with load
 * while each caller still learns only after its row is committed. Uniqueness is decided by
 * the database (ON CONFLICT), never by a prior read.
 */
@Injectable()
export class DeliveryStore {
  private readonly logger = new Logger(DeliveryStore.name);
  private readonly group: Batcher<NewDelivery, StoredDelivery>;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    config: AppConfig,
  ) {
    this.group = new Batcher({
      maxBatch: MAX_BATCH,
      // INSERTs in flight at once: most of the pool, leaving room for reads and health checks.
      maxParallel: Math.min(8, Math.max(1, config.databasePoolSize - 2)),
      run: (deliveries) => this.insert(deliveries),
      // One bad row (or a lost lock race) must not fail the others; an unavailable database
      // fails them all.
      isolate: isWorthIsolating,
    });
  }

  async store(delivery: NewDelivery): Promise<StoredDelivery> {
    try {
      return await this.group.submit(delivery);
    } catch (error) {
      if (!isTransientError(error)) {
        this.logger.error(`delivery insert failed: ${messageOf(error)}`);
      }
      throw new AppError(
        ErrorCode.ServiceUnavailable,
        'The delivery could not be stored; retry later',
      );
    }
  }

  private async insert(deliveries: NewDelivery[]): Promise<StoredDelivery[]> {
    const params: unknown[] = [];
    for (const d of deliveries) {
      params.push(
        d.provider,
        d.source,
        d.providerDeliveryId,
        d.event,
        d.action ?? null,
        d.repository ?? null,
        d.contentType,
        JSON.stringify(d.headers),
        d.body,
        d.body.length,
        d.status,
        d.test === true,
      );
    }
    const inserted = await this.dataSource.query<Row[]>(insertSql(deliveries.length), params);
    const fresh = new Map(
      inserted.map((r) => [keyOf(r.provider, r.source, r.provider_delivery_id), r]),
    );
    const results: StoredDelivery[] = [];
    const missing: NewDelivery[] = [];
    for (const d of deliveries) {
      const key = keyOf(d.provider, d.source, d.providerDeliveryId);
      const row = fresh.get(key);
      if (row) {
        // The first copy in this batch is the new row; later copies of it are duplicates.
        fresh.delete(key);
        results.push({ id: row.id, duplicate: false, status: row.status });
      } else {
        results.push({ id: '', duplicate: true, status: DeliveryStatus.Received });
        missing.push(d);
      }
    }
    if (missing.length > 0) {
      const existing = await this.dataSource.query<Row[]>(EXISTING_SQL, [
        missing.map((d) => d.provider),
        missing.map((d) => d.source),
        missing.map((d) => d.providerDeliveryId),
      ]);
      const byKey = new Map(
        existing.map((r) => [keyOf(r.provider, r.source, r.provider_delivery_id), r]),
      );
      deliveries.forEach((d, i) => {
        if (!results[i].duplicate) return;
        const row = byKey.get(keyOf(d.provider, d.source, d.providerDeliveryId));
        if (!row) throw new Error('duplicate delivery row not found after conflict');
        results[i] = { id: row.id, duplicate: true, status: row.status };
      });
    }
    return results;
  }
}
