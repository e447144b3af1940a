import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Batcher } from '../../core/database/batcher';
import { pgPoolOf, prepared } from '../../core/database/pg-pool';
import { isWorthIsolating } from '../../core/database/transient-errors';
import { FINAL_STATUSES_SQL } from './delivery-status';

/** What the worker needs of a stored delivery. */
export interface WorkDelivery {
  id: string;
  provider: string;
  source: string;
  repository: string | null;
  event: string;
  content_type: string;
  /** JSON text. */
  headers: string;
  /** The stored bytes read as UTF-8, as the forge sent them. */
  body: string | null;
  final: boolean;
  /** A test delivery (POST /api/v1/admin/sources/…/test): it queues no follow-up work. */
  test: boolean;
}

/**
 * The columns of a WorkDelivery, for statements over `deliveries` read in binary: the body
 * arrives as its own bytes, not as hex text twice its size. Every column is one node-postgres
 * reads correctly in binary (text, bool, and bytea as text).
 */
function workColumns(body: string): string {
  return `id::text AS id, provider, source, repository, event, content_type,
    headers::text AS headers, ${body} AS body, status IN ${FINAL_STATUSES_SQL} AS final, test`;
}

export const WORK_COLUMNS = workColumns('body');

/** Bodies above this size are not handed over by the relay: their jobs read them. */
const PREFETCH_MAX_BODY_BYTES = 256 * 1024;

/** A row as the relay reads it: the body only when it is small enough to hand over. */
export type PrefetchRow = WorkDelivery & { complete: boolean };

/** The relay's RETURNING list (a batch of 25 MiB bodies must not be read into memory). */
export const PREFETCH_COLUMNS = `${workColumns(
  `CASE WHEN body_size <= ${PREFETCH_MAX_BODY_BYTES} THEN body END`,
)}, body_size <= ${PREFETCH_MAX_BODY_BYTES} AS complete`;

/** Deliveries the relay has just read, kept until a job asks for them. */
const PREFETCH_MAX_ENTRIES = 2000;
const PREFETCH_MAX_CHARS = 64 * 1024 * 1024;
/** A row nobody asked for by then was taken by another worker process (or never will be). */
const PREFETCH_TTL_MS = 60_000;

/**
 * Reads deliveries for the worker. The relay hands over the rows it has just queued, so that
 * a job taken by this process finds its delivery in memory (one read per relay batch, not one
 * per job); anything else is read in batched queries shared by concurrent jobs. Reading
 * without a lock is safe: the claim is the guard of the closing statement.
 */
@Injectable()
export class DeliveryReader {
  /** Oldest first (insertion order), with when each was kept. */
  private readonly prefetched = new Map<string, { row: WorkDelivery; at: number }>();
  private prefetchedChars = 0;
  private readonly reads = new Batcher<string, WorkDelivery | undefined>({
    maxBatch: 64,
    maxParallel: 2,
    run: (ids) => this.readMany(ids),
    // A malformed id fails alone; an unavailable database fails them all.
    isolate: isWorthIsolating,
  });

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** The delivery, or undefined when there is none with this id. */
  async load(id: string): Promise<WorkDelivery | undefined> {
    const prefetched = this.prefetched.get(id);
    if (prefetched) {
      this.forget(prefetched.row);
      return prefetched.row;
    }
    return this.reads.submit(id);
  }

  /**
   * Keeps rows just read elsewhere (by the relay) while there is room. When full, the newest
   * are not kept: jobs are taken roughly oldest first, so the oldest are the ones asked for
   * next.
   */
  remember(rows: PrefetchRow[], now = Date.now()): void {
    for (const { row, at } of this.prefetched.values()) {
      if (now - at < PREFETCH_TTL_MS) break;
      this.forget(row);
    }
    for (const { complete, ...row } of rows) {
      const chars = row.body?.length ?? 0;
      if (
        !complete ||
        this.prefetched.has(row.id) ||
        this.prefetched.size >= PREFETCH_MAX_ENTRIES ||
        this.prefetchedChars + chars > PREFETCH_MAX_CHARS
      ) {
        continue;
      }
      this.prefetched.set(row.id, { row, at: now });
      this.prefetchedChars += chars;
    }
  }

  private forget(row: WorkDelivery): void {
    this.prefetched.delete(row.id);
    this.prefetchedChars -= row.body?.length ?? 0;
  }

  private async readMany(ids: string[]): Promise<(WorkDelivery | undefined)[]> {
    const result = await pgPoolOf(this.dataSource).query(
      prepared(`SELECT ${WORK_COLUMNS} FROM deliveries WHERE id = ANY($1::uuid[])`, [ids], {
        binary: true,
      }),
    );
    const byId = new Map((result.rows as WorkDelivery[]).map((row) => [row.id, row]));
    return ids.map((id) => byId.get(id));
  }
}
