import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, In, Not, Repository } from 'typeorm';
import { rowsOf } from '../../core/database/rows';
import { sqlList, sqlLiteral } from '../../core/database/sql';
import { Statement } from '../../core/database/unit-of-work';
import { DeliveryEntity } from './delivery.entity';
import { DeliveryStatus, FINAL_STATUSES } from './delivery-status';

const FINAL = sqlList(FINAL_STATUSES);
/** Where the sweep looks for deliveries whose job may have been lost. */
const IN_FLIGHT: readonly DeliveryStatus[] = [
  DeliveryStatus.Queued,
  DeliveryStatus.Processing,
  DeliveryStatus.Failed,
];
/** Bodies of these are dropped after RETENTION_BODY_DAYS (dead ones keep theirs for a redrive). */
const BODY_DROPPABLE: readonly DeliveryStatus[] = [
  DeliveryStatus.Processed,
  DeliveryStatus.Ignored,
  DeliveryStatus.Cancelled,
];
/** What an administrator may send to the queue again. */
const REQUEUEABLE: readonly DeliveryStatus[] = [
  DeliveryStatus.Dead,
  DeliveryStatus.Failed,
  DeliveryStatus.Cancelled,
];

/**
 * The worker's claim: the closing statement's guard of a delivery's unit of work (it must
 * RETURN the row, or nothing of the unit is kept). Constant text: prepared once, and units
 * of the same shape are group-committed.
 */
const FINISH = `UPDATE deliveries SET status = $2, attempts = attempts + 1, processed_at = now(),
    last_error = NULL, updated_at = now(),
    action = coalesce(action, $3), repository = coalesce(repository, $4)
  WHERE id = $1 AND status NOT IN ${FINAL}
  RETURNING id`;

export interface QueuedDeliverySummary {
  id: string;
  provider: string;
  event: string;
  status: string;
  attempts: number;
  lastError: string | null;
}

/**
 * The status transitions of stored deliveries after ingest: processing outcomes, replay, the
 * outbox sweep, retention and queue administration. (Ingest is DeliveryStore, the outbox's
 * own statements are OutboxRelay's, the worker's reads are DeliveryReader's.)
 */
@Injectable()
export class DeliveryLifecycleRepository {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectRepository(DeliveryEntity) private readonly deliveries: Repository<DeliveryEntity>,
  ) {}

  /** The guard that finishes a processed delivery (see FINISH). */
  finishStatement(
    id: string,
    status: DeliveryStatus.Processed | DeliveryStatus.Ignored,
    action: string | null,
    repository: string | null,
  ): Statement {
    return { sql: FINISH, params: [id, status, action, repository] };
  }

  /**
   * Counts a failed attempt (its own increment was rolled back with its transaction). A
   * delivery that does not exist, or that someone finished meanwhile, is left alone.
   */
  async recordFailure(
    id: string,
    status: DeliveryStatus.Failed | DeliveryStatus.Dead,
    message: string,
  ): Promise<void> {
    await this.dataSource.query(
      `UPDATE deliveries SET status = $2, last_error = $3, attempts = attempts + 1, updated_at = now()
       WHERE id = $1 AND status NOT IN ${FINAL}`,
      [id, status, message],
    );
  }

  async statusOf(id: string): Promise<DeliveryStatus | undefined> {
    const row = await this.deliveries.findOne({ select: { status: true }, where: { id } });
    return row?.status;
  }

  /** Back to `received`, attempts forgotten, unless a worker holds it right now. */
  async resetForReplay(ids: string[]): Promise<void> {
    await this.deliveries.update(
      { id: In(ids), status: Not(DeliveryStatus.Processing) },
      {
        status: DeliveryStatus.Received,
        attempts: 0,
        lastError: null,
        processedAt: null,
        queuedAt: null,
        checkedAt: null,
        updatedAt: () => 'now()',
      },
    );
  }

  /**
   * In-flight deliveries quiet for longer than `lostAfterMs`, the quietest first (no queueing,
   * no check since); checking moves a row to the back, so every pass makes progress through a
   * backlog. greatest() skips NULLs.
   */
  async quietInFlight(lostAfterMs: number, limit: number): Promise<string[]> {
    const rows = await this.dataSource.query<{ id: string }[]>(
      `SELECT id FROM deliveries
       WHERE status IN ${sqlList(IN_FLIGHT)}
         AND greatest(checked_at, queued_at, received_at) < now() - $1 * interval '1 millisecond'
       ORDER BY greatest(checked_at, queued_at, received_at) LIMIT $2`,
      [lostAfterMs, limit],
    );
    return rows.map((r) => r.id);
  }

  /** In-flight deliveries whose job BullMQ gave up on (a worker died during the last attempt). */
  async markGivenUp(ids: string[]): Promise<void> {
    await this.dataSource.query(
      `UPDATE deliveries SET status = ${sqlLiteral(DeliveryStatus.Dead)}, updated_at = now(),
         last_error = coalesce(last_error, 'the job failed without recording a reason (worker lost)')
       WHERE id = ANY($1::uuid[]) AND status IN ${sqlList(IN_FLIGHT)}`,
      [ids],
    );
  }

  /** The sweep has looked at these (checked_at is not indexed: a HOT update). */
  async markChecked(ids: string[]): Promise<void> {
    await this.dataSource.query(
      `UPDATE deliveries SET checked_at = now() WHERE id = ANY($1::uuid[])`,
      [ids],
    );
  }

  /** How many deliveries wait for the relay, and for how many seconds the oldest has. */
  async outboxBacklog(): Promise<{ pending: number; oldestSeconds: number }> {
    const [row] = await this.dataSource.query<{ pending: string; oldest: number | null }[]>(
      `SELECT count(*) AS pending, extract(epoch FROM now() - min(received_at))::float AS oldest
       FROM deliveries WHERE status = ${sqlLiteral(DeliveryStatus.Received)}`,
    );
    return { pending: Number(row.pending), oldestSeconds: row.oldest ?? 0 };
  }

  /** Drops up to `limit` raw bodies of finished deliveries older than `days`; answers how many. */
  async dropOldBodies(now: Date, days: number, limit: number): Promise<number> {
    const result = await this.dataSource.query<{ id: string }[] | [{ id: string }[], number]>(
      `UPDATE deliveries SET body = NULL, updated_at = now()
       WHERE id IN (SELECT id FROM deliveries
                    WHERE body IS NOT NULL AND status IN ${sqlList(BODY_DROPPABLE)}
                      AND received_at < $1::timestamptz - $2 * interval '1 day'
                    LIMIT $3)
       RETURNING id`,
      [now, days, limit],
    );
    return rowsOf(result).length;
  }

  /** Deletes up to `limit` dead deliveries older than `days`; answers how many. */
  async deleteOldDead(now: Date, days: number, limit: number): Promise<number> {
    const result = await this.dataSource.query<{ id: string }[] | [{ id: string }[], number]>(
      `DELETE FROM deliveries
       WHERE id IN (SELECT id FROM deliveries
                    WHERE status = ${sqlLiteral(DeliveryStatus.Dead)}
                      AND received_at < $1::timestamptz - $2 * interval '1 day'
                    LIMIT $3)
       RETURNING id`,
      [now, days, limit],
    );
    return rowsOf(result).length;
  }

  /** A delivery as the jobs API shows it next to its job. */
  async summary(id: string): Promise<QueuedDeliverySummary | undefined> {
    const row = await this.deliveries.findOne({
      select: {
        id: true,
        provider: true,
        event: true,
        status: true,
        attempts: true,
        lastError: true,
      },
      where: { id },
    });
    if (!row) return undefined;
    return {
      id: row.id,
      provider: row.provider,
      event: row.event,
      status: row.status,
      attempts: row.attempts,
      lastError: row.lastError,
    };
  }

  /** Dead, failed or cancelled deliveries whose jobs an administrator retried: `queued` again. */
  async markRequeued(ids: string[]): Promise<void> {
    await this.deliveries.update(
      { id: In(ids), status: In(REQUEUEABLE) },
      {
        status: DeliveryStatus.Queued,
        queuedAt: () => 'now()',
        processedAt: null,
        updatedAt: () => 'now()',
      },
    );
  }

  /** Cancels the deliveries that have not ended; answers how many were. */
  async cancel(ids: string[], reason: string): Promise<number> {
    const result = await this.deliveries
      .createQueryBuilder()
      .update()
      .set({ status: DeliveryStatus.Cancelled, lastError: reason, updatedAt: () => 'now()' })
      .where({ id: In(ids), status: Not(In(FINAL_STATUSES)) })
      .returning('id')
      .execute();
    return (result.raw as unknown[]).length;
  }
}
