import { Job, Worker } from 'bullmq';
import { Pool } from 'pg';

/**
 * The bar the app's processing path must beat: a bare BullMQ worker with a pg Pool and no
 * framework. Each job carries its GitHub `push` body; the worker parses it and writes the
 * commits in ONE multi-row INSERT, idempotent through the unique key.
 *
 * Child-process protocol (IPC): the runner forks this file, waits for `ready`, enqueues
 * every job while the worker is not yet fetching, then sends `run` and starts its clock.
 */

export interface BaselineJobData {
  deliveryId: string;
  body: string;
}

export const BASELINE_QUEUE = 'baseline-deliveries';
export const BASELINE_JOB = 'baseline.process';

/** Same pool size as the app's default DATABASE_POOL_SIZE. */
const POOL_SIZE = 10;

const CREATE_TABLE_SQL = `
  CREATE TABLE IF NOT EXISTS baseline_commits (
    repository_id text NOT NULL,
    sha text NOT NULL,
    message text NOT NULL,
    author_email text,
    committed_at timestamptz NOT NULL,
    UNIQUE (repository_id, sha)
  )`;

interface CommitRow {
  sha: string;
  message: string;
  authorEmail: string | null;
  committedAt: string;
}

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function requireString(record: JsonObject, key: string, where: string): string {
  const value = record[key];
  if (typeof value !== 'string') throw new Error(`${where}.${key} is not a string`);
  return value;
}

function repositoryIdOf(payload: JsonObject): string {
  const repository = payload.repository;
  if (!isObject(repository)) throw new Error('payload.repository is not an object');
  const id = repository.id;
  if (typeof id !== 'number' && typeof id !== 'string') {
    throw new Error('payload.repository.id is missing');
  }
  return String(id);
}

function commitsOf(payload: JsonObject): CommitRow[] {
  const commits = payload.commits;
  if (!Array.isArray(commits)) throw new Error('payload.commits is not an array');
  return commits.map((commit: unknown, index) => {
    const where = `payload.commits[${index}]`;
    if (!isObject(commit)) throw new Error(`${where} is not an object`);
    const author = commit.author;
    const email = isObject(author) ? author.email : undefined;
    return {
      sha: requireString(commit, 'id', where),
      message: requireString(commit, 'message', where),
      authorEmail: typeof email === 'string' ? email : null,
      committedAt: requireString(commit, 'timestamp', where),
    };
  });
}

async function processJob(pool: Pool, job: Job<BaselineJobData>): Promise<number> {
  const payload: unknown = JSON.parse(job.data.body);
  if (!isObject(payload)) throw new Error('payload is not a JSON object');
  const repositoryId = repositoryIdOf(payload);
  const commits = commitsOf(payload);
  if (commits.length === 0) return 0;
  const params: (string | null)[] = [];
  const tuples = commits.map((commit) => {
    const base = params.length;
    params.push(repositoryId, commit.sha, commit.message, commit.authorEmail, commit.committedAt);
    return `($${base + 1}, $${base + 2}, $${base + 3}, $${base + 4}, $${base + 5})`;
  });
  const result = await pool.query(
    `INSERT INTO baseline_commits (repository_id, sha, message, author_email, committed_at)
     VALUES ${tuples.join(', ')}
     ON CONFLICT DO NOTHING`,
    params,
  );
  return result.rowCount ?? 0;
}

function requiredEnv(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') throw new Error(`${name} is required`);
  return value;
}

function isRunMessage(message: unknown): boolean {
  return (
    typeof message === 'object' && message !== null && 'type' in message && message.type === 'run'
  );
}

async function runAsChild(): Promise<void> {
  const databaseUrl = requiredEnv('BASELINE_DATABASE_URL');
  const redisUrl = requiredEnv('BASELINE_REDIS_URL');
  const prefix = requiredEnv('BASELINE_QUEUE_PREFIX');
  const concurrency = Number(requiredEnv('BASELINE_CONCURRENCY'));
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new Error('BASELINE_CONCURRENCY must be a positive whole number');
  }

  const pool = new Pool({ connectionString: databaseUrl, max: POOL_SIZE });
  // An idle client dropped by the server must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  await pool.query(CREATE_TABLE_SQL);

  // autorun: false keeps the worker from fetching while the runner enqueues.
  const worker = new Worker<BaselineJobData, number>(
    BASELINE_QUEUE,
    (job) => processJob(pool, job),
    { connection: { url: redisUrl }, prefix, concurrency, autorun: false },
  );
  worker.on('error', (error) => process.stderr.write(`baseline worker: ${error.message}\n`));
  worker.on('failed', (job, error) =>
    process.stderr.write(`baseline job ${job?.id ?? '?'} failed: ${error.message}\n`),
  );
  await worker.waitUntilReady();

  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    worker
      .close()
      .then(() => pool.end())
      .then(
        () => process.exit(0),
        () => process.exit(1),
      );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  process.once('disconnect', stop);
  process.on('message', (message: unknown) => {
    if (!isRunMessage(message) || worker.isRunning()) return;
    worker.run().catch((error: unknown) => {
      process.stderr.write(
        `baseline worker stopped: ${error instanceof Error ? error.message : String(error)}\n`,
      );
      process.exit(1);
    });
  });
  if (process.send) process.send({ type: 'ready' });
}

if (require.main === module) {
  runAsChild().catch((error: unknown) => {
    process.stderr.write(
      `baseline worker failed: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exit(1);
  });
}
