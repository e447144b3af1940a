import Redis from 'ioredis';
import { Client } from 'pg';
import { TEST_ENV } from './test-env';

export default async function globalTeardown(): Promise<void> {
  const serverUrl = process.env[TEST_ENV.serverUrl];
  const databaseName = process.env[TEST_ENV.databaseName];
  if (serverUrl && databaseName) {
    const admin = new Client({ connectionString: serverUrl });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${databaseName} WITH (FORCE)`);
    await admin.end();
  }
  const prefix = process.env[TEST_ENV.queuePrefix];
  const redisUrl = process.env[TEST_ENV.redisUrl];
  if (prefix && redisUrl) await deleteKeys(redisUrl, `${prefix}*`);
  await globalThis.__hookyardStopEmbedded?.();
}

export async function deleteKeys(redisUrl: string, pattern: string): Promise<number> {
  const redis = new Redis(redisUrl);
  let deleted = 0;
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) deleted += await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return deleted;
}
