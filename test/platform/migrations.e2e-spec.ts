import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { Migration } from '../../src/core/database/migration';
import { MIGRATIONS } from '../../src/core/database/migrations';
import { runMigrations } from '../../src/core/database/migrator';
import { testEnv } from '../support/test-env';

/** A harmless migration after the real ones, to see `steps` revert only the newest. */
const EXTRA: Migration = {
  id: '9999_migration_probe',
  up: 'CREATE TABLE migration_probe (id integer PRIMARY KEY)',
  down: 'DROP TABLE migration_probe',
};

/** Fails half-way: its first statement must not survive. */
const BROKEN: Migration = {
  id: '9999_broken',
  up: 'CREATE TABLE half_done (id integer); SELECT 1 / 0;',
  down: 'DROP TABLE half_done',
};

const ALL_IDS = MIGRATIONS.map((m) => m.id);

describe('migrations (a fresh PostgreSQL database of its own)', () => {
  const databaseName = `hookyard_migrations_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  let databaseUrl: string;
  let db: Client;

  const admin = async <T>(work: (client: Client) => Promise<T>): Promise<T> => {
    const client = new Client({ connectionString: testEnv('serverUrl') });
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.end();
    }
  };

  const tables = async (): Promise<string[]> =>
    (
      await db.query<{ table_name: string }>(
        `SELECT table_name FROM information_schema.tables
         WHERE table_schema = 'public' ORDER BY table_name`,
      )
    ).rows.map((r) => r.table_name);

  const recorded = async (): Promise<string[]> =>
    (await db.query<{ id: string }>('SELECT id FROM schema_migrations ORDER BY id')).rows.map(
      (r) => r.id,
    );

  const advisoryLocks = async (): Promise<number> =>
    Number(
      (
        await db.query<{ n: string }>(
          `SELECT count(*) AS n FROM pg_locks l JOIN pg_database d ON d.oid = l.database
           WHERE l.locktype = 'advisory' AND d.datname = $1`,
          [databaseName],
        )
      ).rows[0].n,
    );

  beforeAll(async () => {
    await admin((client) => client.query(`CREATE DATABASE ${databaseName}`));
    const url = new URL(testEnv('serverUrl'));
    url.pathname = `/${databaseName}`;
    databaseUrl = url.toString();
    db = new Client({ connectionString: databaseUrl });
    await db.connect();
  });

  afterAll(async () => {
    await db?.end();
    await admin((client) => client.query(`DROP DATABASE IF EXISTS ${databaseName} WITH (FORCE)`));
  });

  it('up applies every migration once, in order; a second up finds nothing to do', async () => {
    expect(await tables()).toEqual([]);
    const first = await runMigrations(databaseUrl, MIGRATIONS);
    expect(first).toEqual({ applied: ALL_IDS, reverted: [] });
    expect(await recorded()).toEqual(ALL_IDS);
    expect(await tables()).toEqual(
      expect.arrayContaining(['deliveries', 'schema_migrations', 'webhook_sources']),
    );
    const constraints = await db.query<{ conname: string }>(
      `SELECT conname FROM pg_constraint WHERE conname = 'deliveries_source_delivery_unique'`,
    );
    expect(constraints.rows).toHaveLength(1);

    const second = await runMigrations(databaseUrl, MIGRATIONS);
    expect(second).toEqual({ applied: [], reverted: [] });
    expect(await recorded()).toEqual(ALL_IDS);
    expect(await advisoryLocks()).toBe(0);
  });

  it('down with steps = MIGRATIONS.length reverts to an empty schema; up again works', async () => {
    const down = await runMigrations(databaseUrl, MIGRATIONS, 'down', MIGRATIONS.length);
    expect(down).toEqual({ applied: [], reverted: [...ALL_IDS].reverse() });
    expect(await tables()).toEqual(['schema_migrations']);
    expect(await recorded()).toEqual([]);
    const indexes = await db.query<{ indexname: string }>(
      `SELECT indexname FROM pg_indexes WHERE schemaname = 'public' AND tablename <> 'schema_migrations'`,
    );
    expect(indexes.rows).toEqual([]);

    const up = await runMigrations(databaseUrl, MIGRATIONS);
    expect(up.applied).toEqual(ALL_IDS);
    expect(await tables()).toEqual(
      expect.arrayContaining(['deliveries', 'schema_migrations', 'webhook_sources']),
    );
    // The schema is usable, not just present.
    await db.query(
      `INSERT INTO deliveries (provider, source, provider_delivery_id, event, content_type, headers, body_size)
       VALUES ('github', 'default', 'm-1', 'push', 'application/json', '{}', 0)`,
    );
    const duplicate = db.query(
      `INSERT INTO deliveries (provider, source, provider_delivery_id, event, content_type, headers, body_size)
       VALUES ('github', 'default', 'm-1', 'push', 'application/json', '{}', 0)`,
    );
    await expect(duplicate).rejects.toThrow(/deliveries_source_delivery_unique/);
  });

  it('5 concurrent runs (replicas starting together) apply each migration exactly once', async () => {
    await runMigrations(databaseUrl, MIGRATIONS, 'down', MIGRATIONS.length);
    expect(await recorded()).toEqual([]);

    const results = await Promise.all(
      Array.from({ length: 5 }, () => runMigrations(databaseUrl, [...MIGRATIONS, EXTRA])),
    );
    const applied = results.flatMap((r) => r.applied).sort();
    expect(applied).toEqual([...ALL_IDS, EXTRA.id].sort());
    // One replica did all the work, in order; the others waited and found nothing to do.
    const workers = results.filter((r) => r.applied.length > 0);
    expect(workers).toHaveLength(1);
    expect(workers[0].applied).toEqual([...ALL_IDS, EXTRA.id]);
    expect(await recorded()).toEqual([...ALL_IDS, EXTRA.id].sort());
    expect(await tables()).toEqual(expect.arrayContaining(['deliveries', 'migration_probe']));
    expect(await advisoryLocks()).toBe(0);
  });

  it('down reverts only the newest `steps` migrations (default 1)', async () => {
    const list = [...MIGRATIONS, EXTRA];
    const one = await runMigrations(databaseUrl, list, 'down');
    expect(one).toEqual({ applied: [], reverted: [EXTRA.id] });
    expect(await tables()).not.toContain('migration_probe');
    expect(await tables()).toContain('deliveries');
    expect(await recorded()).toEqual(ALL_IDS);
  });

  it('a failing migration is rolled back whole, not recorded, and releases the lock', async () => {
    await expect(runMigrations(databaseUrl, [...MIGRATIONS, BROKEN])).rejects.toThrow(
      /division by zero/,
    );
    expect(await tables()).not.toContain('half_done');
    expect(await recorded()).toEqual(ALL_IDS);
    expect(await advisoryLocks()).toBe(0);
    // The next run is not blocked by a lock left behind.
    await expect(runMigrations(databaseUrl, MIGRATIONS)).resolves.toEqual({
      applied: [],
      reverted: [],
    });
  });

  it('refuses a migration list out of order or with a repeated id, before touching anything', async () => {
    const before = await recorded();
    const reversed = [EXTRA, ...MIGRATIONS];
    await expect(runMigrations(databaseUrl, reversed)).rejects.toThrow(/out of order/);
    const repeated = [...MIGRATIONS, MIGRATIONS[MIGRATIONS.length - 1]];
    await expect(runMigrations(databaseUrl, repeated)).rejects.toThrow(/out of order or repeated/);
    await expect(runMigrations(databaseUrl, reversed, 'down', 10)).rejects.toThrow(/out of order/);
    expect(await recorded()).toEqual(before);
    expect(await tables()).not.toContain('migration_probe');
  });
});
