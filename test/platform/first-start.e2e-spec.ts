import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  ChildLog,
  deleteKeys,
  freePort,
  LOOPBACK,
  sleep,
  stopChild,
  track,
} from '../support/harness';

/**
 * `npm start` with no DATABASE_URL, from a built process: the embedded PostgreSQL must start
 * where containers and fresh VMs put things (a project folder and a DATA_DIR other users cannot
 * enter, with the process running as root), and a start that cannot work ends with one line.
 */

const ROOT = resolve(__dirname, '../..');
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

jest.setTimeout(180_000);

function ensureBuilt(): void {
  if (!existsSync(join(ROOT, 'dist', 'main.js'))) {
    execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'ignore' });
  }
}

/** A copy of the built project inside a folder only its owner can enter (like /root). */
function privateProject(): { dir: string; app: string } {
  const dir = mkdtempSync(join(tmpdir(), 'hookyard-private-'));
  const app = join(dir, 'app');
  mkdirSync(app);
  // Hard links: a copy of node_modules in a second, not minutes.
  execFileSync('cp', ['-al', join(ROOT, 'dist'), join(ROOT, 'node_modules'), app]);
  writeFileSync(join(app, 'package.json'), readFileSync(join(ROOT, 'package.json')));
  return { dir, app };
}

interface Started {
  exitCode: number | null;
  stderr: string;
  log: string;
  ready: boolean;
}

async function startAndStop(app: string, env: Record<string, string>): Promise<Started> {
  const port = await freePort();
  const prefix = `hookyard-first-start-${port}`;
  const child = track(
    spawn(process.execPath, ['dist/main.js'], {
      cwd: app,
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        REDIS_URL,
        PORT: String(port),
        HOST: LOOPBACK,
        QUEUE_PREFIX: prefix,
        LOG_LEVEL: 'warn',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  const log = new ChildLog(200);
  log.attach(child);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  let ready = false;
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline && child.exitCode === null) {
    const answer = await fetch(`http://${LOOPBACK}:${port}/health/ready`).catch(() => undefined);
    if (answer?.status === 200) {
      ready = true;
      break;
    }
    await sleep(250);
  }
  await stopChild(child, { signal: 'SIGTERM', graceMs: 30_000 });
  await deleteKeys(REDIS_URL, `${prefix}*`);
  return { exitCode: child.exitCode, stderr, log: log.tail(), ready };
}

/** Removes a cluster the start placed outside DATA_DIR (said in DATA_DIR/postgres-location). */
function removeRelocatedCluster(dataDir: string): void {
  const pointer = join(dataDir, 'postgres-location');
  if (existsSync(pointer))
    rmSync(readFileSync(pointer, 'utf8').trim(), { recursive: true, force: true });
}

describe('first start with the embedded PostgreSQL (built process)', () => {
  const cleanup: string[] = [];

  beforeAll(ensureBuilt);

  afterAll(() => {
    for (const dir of cleanup) {
      removeRelocatedCluster(dir);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('starts from a project folder others cannot enter, with DATA_DIR a fresh mktemp -d', async () => {
    const project = privateProject();
    const dataDir = mkdtempSync(join(tmpdir(), 'hookyard-data-'));
    cleanup.push(dataDir, project.dir);

    const started = await startAndStop(project.app, { DATA_DIR: dataDir });

    expect(started.ready ? 'ready' : started.log).toBe('ready');
    expect(started.exitCode).toBe(0);
    if (isRoot) {
      // PostgreSQL runs as its own user, who can enter neither folder: both are said once.
      expect(started.log).toContain('the postgres user cannot reach');
      expect(started.log).toContain(`the postgres user cannot enter ${dataDir}`);
      expect(existsSync(join(dataDir, 'postgres-location'))).toBe(true);
    } else {
      expect(existsSync(join(dataDir, 'postgres', 'PG_VERSION'))).toBe(true);
    }
  });

  it('starts again on the same DATA_DIR and keeps its data', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'hookyard-data-'));
    cleanup.push(dataDir);
    const first = await startAndStop(ROOT, { DATA_DIR: dataDir });
    const token = readFileSync(join(dataDir, 'admin-token'), 'utf8');
    const second = await startAndStop(ROOT, { DATA_DIR: dataDir });

    expect(first.ready ? 'ready' : first.log).toBe('ready');
    expect(second.ready ? 'ready' : second.log).toBe('ready');
    expect(second.log).not.toContain('initialising embedded PostgreSQL');
    expect(readFileSync(join(dataDir, 'admin-token'), 'utf8')).toBe(token);
  });

  it('exits 1 with one line saying why when DATA_DIR cannot be used', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hookyard-data-'));
    cleanup.push(dir);
    const notAFolder = join(dir, 'a-file');
    writeFileSync(notAFolder, 'not a folder');

    const started = await startAndStop(ROOT, { DATA_DIR: notAFolder });

    expect(started.ready).toBe(false);
    expect(started.exitCode).toBe(1);
    const lines = started.stderr.split('\n').filter((line) => line.trim().length > 0);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^DATA_DIR .*a-file cannot be used \(.*\): point DATA_DIR at a writable folder$/,
    );
  });
});
