import examples from '@octokit/webhooks-examples/api.github.com/index.json';
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { eventually } from '../support/test-app';
import { githubHeaders } from '../support/signing';
import { testEnv } from '../support/test-env';

const ROOT = resolve(__dirname, '../..');
const MAIN = join(ROOT, 'dist', 'main.js');
const ADMIN_TOKEN = 'process-test-admin-token-0123456789';
const GITHUB_SECRET = 'process-test-github-secret';

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  elapsedMs: number;
}

interface Started {
  child: ChildProcess;
  exited: Promise<Exit>;
  output(): { stdout: string; stderr: string };
}

const children: ChildProcess[] = [];
const tempDirs: string[] = [];

/** Only what the app needs: nothing leaks in from the environment jest runs in. */
function baseEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const dataDir = mkdtempSync(join(tmpdir(), 'hookyard-process-'));
  tempDirs.push(dataDir);
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'production',
    DATA_DIR: dataDir,
    ...extra,
  };
}

/** Starts `node dist/main.js`; the promise settles when it exits (killed after `limitMs`). */
function startMain(env: NodeJS.ProcessEnv, limitMs: number): Started {
  const startedAt = Date.now();
  const child = spawn(process.execPath, [MAIN], { cwd: ROOT, env, stdio: 'pipe' });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<Exit>((resolveExit) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), limitMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolveExit({ code, signal, stdout, stderr, elapsedMs: Date.now() - startedAt });
    });
  });
  return { child, exited, output: () => ({ stdout, stderr }) };
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

const lines = (text: string) =>
  text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0);

/** The newest modification time under `path` (a file or a folder), in ms. */
function newestMtime(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

function builtFromCurrentSources(): boolean {
  if (!existsSync(MAIN)) return false;
  const inputs = ['src', 'tsconfig.json', 'tsconfig.build.json', 'nest-cli.json', 'package.json'];
  return Math.max(...inputs.map((p) => newestMtime(join(ROOT, p)))) < statSync(MAIN).mtimeMs;
}

describe('the built process: node dist/main.js', () => {
  beforeAll(() => {
    // A stale build would test old code: build unless dist/main.js is newer than every source
    // (CI has just run `npm run build`; a second build here cost a minute and a half).
    if (builtFromCurrentSources()) return;
    try {
      execFileSync('npx', ['nest', 'build'], { cwd: ROOT, stdio: 'pipe', timeout: 110000 });
    } catch (error) {
      const output = (error as { stdout?: Buffer }).stdout?.toString() ?? String(error);
      throw new Error(`npx nest build failed, src does not compile:\n${output.slice(0, 4000)}`, {
        cause: error,
      });
    }
  }, 120000);

  afterAll(() => {
    for (const child of children) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
    for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  });

  it('exits non-zero on an invalid environment, one stderr line per problem, no secret echoed', async () => {
    const badToken = 'tiny-tok';
    const { exited } = startMain(
      baseEnv({
        PORT: 'abc',
        ROLE: 'boss',
        ADMIN_TOKEN: badToken,
        DATABASE_URL: testEnv('databaseUrl'),
        REDIS_URL: testEnv('redisUrl'),
      }),
      15000,
    );
    const exit = await exited;
    expect(exit.signal).toBeNull();
    expect(exit.code).not.toBe(0);
    expect(exit.code).not.toBeNull();
    const problems = lines(exit.stderr).filter((l) => /PORT|ROLE|ADMIN_TOKEN/.test(l));
    expect(problems).toHaveLength(3);
    expect(problems.filter((l) => l.includes('PORT'))).toHaveLength(1);
    expect(problems.filter((l) => l.includes('ROLE'))).toHaveLength(1);
    expect(problems.filter((l) => l.includes('ADMIN_TOKEN'))).toHaveLength(1);
    expect(problems.find((l) => l.includes('PORT'))).toContain('abc');
    expect(problems.find((l) => l.includes('ROLE'))).toMatch(/all, api, worker/);
    expect(exit.stderr).not.toContain(badToken);
    expect(exit.stdout).not.toContain(badToken);
    // Nothing else went wrong: no stack trace, no start-up.
    expect(exit.stderr).not.toMatch(/\n\s+at /);
    expect(exit.stdout).not.toContain('listening');
  });

  it('exits non-zero within 15 s with one clear line when Redis is unreachable', async () => {
    const { exited } = startMain(
      baseEnv({
        DATABASE_URL: testEnv('databaseUrl'),
        REDIS_URL: 'redis://:redis-password-xyz@127.0.0.1:1',
        ADMIN_TOKEN,
      }),
      20000,
    );
    const exit = await exited;
    expect(exit.signal).toBeNull();
    expect(exit.code).not.toBe(0);
    expect(exit.code).not.toBeNull();
    expect(exit.elapsedMs).toBeLessThan(15000);
    const stderr = lines(exit.stderr);
    expect(stderr).toHaveLength(1);
    expect(stderr[0]).toMatch(/Redis/);
    expect(stderr[0]).toContain('127.0.0.1:1');
    expect(stderr[0]).toMatch(/redis-server|docker/);
    expect(stderr[0]).toContain('REDIS_URL');
    expect(exit.stderr).not.toContain('redis-password-xyz');
    expect(exit.stdout).not.toContain('redis-password-xyz');
  });

  it('with a valid environment: ready, ingests, and exits 0 within 15 s of SIGTERM', async () => {
    const port = await freePort();
    const queuePrefix = `${testEnv('queuePrefix')}-process-${process.pid}`;
    const started = startMain(
      baseEnv({
        PORT: String(port),
        HOST: '127.0.0.1',
        DATABASE_URL: testEnv('databaseUrl'),
        REDIS_URL: testEnv('redisUrl'),
        QUEUE_PREFIX: queuePrefix,
        ADMIN_TOKEN,
        GITHUB_WEBHOOK_SECRET: GITHUB_SECRET,
      }),
      90000,
    );
    const base = `http://127.0.0.1:${port}`;
    let exitedEarly: Exit | undefined;
    void started.exited.then((exit) => (exitedEarly = exit));

    const ready = await eventually(
      async () => {
        if (exitedEarly) {
          throw new Error(
            `the process exited early (${String(exitedEarly.code)}): ${exitedEarly.stderr}`,
          );
        }
        try {
          const response = await fetch(`${base}/health/ready`);
          return response.status === 200 ? response : undefined;
        } catch {
          return undefined;
        }
      },
      45000,
      'GET /health/ready to answer 200',
    );
    expect(((await ready.json()) as { status: string }).status).toBe('ok');
    expect(started.output().stdout).toContain(`listening on http://127.0.0.1:${port}`);

    // The admin token from the environment is the key; the worker runs in the same process.
    const sources = await fetch(`${base}/api/v1/admin/sources`, {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    expect(sources.status).toBe(200);
    expect((await fetch(`${base}/api/v1/admin/sources`)).status).toBe(401);

    const push = (examples as unknown as { name: string; examples: unknown[] }[]).find(
      (e) => e.name === 'push',
    )?.examples[0];
    expect(push).toBeDefined();
    const body = JSON.stringify(push);
    const delivery = await fetch(`${base}/webhooks/github`, {
      method: 'POST',
      headers: githubHeaders(body, 'push', randomUUID(), GITHUB_SECRET),
      body,
    });
    expect(delivery.status).toBe(202);
    const { id } = (await delivery.json()) as { id: string };
    const db = new Client({ connectionString: testEnv('databaseUrl') });
    await db.connect();
    try {
      await eventually(
        async () => {
          const { rows } = await db.query<{ status: string; last_error: string | null }>(
            'SELECT status, last_error FROM deliveries WHERE id = $1',
            [id],
          );
          const row = rows[0];
          if (row?.status === 'dead') throw new Error(`delivery dead: ${String(row.last_error)}`);
          return row?.status === 'processed' ? true : undefined;
        },
        20000,
        'the delivery to be processed by the process worker',
      );
    } finally {
      await db.end();
    }

    const signalledAt = Date.now();
    expect(started.child.kill('SIGTERM')).toBe(true);
    const exit = await started.exited;
    expect({ code: exit.code, signal: exit.signal }).toEqual({ code: 0, signal: null });
    expect(Date.now() - signalledAt).toBeLessThan(15000);
    expect(exit.stdout).toContain('SIGTERM received');
    await expect(fetch(`${base}/health/live`)).rejects.toThrow();
  }, 120000);
});
