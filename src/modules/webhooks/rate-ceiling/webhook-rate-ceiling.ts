import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';
import { AppConfig } from '../../../config/config';
import { messageOf } from '../../../core/errors/message-of';

const WINDOW_MS = 60_000;
/** A ceiling that cannot be counted within this time lets the webhook through. */
const COMMAND_TIMEOUT_MS = 500;

/**
 * One atomic step per webhook: count it in the source's current one-minute window (the window
 * starts with its first webhook) and return the count and the ms left in the window.
 */
const COUNT = `
local hits = redis.call('INCR', KEYS[1])
if hits == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return { hits, redis.call('PTTL', KEYS[1]) }
`;

export type CeilingVerdict = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/**
 * The per-source webhook rate ceiling, counted in Redis so that every replica shares it. Only
 * sources with a ceiling are counted: the client connects on first use, so an installation
 * without ceilings never opens it. When Redis cannot count (down, slow), the webhook is let
 * through: the ceiling protects the installation, and refusing would lose nothing only if the
 * forge retried, which some do not.
 */
@Injectable()
export class WebhookRateCeiling implements OnApplicationShutdown {
  private readonly logger = new Logger(WebhookRateCeiling.name);
  private readonly redis: Redis;
  private readonly prefix: string;

  constructor(config: AppConfig) {
    this.redis = new Redis(config.redisUrl, {
      lazyConnect: true,
      maxRetriesPerRequest: 1,
      commandTimeout: COMMAND_TIMEOUT_MS,
    });
    this.prefix = `${config.queuePrefix}:webhook-ceiling`;
  }

  async admit(provider: string, slug: string, perMinute: number): Promise<CeilingVerdict> {
    let hits: number;
    let windowLeftMs: number;
    try {
      [hits, windowLeftMs] = (await this.redis.eval(
        COUNT,
        1,
        `${this.prefix}:${provider}/${slug}`,
        String(WINDOW_MS),
      )) as [number, number];
    } catch (error) {
      this.logger.warn(
        `webhook ceiling of ${provider}/${slug} not counted, webhook let through: ${messageOf(error)}`,
      );
      return { allowed: true };
    }
    if (hits <= perMinute) return { allowed: true };
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(windowLeftMs / 1000)) };
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.redis.status === 'wait' || this.redis.status === 'end') {
      this.redis.disconnect();
      return;
    }
    try {
      await this.redis.quit();
    } catch (error) {
      this.logger.warn(`closing the webhook ceiling's Redis connection: ${messageOf(error)}`);
      this.redis.disconnect();
    }
  }
}
