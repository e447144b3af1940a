import { ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';
import { Client } from 'pg';

/** Plumbing shared by the benches: environment, Postgres, Redis and child processes. */

export const baseDatabaseUrl =
  process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

function positiveFromEnv(
  name: string,
  fallback: number,
  isAcceptable: (value: number) => boolean,
  requirement: string,
): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!isAcceptable(value) || value <= 0) throw new Error(`${name} must be ${requirement}`);
  return value;
}

export function positiveNumberFromEnv(name: string, fallback: number): number {
  return positiveFromEnv(name, fallback, Number.isFinite, 'a positive number');
}

export function positiveIntegerFromEnv(name: string, fallback: number): number {
  return positiveFromEnv(name, fallback, Number.isInteger, 'a positive whole number');
}

/** The server of DATABASE_URL, pointed at another database on it. */
export function databaseUrlFor(database: string): string {
  const url = new URL(baseDatabaseUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

export async function withClient<T>(
  databaseUrl: string,
  work: (client: Client) => Promise<T>,
): Promise<T> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** A client on DATABASE_URL itself, for creating and dropping the benches' databases. */
export function withAdminClient<T>(work: (client: Client) => Promise<T>): Promise<T> {
  return withClient(baseDatabaseUrl, work);
}

export async function deleteRedisKeys(prefix: string): Promise<number> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  let deleted = 0;
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) deleted += await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return deleted;
}

export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

/** The last `limit` lines a child wrote, to explain why it failed. */
export class ChildLog {
  private readonly lines: string[] = [];

  constructor(private readonly limit = 40) {}

  attach(child: ChildProcess): void {
    const collect = (chunk: Buffer) => {
      this.lines.push(...chunk.toString().split('\n').filter(Boolean));
      this.lines.splice(0, Math.max(0, this.lines.length - this.limit));
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
  }

  tail(): string {
    return this.lines.join('\n');
  }
}

/** Every child still running; each bench kills them on its way out, however it ends. */
export const trackedChildren = new Set<ChildProcess>();

export function track(child: ChildProcess): ChildProcess {
  trackedChildren.add(child);
  child.once('exit', () => trackedChildren.delete(child));
  return child;
}

/**
 * SIGTERM, then SIGKILL after `graceMs`. An options object rather than a bare number so that
 * `[...trackedChildren].map(stopChild)` cannot pass the array index as the grace period.
 */
export function stopChild(child: ChildProcess, { graceMs }: { graceMs: number }): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => {
    const killer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(killer);
      done();
    });
    child.kill('SIGTERM');
  });
}

function rejectOnExit(child: ChildProcess, message: (exit: string) => string): Promise<never> {
  return new Promise((_, reject) => {
    child.once('exit', (code, signal) =>
      reject(new Error(message(`code ${code}, signal ${signal}`))),
    );
  });
}

export function exitedBeforeReady(child: ChildProcess): Promise<never> {
  return rejectOnExit(child, (exit) => `exited before it was ready (${exit})`);
}

export function exitedEarly(child: ChildProcess, what: string): Promise<never> {
  return rejectOnExit(child, (exit) => `${what} exited early (${exit})`);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms));
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Polls `url` until it answers 200; rejects after `timeoutMs`. */
export async function answers200(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      if (response.status === 200) return;
    } catch {
      // Not listening yet.
    }
    await sleep(250);
  }
  throw new Error(`GET ${new URL(url).pathname} did not answer 200 within ${timeoutMs / 1000} s`);
}
