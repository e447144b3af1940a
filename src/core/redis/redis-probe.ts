import Redis from 'ioredis';
import { redactUrl } from './redact-url';
import { messageOf } from '../errors/message-of';

export class RedisUnreachableError extends Error {}

/** Fails fast, with one line that says how to start Redis, when REDIS_URL does not answer. */
export async function assertRedisReachable(url: string, timeoutMs = 3000): Promise<void> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.ping();
  } catch (error) {
    const reason = messageOf(error);
    throw new RedisUnreachableError(
      `Redis is not reachable at ${redactUrl(url)} (${reason}). Start one with ` +
        '`redis-server --daemonize yes` (or `docker compose up -d redis`), or set REDIS_URL.',
    );
  } finally {
    client.disconnect();
  }
}
