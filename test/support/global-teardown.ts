import { Client } from 'pg';
import { deleteKeys } from './harness';
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
