import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { MIGRATIONS } from '../../src/core/database/migrations';
import { runMigrations } from '../../src/core/database/migrator';
import { startTestApp, TestApp } from './test-app';
import { testEnv } from './test-env';

/**
 * An app on a database of its own (created and migrated here): for a spec whose answers take in
 * every row of a table (two apps sharing one database would analyse each other's jobs; a
 * listing of the newest rows would show other suites' ones).
 */
export async function startIsolatedApp(env: Record<string, string>): Promise<{
  app: TestApp;
  databaseUrl: string;
  close: () => Promise<void>;
}> {
  const name = `hookyard_isolated_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const admin = async (sql: string) => {
    const client = new Client({ connectionString: testEnv('serverUrl') });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(testEnv('serverUrl'));
  url.pathname = `/${name}`;
  await runMigrations(url.toString(), MIGRATIONS);
  const app = await startTestApp({ ...env, DATABASE_URL: url.toString() });
  return {
    app,
    databaseUrl: url.toString(),
    close: async () => {
      await app.close();
      await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}
