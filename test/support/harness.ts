import { ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';

/**
 * Plumbing shared by the e2e support, the benchmarks and the chaos suite: child processes,
 * free ports and Redis keys.
 */

export const LOOPBACK = '127.0.0.1';

export function sleep(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms));
}

/** A port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, LOOPBACK, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => done(port));
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

/** Every tracked child still running; whoever started them kills them on the way out. */
export const trackedChildren = new Set<ChildProcess>();

export function track(child: ChildProcess): ChildProcess {
  trackedChildren.add(child);
  child.once('exit', () => trackedChildren.delete(child));
  return child;
}

export const isRunning = (child: ChildProcess) =>
  child.exitCode === null && child.signalCode === null;

/**
 * `signal` (SIGTERM by default), then SIGKILL after `graceMs`. An options object rather than
 * bare values so that `[...trackedChildren].map(stopChild)` cannot pass an index as either.
 */
export function stopChild(
  child: ChildProcess,
  { signal = 'SIGTERM', graceMs = 10_000 }: { signal?: NodeJS.Signals; graceMs?: number } = {},
): Promise<void> {
  if (!isRunning(child)) return Promise.resolve();
  return new Promise((done) => {
    const killer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(killer);
      done();
    });
    child.kill(signal);
  });
}

/** Deletes every key matching `pattern` (SCAN, never KEYS); answers how many. */
export async function deleteKeys(redisUrl: string, pattern: string): Promise<number> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  let deleted = 0;
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) deleted += await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return deleted;
}
