import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Pool, PoolClient } from 'pg';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../config/config';
import { Batcher } from './batcher';
import { pgPoolOf, prepared } from './pg-pool';
import { shiftPlaceholders } from './sql';
import { isTransientError, isWorthIsolating, sqlStateOf } from './transient-errors';

/** What the record writers need of a unit of work. */
export interface SqlSession {
  /** Runs now, inside the unit's transaction (opened on first use); gives the rows. */
  query<T>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  /**
   * Queues a write whose result nobody needs; it is sent with the closing statement. `table`
   * is the table it writes: two deferred writes to one table never share a statement (one
   * statement must not touch a row twice), so the earlier one runs on its own, before it.
   * `insertOrIgnore` marks an `INSERT … ON CONFLICT DO NOTHING`: the only kind of write that may
   * share a statement with other units' writes to the same table (group commit).
   */
  defer(
    table: string,
    sql: string,
    params: readonly unknown[],
    options?: { insertOrIgnore?: boolean },
  ): void;
}

export interface Statement {
  sql: string;
  params: readonly unknown[];
}

interface DeferredWrite extends Statement {
  table: string;
  insertOrIgnore: boolean;
}

/** What a unit sends last: its guard (a claim that must RETURN a row) and its deferred writes. */
interface ClosingWork {
  guard: Statement;
  deferred: DeferredWrite[];
}

/** SQLSTATE raised by hookyard_require_rows (migration 0004). */
const GUARD_FAILED = 'HYK01';

/** Closing statements of different units written together in one statement. */
const MAX_UNITS_PER_STATEMENT = 32;
/** Shapes of closing work that get a group of their own; others close alone. */
const MAX_GROUPS = 64;

/**
 * Units with the same key may close in one statement: the same guard and the same deferred
 * statements, all of them inserts that ignore conflicts. Anything else could touch one row
 * twice in one statement (an upsert fails on it, a plain UPDATE silently loses one), so it
 * closes alone. One shape per group also keeps the statement texts, and so the prepared
 * statements, few.
 */
function groupKeyOf(work: ClosingWork): string | undefined {
  if (!work.deferred.every((write) => write.insertOrIgnore)) return undefined;
  return [work.guard.sql, ...work.deferred.map((write) => write.sql)].join('\u0000');
}

function isGuardFailure(error: unknown): boolean {
  return sqlStateOf(error) === GUARD_FAILED;
}

/**
 * ONE statement for the closing work of one or more units: every guard and every deferred
 * write as a data-modifying CTE. It fails as a whole (and so keeps nothing) unless every
 * guard returned a row.
 */
function closingStatement(works: ClosingWork[]): Statement {
  const params: unknown[] = [
    works.length,
    works.length === 1 ? 'the guard found nothing' : 'a guard found nothing',
  ];
  const parts: string[] = [];
  const claims: string[] = [];
  works.forEach((work, u) => {
    parts.push(`g${u} AS (${shiftPlaceholders(work.guard.sql, params.length)})`);
    params.push(...work.guard.params);
    claims.push(`(SELECT 1 FROM g${u} LIMIT 1)`);
    work.deferred.forEach((statement, w) => {
      parts.push(`w${u}_${w} AS (${shiftPlaceholders(statement.sql, params.length)})`);
      params.push(...statement.params);
    });
  });
  const sql =
    `WITH ${parts.join(',\n')}\n` +
    `SELECT hookyard_require_rows(count(*), $1, $2) FROM (${claims.join(' UNION ALL ')}) AS claimed`;
  return { sql, params };
}

/**
 * Closes units of work with group commit: units that close while other closing statements are
 * in flight are written together in one statement, one round trip and one commit. A failed
 * group is retried unit by unit, so that a unit whose guard found nothing, or whose write
 * is refused, fails alone.
 */
@Injectable()
export class UnitsOfWork {
  private readonly groups = new Map<string, Batcher<ClosingWork, boolean>>();
  private readonly maxParallel: number;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    config: AppConfig,
  ) {
    this.maxParallel = Math.min(4, Math.max(1, config.databasePoolSize - 2));
  }

  begin(): UnitOfWork {
    return new UnitOfWork(pgPoolOf(this.dataSource), (work) => this.closeTogether(work));
  }

  private async closeTogether(work: ClosingWork): Promise<boolean> {
    const key = groupKeyOf(work);
    let group = key === undefined ? undefined : this.groups.get(key);
    if (key !== undefined && group === undefined && this.groups.size < MAX_GROUPS) {
      group = new Batcher({
        maxBatch: MAX_UNITS_PER_STATEMENT,
        maxParallel: this.maxParallel,
        run: (works) => this.close(works),
        // A unit that fails (its guard, its input, a lost lock race) fails alone; an
        // unavailable database fails them all.
        isolate: isWorthIsolating,
      });
      this.groups.set(key, group);
    }
    return group ? group.submit(work) : (await this.close([work]))[0];
  }

  private async close(works: ClosingWork[]): Promise<boolean[]> {
    const statement = closingStatement(works);
    try {
      await pgPoolOf(this.dataSource).query(prepared(statement.sql, statement.params));
      return works.map(() => true);
    } catch (error) {
      // One unit's guard: every other unit of the group is retried alone, this one fails.
      if (works.length === 1 && isGuardFailure(error)) return [false];
      throw error;
    }
  }
}

/**
 * One transaction in as few round trips as the work allows. Reads and writes whose result is
 * needed (a generated id) run at once; the first of them opens the transaction. Writes whose
 * result nobody needs are deferred and go to the server with the closing guard (the claim), as
 * data-modifying CTEs of ONE statement. When nothing had to run at once, that statement is
 * the whole unit, and it joins the closing statements of other units (group commit).
 *
 * Placeholders must be written `$1`, `$2`, ... and never appear inside string literals.
 */
export class UnitOfWork implements SqlSession {
  private client?: PoolClient;
  private readonly deferred: DeferredWrite[] = [];
  private done = false;

  constructor(
    private readonly pool: Pool,
    private readonly closeTogether: (work: ClosingWork) => Promise<boolean>,
  ) {}

  async query<T>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    if (this.done) throw new Error('this unit of work has already ended');
    const client = await this.transaction();
    const result = await client.query(prepared(sql, params));
    return result.rows as T[];
  }

  defer(
    table: string,
    sql: string,
    params: readonly unknown[],
    options: { insertOrIgnore?: boolean } = {},
  ): void {
    if (this.done) throw new Error('this unit of work has already ended');
    this.deferred.push({ table, sql, params, insertOrIgnore: options.insertOrIgnore ?? false });
  }

  /**
   * Sends the deferred writes with `guard`, a statement that must RETURN at least one row (a
   * claim), and commits. When the guard returns nothing, nothing of the unit is kept and this
   * answers false.
   */
  async commit(guard: Statement): Promise<boolean> {
    if (this.done) throw new Error('this unit of work has already ended');
    this.done = true;
    try {
      await this.runSeparatelyWhereTablesRepeat();
      const work: ClosingWork = { guard, deferred: [...this.deferred] };
      if (!this.client) return await this.closeTogether(work);
      const statement = closingStatement([work]);
      await this.client.query(prepared(statement.sql, statement.params));
      await this.client.query('COMMIT');
      this.release();
      return true;
    } catch (error) {
      await this.rollback(error);
      if (isGuardFailure(error)) return false;
      throw error;
    }
  }

  /**
   * Ends the unit without keeping anything (safe to call after commit). After a connection
   * failure or a timeout (`cause`), the connection is closed rather than given back to the
   * pool, where a late answer could reach its next user.
   */
  async rollback(cause?: unknown): Promise<void> {
    this.done = true;
    const client = this.client;
    if (!client) return;
    if (cause !== undefined && isTransientError(cause) && !isWorthIsolating(cause)) {
      this.release(cause instanceof Error ? cause : new Error('the connection failed'));
      return;
    }
    try {
      await client.query('ROLLBACK');
      this.release();
    } catch (error) {
      // A connection that cannot roll back is not given back to the pool.
      this.release(error instanceof Error ? error : new Error(String(error)));
    }
  }

  private release(error?: Error): void {
    const client = this.client;
    this.client = undefined;
    client?.release(error);
  }

  private async transaction(): Promise<PoolClient> {
    if (this.client) return this.client;
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
    } catch (error) {
      client.release(error instanceof Error ? error : true);
      throw error;
    }
    this.client = client;
    return client;
  }

  /** Of deferred writes to one table, all but the last run now, in order. */
  private async runSeparatelyWhereTablesRepeat(): Promise<void> {
    const lastIndex = new Map<string, number>();
    this.deferred.forEach((statement, index) => lastIndex.set(statement.table, index));
    if (lastIndex.size === this.deferred.length) return;
    const keep: DeferredWrite[] = [];
    for (const [index, statement] of this.deferred.entries()) {
      if (lastIndex.get(statement.table) === index) {
        keep.push(statement);
      } else {
        const client = await this.transaction();
        await client.query(prepared(statement.sql, statement.params));
      }
    }
    this.deferred.splice(0, this.deferred.length, ...keep);
  }
}
