import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { startEmbeddedPostgres } from '../../src/core/database/embedded-postgres';
import { MIGRATIONS } from '../../src/core/database/migrations';
import { runMigrations } from '../../src/core/database/migrator';
import { assertRedisReachable } from '../../src/core/redis/redis-probe';
import { TEST_ENV } from './test-env';

declare global {
  var __hookyardStopEmbedded: (() => Promise<void>) | undefined;
}

/**
 * One fresh database and one Redis key prefix per test run, so that runs never see each
 * other's data. PostgreSQL: DATABASE_URL's server, else an embedded one in a temp dir.
 */
export default async function globalSetup(): Promise<void> {
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  await assertRedisReachable(redisUrl);
  let serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    const dir = mkdtempSync(join(tmpdir(), 'hookyard-test-pg-'));
    // PostgreSQL runs as its own user when we are root: it must be able to enter the folder.
    chmodSync(dir, 0o755);
    const embedded = await startEmbeddedPostgres(dir, () => undefined);
    globalThis.__hookyardStopEmbedded = embedded.stop;
    serverUrl = embedded.url;
  }
  const suffix = `${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const databaseName = `hookyard_test_${suffix}`;
  const admin = new Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${databaseName}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${databaseName}`;
  await runMigrations(url.toString(), MIGRATIONS);

  process.env[TEST_ENV.serverUrl] = serverUrl;
  process.env[TEST_ENV.databaseName] = databaseName;
  process.env[TEST_ENV.databaseUrl] = url.toString();
  process.env[TEST_ENV.queuePrefix] = `hookyard-test-${suffix}`;
  process.env[TEST_ENV.redisUrl] = redisUrl;
}
