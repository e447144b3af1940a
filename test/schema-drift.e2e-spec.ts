import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Client } from 'pg';
import { DataSource, getMetadataArgsStorage } from 'typeorm';
import { MIGRATIONS } from '../src/core/database/migrations';
import { runMigrations } from '../src/core/database/migrator';
import { startTestApp, TestApp } from './support/test-app';
import { testEnv } from './support/test-env';

/** Bookkeeping of the migrator itself: it exists before TypeORM connects and is not the app's. */
const MIGRATOR_TABLES = ['schema_migrations'];

const SRC = join(__dirname, '..', 'src');

function entityFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entityFiles(path);
    return entry.name.endsWith('.entity.ts') ? [path] : [];
  });
}

/**
 * The hand-written migrations and the TypeORM entities describe the same schema: on a freshly
 * migrated database, TypeORM's schema builder (what `synchronize` would run) has nothing to do,
 * and every table has exactly one entity, registered by a module of the running app.
 */
describe('schema drift: migrations and entities agree', () => {
  const databaseName = `hookyard_drift_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  let databaseUrl: string;
  let app: TestApp;
  let dataSource: DataSource;

  const admin = async (sql: string): Promise<void> => {
    const client = new Client({ connectionString: testEnv('serverUrl') });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };

  beforeAll(async () => {
    await admin(`CREATE DATABASE ${databaseName}`);
    const url = new URL(testEnv('serverUrl'));
    url.pathname = `/${databaseName}`;
    databaseUrl = url.toString();
    await runMigrations(databaseUrl, MIGRATIONS);
    app = await startTestApp({ DATABASE_URL: databaseUrl, ROLE: 'api' });
    dataSource = app.dataSource;
  });

  afterAll(async () => {
    await app?.close();
    await admin(`DROP DATABASE IF EXISTS ${databaseName} WITH (FORCE)`);
  });

  it('the schema builder finds nothing to change', async () => {
    const sql = await dataSource.driver.createSchemaBuilder().log();
    expect(sql.upQueries.map((q) => q.query)).toEqual([]);
  });

  it('every migrated table has an entity registered in the app', async () => {
    const tables = await dataSource.query<{ table_name: string }[]>(
      `SELECT table_name FROM information_schema.tables
       WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name`,
    );
    const migrated = tables
      .map((r) => r.table_name)
      .filter((name) => !MIGRATOR_TABLES.includes(name));
    const described = dataSource.entityMetadatas.map((m) => m.tableName).sort();
    expect(described).toEqual(migrated);
  });

  it('every *.entity.ts under src/ is registered (TypeOrmModule.forFeature) by some module', () => {
    const files = entityFiles(SRC);
    for (const file of files) require(file);
    const declared = getMetadataArgsStorage()
      .tables.filter((t) => t.type === 'regular')
      .map((t) => t.target)
      .filter((target): target is new () => unknown => typeof target === 'function');
    const registered = new Set(dataSource.entityMetadatas.map((m) => m.target));
    const unregistered = declared.filter((target) => !registered.has(target)).map((t) => t.name);
    expect(unregistered).toEqual([]);
    expect(files.map((f) => relative(SRC, f)).length).toBe(declared.length);
  });
});
