const TRANSIENT_NODE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
]);

/**
 * PostgreSQL SQLSTATE classes and codes that mean "try again later" rather than "this input
 * is wrong": connection exceptions (08), insufficient resources (53), operator intervention
 * such as a shutdown (57), serialization failures and deadlocks (40001, 40P01).
 */
function isTransientSqlState(code: string): boolean {
  return (
    code.startsWith('08') ||
    code.startsWith('53') ||
    code.startsWith('57') ||
    code === '40001' ||
    code === '40P01' ||
    code === '55P03'
  );
}

const TRANSIENT_MESSAGES = [
  'Connection terminated',
  'connection timeout',
  'timeout exceeded when trying to connect',
  'Query read timeout',
  'Client has encountered a connection error',
  'Connection is closed',
  'the database system is',
];

/** True when an error comes from infrastructure (database, network), not from the input. */
export function isTransientError(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; current && depth < 5; depth++) {
    const candidate = current as {
      code?: unknown;
      message?: unknown;
      driverError?: unknown;
      cause?: unknown;
    };
    if (typeof candidate.code === 'string') {
      if (TRANSIENT_NODE_CODES.has(candidate.code)) return true;
      if (/^[0-9A-Z]{5}$/.test(candidate.code) && isTransientSqlState(candidate.code)) return true;
    }
    if (
      typeof candidate.message === 'string' &&
      TRANSIENT_MESSAGES.some((m) => (candidate.message as string).includes(m))
    ) {
      return true;
    }
    current = candidate.driverError ?? candidate.cause;
  }
  return false;
}

/** SQLSTATEs of one statement losing to another (a conflict, a lock wait, a timeout). */
const CONFLICT_SQL_STATES = new Set(['40001', '40P01', '55P03', '57014']);

/** The PostgreSQL SQLSTATE of an error, looking through TypeORM's wrapper and causes. */
export function sqlStateOf(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; current && depth < 5; depth++) {
    const candidate = current as { code?: unknown; driverError?: unknown; cause?: unknown };
    if (typeof candidate.code === 'string' && /^[0-9A-Z]{5}$/.test(candidate.code)) {
      return candidate.code;
    }
    current = candidate.driverError ?? candidate.cause;
  }
  return undefined;
}

/**
 * True when a failed batch should be retried item by item: the error belongs to one of its
 * items (bad input) or to the batch as it happened to be (a deadlock, a lock or statement
 * timeout), not to the database as a whole (unreachable, shutting down, out of resources).
 */
export function isWorthIsolating(error: unknown): boolean {
  const state = sqlStateOf(error);
  if (state !== undefined && CONFLICT_SQL_STATES.has(state)) return true;
  return !isTransientError(error);
}
