import { ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { Client } from 'pg';
import { deleteKeys, sleep, stopChild, trackedChildren } from '../test/support/harness';

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

export interface Leftovers {
  /** Filled as the bench creates them. */
  databases: string[];
  dataDir: string;
  /** Its queues' key prefix in Redis, when it used Redis. */
  redisPrefix?: string;
  childGraceMs: number;
  /** Runs first (e.g. stop the load generator). */
  before?: () => void;
}

/**
 * What a bench leaves behind, undone once however it ends (also on Ctrl-C): its children, its
 * databases, its data directory and its Redis keys. Returns the cleanup for the normal end.
 */
export function cleanupOnExit(leftovers: Leftovers): () => Promise<void> {
  let cleaning: Promise<void> | undefined;
  const cleanup = () => {
    cleaning ??= (async () => {
      leftovers.before?.();
      await Promise.all(
        [...trackedChildren].map((child) => stopChild(child, { graceMs: leftovers.childGraceMs })),
      );
      const { databases } = leftovers;
      try {
        await withAdminClient(async (client) => {
          for (const database of databases) {
            await client.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
          }
        });
      } catch (error) {
        console.error(`could not drop ${databases.join(', ')}: ${String(error)}`);
      }
      rmSync(leftovers.dataDir, { recursive: true, force: true });
      const prefix = leftovers.redisPrefix;
      if (prefix !== undefined) {
        try {
          await deleteKeys(redisUrl, `${prefix}*`);
        } catch (error) {
          console.error(`could not delete Redis keys ${prefix}*: ${String(error)}`);
        }
      }
    })();
    return cleaning;
  };
  process.once('SIGINT', () => {
    console.error('\ninterrupted: cleaning up');
    void cleanup().finally(() => process.exit(130));
  });
  return cleanup;
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
