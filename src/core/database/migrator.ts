import { Client } from 'pg';
import { Migration } from './migration';

/** Arbitrary constant shared by every replica: only one of them migrates at a time. */
const MIGRATION_LOCK_KEY = 740_213_977;

export type MigrationDirection = 'up' | 'down';

export interface MigrationResult {
  applied: string[];
  reverted: string[];
}

/**
 * Applies pending migrations (or reverts the newest `steps`) under a session-level advisory
 * lock, so several replicas starting together migrate once and the others wait and find
 * nothing to do.
 */
export async function runMigrations(
  databaseUrl: string,
  migrations: readonly Migration[],
  direction: MigrationDirection = 'up',
  steps = 1,
): Promise<MigrationResult> {
  assertOrdered(migrations);
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  const result: MigrationResult = { applied: [], reverted: [] };
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    await client.query(
      `CREATE TABLE IF NOT EXISTS schema_migrations (
         id text PRIMARY KEY,
         applied_at timestamptz NOT NULL DEFAULT now()
       )`,
    );
    const done = new Set(
      (await client.query<{ id: string }>('SELECT id FROM schema_migrations')).rows.map(
        (r) => r.id,
      ),
    );
    if (direction === 'up') {
      for (const migration of migrations.filter((m) => !done.has(m.id))) {
        await inTransaction(client, async () => {
          await client.query(migration.up);
          await client.query('INSERT INTO schema_migrations (id) VALUES ($1)', [migration.id]);
        });
        result.applied.push(migration.id);
      }
    } else {
      const newestFirst = migrations.filter((m) => done.has(m.id)).reverse();
      for (const migration of newestFirst.slice(0, steps)) {
        await inTransaction(client, async () => {
          await client.query(migration.down);
          await client.query('DELETE FROM schema_migrations WHERE id = $1', [migration.id]);
        });
        result.reverted.push(migration.id);
      }
    }
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => null);
    await client.end();
  }
  return result;
}

async function inTransaction(client: Client, work: () => Promise<void>): Promise<void> {
  await client.query('BEGIN');
  try {
    await work();
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  }
}

function assertOrdered(migrations: readonly Migration[]): void {
  for (let i = 1; i < migrations.length; i++) {
    if (migrations[i - 1].id >= migrations[i].id) {
      throw new Error(`Migrations out of order or repeated: ${migrations[i].id}`);
    }
  }
}
