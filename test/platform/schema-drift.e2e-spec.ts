import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Client } from 'pg';
import { DataSource, EntityMetadata, getMetadataArgsStorage } from 'typeorm';
import { startIsolatedApp } from '../support/isolated-app';
import { TestApp } from '../support/test-app';

/**
 * Indexes on expressions (TypeORM's @Index names columns only) are declared on the entity with
 * `synchronize: false` and their SQL in the entity's static `expressionIndexes`.
 */
interface WithExpressionIndexes {
  expressionIndexes?: Record<string, string>;
}

/** Bookkeeping of the migrator itself: it exists before TypeORM connects and is not the app's. */
const MIGRATOR_TABLES = ['schema_migrations'];

const SRC = join(__dirname, '..', '..', 'src');

function entityFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entityFiles(path);
    return /\.entit(y|ies)\.ts$/.test(entry.name) ? [path] : [];
  });
}

/**
 * The hand-written migrations and the TypeORM entities describe the same schema: on a freshly
 * migrated database, TypeORM's schema builder (what `synchronize` would run) has nothing to do,
 * and every table has exactly one entity, registered by a module of the running app.
 */
describe('schema drift: migrations and entities agree', () => {
  let databaseUrl: string;
  let app: TestApp;
  let dataSource: DataSource;
  let close: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    ({ app, databaseUrl, close } = await startIsolatedApp({ ROLE: 'api' }));
    dataSource = app.dataSource;
  });

  afterAll(async () => {
    await close?.();
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

  /**
   * The schema builder compares indexes by name, columns (as a set) and uniqueness, and checks
   * by name only. Here PostgreSQL itself normalises what the entities declare: each index and
   * check is created again from the entity metadata under a probe name, in a transaction that
   * is rolled back, and its definition must equal the migrated one — column order, partial
   * WHERE and CHECK expression included. Only `DESC` is left out: @Index has no direction.
   */
  it('indexes (column order, partial WHERE) and CHECK expressions match the SQL exactly', async () => {
    const db = new Client({ connectionString: databaseUrl });
    await db.connect();
    const mismatches: string[] = [];
    const definitionOf = async (sql: string, params: unknown[]): Promise<string | undefined> =>
      (await db.query<{ def: string }>(sql, params)).rows[0]?.def;
    const indexDef = (name: string) =>
      definitionOf(
        `SELECT pg_get_indexdef(c.oid) AS def FROM pg_class c
         JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = 'public' AND c.relname = $1`,
        [name],
      );
    const checkDef = (table: string, name: string) =>
      definitionOf(
        `SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint
         WHERE conrelid = $1::regclass AND conname = $2`,
        [table, name],
      );
    const probeIndexSql = (metadata: EntityMetadata, index: EntityMetadata['indices'][number]) => {
      const expression = (metadata.target as WithExpressionIndexes).expressionIndexes?.[index.name];
      if (!index.synchronize) {
        if (!expression) throw new Error(`${index.name}: synchronize: false without its SQL`);
        return expression.replace(/INDEX\s+\S+\s+ON/i, 'INDEX drift_probe ON');
      }
      const columns = index.columns.map((c) => `"${c.databaseName}"`).join(', ');
      const where = index.where ? ` WHERE ${index.where}` : '';
      return `CREATE ${index.isUnique ? 'UNIQUE ' : ''}INDEX drift_probe ON "${metadata.tableName}" (${columns})${where}`;
    };
    try {
      await db.query('BEGIN');
      for (const metadata of dataSource.entityMetadatas) {
        for (const index of metadata.indices) {
          const migrated = (await indexDef(index.name))?.replaceAll(' DESC', '');
          await db.query('SAVEPOINT probe');
          await db.query(probeIndexSql(metadata, index));
          const declared = (await indexDef('drift_probe'))?.replace('drift_probe', index.name);
          await db.query('ROLLBACK TO SAVEPOINT probe');
          if (migrated !== declared) mismatches.push(`${index.name}: ${migrated} <> ${declared}`);
        }
        for (const check of metadata.checks) {
          const migrated = await checkDef(metadata.tableName, check.name);
          await db.query('SAVEPOINT probe');
          await db.query(
            `ALTER TABLE "${metadata.tableName}" ADD CONSTRAINT drift_probe CHECK (${check.expression}) NOT VALID`,
          );
          const declared = (await checkDef(metadata.tableName, 'drift_probe'))?.replace(
            ' NOT VALID',
            '',
          );
          await db.query('ROLLBACK TO SAVEPOINT probe');
          if (migrated !== declared) mismatches.push(`${check.name}: ${migrated} <> ${declared}`);
        }
        for (const unique of metadata.uniques) {
          const migrated = await definitionOf(
            `SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint
             WHERE conrelid = $1::regclass AND conname = $2 AND contype = 'u'`,
            [metadata.tableName, unique.name],
          );
          const declared = `UNIQUE (${unique.columns.map((c) => c.databaseName).join(', ')})`;
          if (migrated !== declared) mismatches.push(`${unique.name}: ${migrated} <> ${declared}`);
        }
      }
    } finally {
      await db.query('ROLLBACK');
      await db.end();
    }
    expect(mismatches).toEqual([]);
  });

  it('every entity in a *.entity.ts / *.entities.ts under src/ is registered (TypeOrmModule.forFeature) by some module', async () => {
    const files = entityFiles(SRC);
    for (const file of files) await import(file);
    const declared = getMetadataArgsStorage()
      .tables.filter((t) => t.type === 'regular')
      .map((t) => t.target)
      .filter((target): target is new () => unknown => typeof target === 'function');
    const registered = new Set(dataSource.entityMetadatas.map((m) => m.target));
    const unregistered = declared.filter((target) => !registered.has(target)).map((t) => t.name);
    expect(unregistered).toEqual([]);
    // Some files hold several entity classes (a table and its satellites): every @Entity found in
    // those files is one declared entity, and no entity class lives outside them.
    const perFile = files.map((f) => ({
      file: relative(SRC, f),
      entities: (readFileSync(f, 'utf8').match(/^@Entity\(/gm) ?? []).length,
    }));
    expect(perFile.reduce((sum, f) => sum + f.entities, 0)).toBe(declared.length);
  });
});
