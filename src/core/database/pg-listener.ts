import { Logger } from '@nestjs/common';
import { Client } from 'pg';
import { messageOf } from '../errors/message-of';

export interface PgListenerOptions {
  connectionString: string;
  /** A plain identifier (it is written into LISTEN as is). */
  channel: string;
  /** What it listens for, in log lines ("outbox listener"). */
  what: string;
  /** What still works while it is not connected, for the log line. */
  fallback: string;
  onNotification(payload: string | undefined): void;
  /** Called on every (re)connection: notifications sent while disconnected are lost. */
  onListening(): void;
  logger: Logger;
  retryMs?: number;
}

/**
 * One connection LISTENing on a PostgreSQL channel, reconnecting by itself. Notifications are
 * a shortcut, never the only path: whoever uses one keeps a fallback (a sweep, a cache TTL)
 * and catches up in onListening.
 */
export class PgListener {
  private client?: Client;
  private retryTimer?: NodeJS.Timeout;
  private stopped = false;

  constructor(private readonly options: PgListenerOptions) {
    if (!/^[a-z_][a-z0-9_]*$/.test(options.channel)) {
      throw new Error(`not a plain channel name: ${options.channel}`);
    }
  }

  async start(): Promise<void> {
    if (this.stopped) return;
    const { logger, what } = this.options;
    const client = new Client({ connectionString: this.options.connectionString });
    client.on('notification', (message) => this.options.onNotification(message.payload));
    client.on('error', (error) => {
      logger.warn(`${what} lost (${error.message}); reconnecting`);
      if (this.client === client) this.client = undefined;
      void client.end().catch((endError: unknown) => this.endFailed(endError));
      this.retry();
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${this.options.channel}`);
      this.client = client;
      this.options.onListening();
    } catch (error) {
      logger.warn(`${what} could not connect (${messageOf(error)}); ${this.options.fallback}`);
      void client.end().catch((endError: unknown) => this.endFailed(endError));
      this.retry();
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch((endError: unknown) => this.endFailed(endError));
  }

  /**
   * Closing a connection that already failed can fail too; the listener is being replaced
   * (or stopped) either way, so this is only worth a debug line.
   */
  private endFailed(error: unknown): void {
    this.options.logger.debug(
      `${this.options.what}: closing the old connection failed (${messageOf(error)})`,
    );
  }

  private retry(): void {
    if (this.stopped) return;
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => void this.start(), this.options.retryMs ?? 1000);
  }
}
