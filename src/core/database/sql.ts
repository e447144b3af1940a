/**
 * The one way SQL is composed here. Values are always bound as `$n` parameters, numbered in
 * the order they are bound; the only text spliced into SQL is code's own (column names, and
 * literals of enums through `sqlLiteral`).
 */

/** Binds values to placeholders. Pass `param` wherever a helper needs to bind a value. */
export class SqlParams {
  readonly params: unknown[];

  constructor(initial: readonly unknown[] = []) {
    this.params = [...initial];
  }

  /** Binds a value and answers its placeholder (`$n`). */
  readonly param = (value: unknown): string => {
    this.params.push(value);
    return `$${this.params.length}`;
  };
}

/** The parameters and the AND-ed WHERE conditions of one query. */
export class SqlQuery extends SqlParams {
  private readonly conditions: string[] = [];

  where(condition: string): this {
    this.conditions.push(condition);
    return this;
  }

  /** Adds `template` with its `?` bound to `value`, when the value is set (not undefined). */
  whereIf(value: unknown, template: string): this {
    if (value !== undefined) this.where(template.replace('?', () => this.param(value)));
    return this;
  }

  get whereSql(): string {
    return this.conditions.length ? this.conditions.join(' AND ') : 'TRUE';
  }
}

/** A SQL string literal of a value the code owns (an enum member), never of input. */
export function sqlLiteral(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** `('a', 'b', …)` for `IN` conditions over values the code owns. */
export function sqlList(values: readonly string[]): string {
  return `(${values.map(sqlLiteral).join(', ')})`;
}

/**
 * `$n` placeholders shifted by `offset`, so that several statements can share one parameter
 * list (their placeholders must not appear inside string literals).
 */
export function shiftPlaceholders(sql: string, offset: number): string {
  if (offset === 0) return sql;
  return sql.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + offset}`);
}

/** An ILIKE pattern matching `text` anywhere, with LIKE's wildcards taken literally. */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, '\\$&')}%`;
}

/** What a named column may be given: never `undefined` (write `?? null`). */
export type SqlValue =
  string | number | boolean | Date | Buffer | null | readonly string[] | readonly number[];

/**
 * An INSERT whose columns are named once: the statement text is built when the module loads
 * (so it is the same text every time, for prepared statements and group commit), and
 * `paramsOf` lays a row out in the same order. A row must give every column and nothing else,
 * so SQL text and parameters cannot drift apart.
 */
export interface NamedInsert<Column extends string> {
  readonly sql: string;
  paramsOf(row: Record<Column, SqlValue>): SqlValue[];
}

/**
 * `INSERT INTO table (c1, c2, …) VALUES ($1, $2, …) <tail>`; `tail` is the ON CONFLICT /
 * RETURNING part (it may refer to `excluded.` and the table's columns, and binds nothing).
 */
export function namedInsert<const Column extends string>(
  table: string,
  columns: readonly Column[],
  tail: string,
): NamedInsert<Column> {
  const placeholders = columns.map((_, i) => `$${i + 1}`).join(', ');
  const sql = `INSERT INTO ${table} (${columns.join(', ')})\nVALUES (${placeholders})\n${tail}`;
  return { sql, paramsOf: (row) => columns.map((column) => row[column]) };
}
