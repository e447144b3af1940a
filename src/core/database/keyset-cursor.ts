import { AppError, ErrorCode } from '../http/app-error';

/** How a sort key is carried in a cursor and cast back in SQL. */
export type KeyType = 'timestamptz' | 'text' | 'boolean';

export interface SortKey {
  /** A SQL expression that is never NULL (NULLs do not compare in a row comparison). */
  sql: string;
  type: KeyType;
}

export interface KeysetOptions {
  /** Names the listing; a cursor from another listing is rejected. */
  name: string;
  keys: SortKey[];
  /** The unique tie-breaker, a uuid column. */
  id: string;
  direction: 'asc' | 'desc';
}

/** The column `select` adds to every row: the row's position, as text. */
export interface PositionedRow {
  cursor_key: string[];
}

export interface Page<T> {
  rows: T[];
  nextCursor: string | null;
}

export interface KeysetCursor {
  /** SELECT-list entry for the row's position (`… AS cursor_key`). */
  readonly select: string;
  /** ORDER BY body: every key, then the id, in the listing's direction. */
  readonly orderBy: string;
  /**
   * The condition for rows after `cursor`; `param` binds a value and answers its placeholder.
   * Throws a 400 for a cursor this listing did not hand out.
   */
  after(cursor: string, param: (value: unknown) => string): string;
  /** Cuts a `limit + 1` query result to a page and its next cursor. */
  page<T extends PositionedRow>(rows: T[], limit: number): Page<T>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
// Exactly what `select` writes for a timestamp: UTC with microseconds.
const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\.\d{6}Z$/;
const MAX_TEXT_KEY = 2000;

function validKey(type: KeyType, value: string): boolean {
  switch (type) {
    case 'timestamptz': {
      const match = TIMESTAMP.exec(value);
      if (!match) return false;
      const [year, month, day, hour, minute, second] = match.slice(1).map(Number);
      // Only dates PostgreSQL can read back: a real calendar day in years 1–9999.
      const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
      return (
        year >= 1 &&
        date.getUTCFullYear() === year &&
        date.getUTCMonth() === month - 1 &&
        date.getUTCDate() === day &&
        date.getUTCHours() === hour &&
        date.getUTCMinutes() === minute &&
        date.getUTCSeconds() === second
      );
    }
    case 'text':
      return value.length <= MAX_TEXT_KEY && !value.includes('\u0000');
    case 'boolean':
      return value === 'true' || value === 'false';
  }
}

function textOf(key: SortKey): string {
  switch (key.type) {
    case 'timestamptz':
      return `to_char((${key.sql}) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
    case 'text':
      return `(${key.sql})::text`;
    case 'boolean':
      return `(${key.sql})::text`;
  }
}

function invalidCursor(): AppError {
  return new AppError(ErrorCode.ValidationFailed, 'cursor is not a cursor this API returned');
}

/**
 * Keyset pagination over `(keys…, id)`: opaque base64url cursors holding the last row's
 * position, so pages stay stable while rows are added and no row is skipped or repeated.
 */
export function keysetCursor(options: KeysetOptions): KeysetCursor {
  const { name, keys, id, direction } = options;
  const types: KeyType[] = keys.map((k) => k.type);
  const columns = [...keys.map((k) => k.sql), id];
  const comparison = direction === 'asc' ? '>' : '<';

  const decode = (cursor: string): string[] => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    } catch {
      throw invalidCursor();
    }
    if (
      !Array.isArray(parsed) ||
      parsed.length !== keys.length + 2 ||
      !parsed.every((v): v is string => typeof v === 'string') ||
      parsed[0] !== name
    ) {
      throw invalidCursor();
    }
    const values = parsed.slice(1);
    const idValue = values[keys.length];
    if (!UUID.test(idValue) || !types.every((type, i) => validKey(type, values[i]))) {
      throw invalidCursor();
    }
    return values;
  };

  return {
    select: `ARRAY[${[...keys.map(textOf), `(${id})::text`].join(', ')}] AS cursor_key`,
    orderBy: columns.map((c) => `${c} ${direction.toUpperCase()}`).join(', '),
    after(cursor, param) {
      const values = decode(cursor);
      const placeholders = values.map(
        (value, i) => `${param(value)}::${i < keys.length ? types[i] : 'uuid'}`,
      );
      return `(${columns.join(', ')}) ${comparison} (${placeholders.join(', ')})`;
    },
    page<T extends PositionedRow>(rows: T[], limit: number): Page<T> {
      const pageRows = rows.slice(0, limit);
      const last = rows.length > limit ? pageRows[pageRows.length - 1] : undefined;
      return {
        rows: pageRows,
        nextCursor: last
          ? Buffer.from(JSON.stringify([name, ...last.cursor_key])).toString('base64url')
          : null,
      };
    },
  };
}
