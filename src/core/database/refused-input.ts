import { sqlStateOf } from './transient-errors';

/**
 * SQLSTATEs that mean "PostgreSQL will never store this value", whatever the retry: data
 * exceptions (class 22: NUL in text, an unsupported Unicode escape in jsonb, a number out of
 * range, a malformed date) and program limits (54000: an index entry too large).
 */
export function isRefusedInput(error: unknown): boolean {
  const state = sqlStateOf(error);
  return state !== undefined && (state.startsWith('22') || state === '54000');
}

/** What PostgreSQL said about the refused value, with the table, column or context it named. */
export function refusedInputReason(error: unknown): string {
  const state = sqlStateOf(error) ?? 'unknown';
  let current: unknown = error;
  const found: { message?: string; table?: string; column?: string; where?: string } = {};
  for (let depth = 0; current && depth < 5; depth++) {
    const c = current as Record<string, unknown>;
    for (const key of ['message', 'table', 'column', 'where'] as const) {
      if (found[key] === undefined && typeof c[key] === 'string' && c[key] !== '') {
        found[key] = c[key];
      }
    }
    current = c.driverError ?? c.cause;
  }
  const place = [
    found.table && `table ${found.table}`,
    found.column && `column ${found.column}`,
    found.where && `at ${found.where.split('\n')[0]}`,
  ].filter(Boolean);
  return `PostgreSQL refused a value of this delivery (SQLSTATE ${state}${
    place.length > 0 ? `, ${place.join(', ')}` : ''
  }): ${found.message ?? 'no message'}`;
}
