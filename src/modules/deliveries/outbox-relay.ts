import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../config/config';
import { messageOf } from '../../core/errors/message-of';
import { PgListener } from '../../core/database/pg-listener';
import { pgPoolOf, prepared } from '../../core/database/pg-pool';
import { sqlLiteral } from '../../core/database/sql';
import { JobName } from '../../core/jobs/job-catalogue';
import { JobsService } from '../../core/jobs/jobs.service';
import { DeliveryReader, PREFETCH_COLUMNS, PrefetchRow } from './delivery-reader';
import { DeliveryStatus } from './delivery-status';

/** The channel the delivery INSERT notifies on commit. */
export const OUTBOX_CHANNEL = 'hookyard_outbox';
/** Small enough that a batch (its rows, its jobs) never holds the event loop for long. */
const RECEIVED = sqlLiteral(DeliveryStatus.Received);
const QUEUED = sqlLiteral(DeliveryStatus.Queued);
const BATCH = 100;
const RETRY_MS = 1000;

/**
 * Moves committed deliveries (status `received`) into BullMQ. It runs beside the workers,
 * not in the API: the API's answer depends on PostgreSQL alone, and Redis trouble never
 * slows ingest. The INSERT notifies OUTBOX_CHANNEL on commit, so the relay wakes at once;
 * the periodic sweep wakes it too, covering a missed notification.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(OutboxRelay.name);
  private listener?: PgListener;
  private draining?: Promise<void>;
  private again = false;
  private stopped = false;
  private retryTimer?: NodeJS.Timeout;

  constructor(
    private readonly config: AppConfig,
    private readonly jobs: JobsService,
    private readonly reader: DeliveryReader,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.runsWorkers) return;
    if (this.config.databaseUrl) {
      this.listener = new PgListener({
        connectionString: this.config.databaseUrl,
        channel: OUTBOX_CHANNEL,
        what: 'outbox listener',
        fallback: 'the sweep still relays',
        onNotification: () => this.kick(),
        // Rows committed while it was not listening: drain them now.
        onListening: () => this.kick(),
        logger: this.logger,
        retryMs: RETRY_MS,
      });
      await this.listener.start();
    }
    this.kick();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    await this.draining;
    await this.listener?.stop();
  }

  /** Asks for a drain of the outbox soon; never throws, never waits. */
  kick(): void {
    if (this.stopped) return;
    if (this.draining) {
      this.again = true;
      return;
    }
    this.draining = this.drain().finally(() => {
      this.draining = undefined;
    });
  }

  /** Waits for the current drain (tests and the sweep use it). */
  async settled(): Promise<void> {
    while (this.draining) await this.draining;
  }

  /** Queues these deliveries now (replay, lost jobs). Throws when Redis or the database fails. */
  async relay(deliveryIds: string[]): Promise<void> {
    if (deliveryIds.length === 0) return;
    await this.jobs.enqueueBulk(
      JobName.ProcessDelivery,
      deliveryIds.map((deliveryId) => ({ deliveryId })),
    );
    await this.dataSource.query(
      `UPDATE deliveries SET status = ${QUEUED}, queued_at = now(), updated_at = now()
       WHERE id = ANY($1::uuid[]) AND status = ${RECEIVED}`,
      [deliveryIds],
    );
  }

  private async drain(): Promise<void> {
    try {
      do {
        this.again = false;
        while ((await this.relayBatch()) === BATCH && !this.stopped) {
          // a full batch: there may be more
        }
      } while (this.again && !this.stopped);
    } catch (error) {
      this.logger.warn(`outbox relay failed, retrying in ${RETRY_MS} ms: ${messageOf(error)}`);
      this.retryTimer = setTimeout(() => this.kick(), RETRY_MS);
    }
  }

  /**
   * One batch, marked `queued` and committed in one statement before it is enqueued: a worker
   * that takes a job at once must not wait on this relay's row locks. SKIP LOCKED lets several
   * relays share the work; a job enqueued twice is harmless anyway (job id = delivery id). If
   * enqueueing fails, the batch goes back to `received` for the next drain; if this process dies
   * first, the sweep finds the `queued` deliveries that have no job and queues them again.
   */
  private async relayBatch(): Promise<number> {
    const result = await pgPoolOf(this.dataSource).query(
      prepared(
        `UPDATE deliveries SET status = ${QUEUED}, queued_at = now(), updated_at = now()
         WHERE id IN (SELECT id FROM deliveries WHERE status = ${RECEIVED}
                      ORDER BY received_at LIMIT $1 FOR UPDATE SKIP LOCKED)
         RETURNING ${PREFETCH_COLUMNS}`,
        [BATCH],
        { binary: true },
      ),
    );
    const rows = result.rows as PrefetchRow[];
    if (rows.length === 0) return 0;
    // The jobs are about to be taken, most likely by this process: spare them the read.
    this.reader.remember(rows);
    const ids = rows.map((r) => r.id);
    try {
      await this.jobs.enqueueBulk(
        JobName.ProcessDelivery,
        ids.map((deliveryId) => ({ deliveryId })),
      );
    } catch (error) {
      // Back to `received` for the next drain. If that fails too (the database is down), the
      // sweep finds the `queued` rows without a job and queues them again.
      await this.dataSource
        .query(
          `UPDATE deliveries SET status = ${RECEIVED}, queued_at = NULL, updated_at = now()
           WHERE id = ANY($1::uuid[]) AND status = ${QUEUED}`,
          [ids],
        )
        .catch((reset: unknown) => {
          this.logger.warn(
            `outbox relay: ${ids.length} deliveries left queued without a job (${messageOf(reset)}); the sweep will queue them`,
          );
        });
      throw error;
    }
    return ids.length;
  }
}
