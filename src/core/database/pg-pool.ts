import { createHash } from 'node:crypto';
import { Pool, QueryConfig } from 'pg';
import { DataSource } from 'typeorm';

/**
 * The node-postgres pool under TypeORM's PostgreSQL driver, for the hot paths that need what
 * TypeORM's `query` cannot pass on: named (prepared) statements. Same pool, same limits.
 */
export function pgPoolOf(dataSource: DataSource): Pool {
  const pool = (dataSource.driver as unknown as { master?: unknown }).master;
  if (!(pool instanceof Pool)) {
    throw new Error('the database connection is not initialised (no PostgreSQL pool)');
  }
  return pool;
}

/**
 * Most statement texts this process prepares. A prepared statement stays on each connection
 * until it closes, so only the frequent shapes are worth it; the rest run unnamed.
 */
const MAX_PREPARED = 200;
/** A text is prepared once it has been seen this often. */
const PREPARE_AFTER = 2;

const names = new Map<string, string>();
const sightings = new Map<string, number>();
let enabled = true;

/**
 * Turns prepared statements on or off for this process (DATABASE_PREPARED_STATEMENTS): a
 * connection pooler in transaction mode may hand each statement to another server session,
 * where a statement prepared elsewhere does not exist.
 */
export function usePreparedStatements(on: boolean): void {
  enabled = on;
}

/**
 * A query config that the server parses and plans once per connection when its text recurs
 * (node-postgres sends Parse only the first time a connection sees the name). Planning was a
 * third of the database's time per delivery in the worker.
 */
export function prepared(
  text: string,
  values: readonly unknown[],
  options: { binary?: boolean } = {},
): QueryConfig {
  let name = enabled ? names.get(text) : undefined;
  if (enabled && name === undefined && names.size < MAX_PREPARED) {
    const seen = (sightings.get(text) ?? 0) + 1;
    if (seen >= PREPARE_AFTER) {
      name = `hy_${createHash('sha1').update(text).digest('hex').slice(0, 24)}`;
      names.set(text, name);
      sightings.delete(text);
    } else {
      // Bounded like the names: a stream of one-off texts must not grow it without end.
      if (sightings.size >= MAX_PREPARED * 10) sightings.clear();
      sightings.set(text, seen);
    }
  }
  // `binary` (results in binary format) is a node-postgres option its types do not declare.
  const config: QueryConfig & { binary?: boolean } = { text, values: [...values] };
  if (name !== undefined) config.name = name;
  if (options.binary) config.binary = true;
  return config;
}
