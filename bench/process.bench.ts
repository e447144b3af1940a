import webhookDefinitions, { WebhookDefinition } from '@octokit/webhooks-examples';
import { Queue } from 'bullmq';
import { ChildProcess, fork, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import { MIGRATIONS } from '../src/core/database/migrations';
import { runMigrations } from '../src/core/database/migrator';
import { BASELINE_JOB, BASELINE_QUEUE, BaselineJobData } from './process-baseline-worker';
import {
  ChildLog,
  freePort,
  sleep,
  stopChild,
  track,
  trackedChildren,
} from '../test/support/harness';
import {
  answers200,
  databaseUrlFor,
  cleanupOnExit,
  exitedEarly,
  median,
  positiveIntegerFromEnv,
  redisUrl,
  withAdminClient,
  withClient,
} from './support';

/**
 * Processing benchmark: how fast stored deliveries become an engineering record. The real
 * worker (ROLE=worker: outbox relay → BullMQ → normalize → record) against
 * bench/process-baseline-worker.ts (bare BullMQ + pg, one INSERT per job), measured in the
 * same run on the same machine, each against its own fresh database and Redis prefix.
 *
 * Both workers run as child processes and only one runs at a time.
 */

const ROOT = resolve(__dirname, '..');
const RESULTS_FILE = join(ROOT, 'bench', 'results', 'process-latest.json');
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const MIN_COMMITS_PER_PUSH = 3;
const INSERT_BATCH = 500;
const ENQUEUE_CHUNK = 500;
const POLL_MS = 100;
const FINISH_TIMEOUT_MS = 300_000;
const READY_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 10_000;
const FINAL_STATUSES = ['processed', 'ignored', 'dead', 'failed'];
/** What the app's JobsService gives a delivery job, so both sides pay the same Redis bookkeeping. */
const APP_LIKE_JOB_OPTIONS = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: { age: 24 * 3600, count: 10000 },
  removeOnFail: { age: 7 * 24 * 3600 },
};

const deliveryCount = positiveIntegerFromEnv('BENCH_DELIVERIES', 3000);
/**
 * Rounds of baseline-then-app, each pair on fresh databases. This machine's speed drifts by
 * tens of percent from minute to minute, so the ratio is taken within each round and the
 * median of the rounds is reported.
 */
const rounds = positiveIntegerFromEnv('BENCH_ROUNDS', 3);
const onlyBaseline = process.env.BENCH_ONLY_BASELINE === '1';
const appEntry = resolve(ROOT, process.env.BENCH_APP_ENTRY ?? 'dist/main.js');

type TargetName = 'baseline' | 'app';
type PushPayload = WebhookDefinition<'push'>['examples'][number];
type PushCommit = PushPayload['commits'][number];

interface Workload {
  deliveryIds: string[];
  bodies: Buffer[];
  shas: string[];
  commitsPerPush: number;
  templateBytes: number;
  meanBodyBytes: number;
}

interface Measurement {
  target: TargetName;
  round: number;
  deliveries: number;
  commits: number;
  seconds: number;
  deliveriesPerS: number;
  commitsPerS: number;
}

interface Check {
  target: TargetName;
  name: string;
  expected: number;
  actual: number;
  ok: boolean;
}

interface TargetResult {
  measurement: Measurement;
  checks: Check[];
  diagnostics: Record<string, number | string | null>;
}

async function scalar(client: Client, sql: string, params: unknown[] = []): Promise<number> {
  const result = await client.query<{ value: string | number | null }>(sql, params);
  return Number(result.rows[0]?.value ?? 0);
}

function freshSha(): string {
  return randomBytes(20).toString('hex');
}

/**
 * The largest push example, with at least MIN_COMMITS_PER_PUSH commits; every delivery gets
 * fresh commit shas (and `after`/`head_commit` to match) and a fresh delivery id, so nothing
 * is deduplicated away and the whole record is written every time.
 */
function buildWorkload(count: number): Workload {
  const push = webhookDefinitions.find(
    (definition): definition is WebhookDefinition<'push'> => definition.name === 'push',
  );
  if (push === undefined) throw new Error('@octokit/webhooks-examples has no push examples');
  const sizeOf = (value: unknown) => Buffer.byteLength(JSON.stringify(value));
  const template = [...push.examples].sort((a, b) => sizeOf(b) - sizeOf(a))[0];
  if (template === undefined) throw new Error('@octokit/webhooks-examples has no push examples');
  if (template.commits.length === 0) throw new Error('the largest push example has no commits');
  const commitsPerPush = Math.max(MIN_COMMITS_PER_PUSH, template.commits.length);
  const templateCommits: PushCommit[] = Array.from(
    { length: commitsPerPush },
    (_, i) => template.commits[i % template.commits.length],
  );

  const deliveryIds: string[] = [];
  const bodies: Buffer[] = [];
  const shas: string[] = [];
  let totalBytes = 0;
  for (let i = 0; i < count; i++) {
    const commits = templateCommits.map((commit): PushCommit => {
      const sha = freshSha();
      shas.push(sha);
      return { ...commit, id: sha, tree_id: freshSha(), url: commit.url.replace(commit.id, sha) };
    });
    const head = commits[commits.length - 1];
    const payload: PushPayload = { ...template, after: head.id, commits, head_commit: head };
    const body = Buffer.from(JSON.stringify(payload));
    totalBytes += body.length;
    deliveryIds.push(randomUUID());
    bodies.push(body);
  }
  return {
    deliveryIds,
    bodies,
    shas,
    commitsPerPush,
    templateBytes: sizeOf(template),
    meanBodyBytes: Math.round(totalBytes / count),
  };
}

/**
 * Polls `done` every POLL_MS until it is true; rejects after FINISH_TIMEOUT_MS or when the
 * child exits first. Returns the last progress figure.
 */
async function waitUntilDone(
  child: ChildProcess,
  what: string,
  progress: () => Promise<number>,
  target: number,
): Promise<number> {
  let stopped = false;
  const poll = async (): Promise<number> => {
    const deadline = performance.now() + FINISH_TIMEOUT_MS;
    let last = 0;
    while (!stopped && performance.now() < deadline) {
      last = await progress();
      if (last >= target) return last;
      await sleep(POLL_MS);
    }
    throw new Error(
      `${what} finished ${last} of ${target} within ${FINISH_TIMEOUT_MS / 1000} s: timed out`,
    );
  };
  try {
    return await Promise.race([poll(), exitedEarly(child, what)]);
  } finally {
    stopped = true;
  }
}

function measurementOf(
  target: TargetName,
  round: number,
  workload: Workload,
  seconds: number,
  deliveries: number,
): Measurement {
  const commits = deliveries * workload.commitsPerPush;
  return {
    target,
    round,
    deliveries,
    commits,
    seconds,
    deliveriesPerS: deliveries / seconds,
    commitsPerS: commits / seconds,
  };
}

/** The round with the median throughput (the lower middle one for an even count). */
function medianOf(measurements: Measurement[]): Measurement | undefined {
  const sorted = [...measurements].sort((a, b) => a.deliveriesPerS - b.deliveriesPerS);
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

function check(target: TargetName, name: string, expected: number, actual: number): Check {
  return { target, name, expected, actual, ok: expected === actual };
}

// ---------------------------------------------------------------------------------------------
// baseline

async function runBaseline(
  round: number,
  workload: Workload,
  database: string,
  prefix: string,
  log: ChildLog,
): Promise<TargetResult> {
  const child = track(
    fork(join(__dirname, 'process-baseline-worker.ts'), [], {
      cwd: ROOT,
      execArgv: ['-r', '@swc-node/register'],
      env: {
        ...process.env,
        BASELINE_DATABASE_URL: databaseUrlFor(database),
        BASELINE_REDIS_URL: redisUrl,
        BASELINE_QUEUE_PREFIX: prefix,
        BASELINE_CONCURRENCY: String(CONCURRENCY),
      },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    }),
  );
  log.attach(child);
  const ready = new Promise<void>((resolveReady, reject) => {
    const timer = setTimeout(() => reject(new Error('not ready in time')), READY_TIMEOUT_MS);
    child.on('message', (message: unknown) => {
      if (
        typeof message === 'object' &&
        message !== null &&
        'type' in message &&
        message.type === 'ready'
      ) {
        clearTimeout(timer);
        resolveReady();
      }
    });
  });
  await Promise.race([ready, exitedEarly(child, 'baseline worker')]);

  const queue = new Queue<BaselineJobData>(BASELINE_QUEUE, {
    connection: { url: redisUrl },
    prefix,
  });
  try {
    // The worker is not fetching yet (autorun: false): the whole backlog is in place first.
    for (let start = 0; start < workload.bodies.length; start += ENQUEUE_CHUNK) {
      const jobs = workload.bodies.slice(start, start + ENQUEUE_CHUNK).map((body, offset) => {
        const deliveryId = workload.deliveryIds[start + offset];
        return {
          name: BASELINE_JOB,
          data: { deliveryId, body: body.toString('utf8') },
          opts: { ...APP_LIKE_JOB_OPTIONS, jobId: deliveryId },
        };
      });
      await queue.addBulk(jobs);
    }
    const waiting = await queue.getWaitingCount();
    if (waiting !== workload.bodies.length) {
      throw new Error(`enqueued ${waiting} baseline jobs, expected ${workload.bodies.length}`);
    }

    const started = performance.now();
    child.send({ type: 'run' });
    const pendingStates = ['active', 'wait', 'delayed', 'prioritized', 'waiting-children'] as const;
    await waitUntilDone(
      child,
      'baseline worker',
      async () => {
        const counts = await queue.getJobCounts(...pendingStates);
        const pending = pendingStates.reduce((sum, state) => sum + (counts[state] ?? 0), 0);
        return workload.bodies.length - pending;
      },
      workload.bodies.length,
    );
    const seconds = (performance.now() - started) / 1000;

    const failed = await queue.getFailedCount();
    const checks = await withClient(databaseUrlFor(database), async (client) => [
      check('baseline', 'failed jobs', 0, failed),
      check(
        'baseline',
        'commits stored',
        workload.shas.length,
        await scalar(
          client,
          'SELECT count(*) AS value FROM baseline_commits WHERE sha = ANY($1::text[])',
          [workload.shas],
        ),
      ),
      check(
        'baseline',
        'commit rows',
        workload.shas.length,
        await scalar(client, 'SELECT count(*) AS value FROM baseline_commits'),
      ),
    ]);
    return {
      measurement: measurementOf('baseline', round, workload, seconds, workload.bodies.length),
      checks,
      diagnostics: {},
    };
  } finally {
    await queue.close();
    await stopChild(child, { graceMs: STOP_GRACE_MS });
  }
}

// ---------------------------------------------------------------------------------------------
// app

async function startAppWorker(
  env: Record<string, string>,
  log: ChildLog,
): Promise<{ child: ChildProcess; port: number }> {
  const port = await freePort();
  const child = track(
    spawn(process.execPath, [appEntry], {
      cwd: ROOT,
      env: {
        ...process.env,
        ...env,
        ROLE: 'worker',
        HOST: '127.0.0.1',
        PORT: String(port),
        WORKER_CONCURRENCY: String(CONCURRENCY),
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  log.attach(child);
  await Promise.race([
    answers200(`http://127.0.0.1:${port}/health/live`, READY_TIMEOUT_MS),
    exitedEarly(child, 'app worker'),
  ]);
  return { child, port };
}

/** Stores every delivery as the API would have, in ONE transaction that wakes the relay. */
async function insertDeliveries(client: Client, workload: Workload): Promise<void> {
  await client.query('BEGIN');
  try {
    for (let start = 0; start < workload.bodies.length; start += INSERT_BATCH) {
      const params: (string | Buffer | number)[] = [];
      const tuples = workload.bodies.slice(start, start + INSERT_BATCH).map((body, offset) => {
        const base = params.length;
        params.push(workload.deliveryIds[start + offset], body, body.length);
        return `('github', 'default', $${base + 1}, 'push', 'application/json', '{}'::jsonb, $${base + 2}, $${base + 3}, 'received')`;
      });
      await client.query(
        `INSERT INTO deliveries (provider, source, provider_delivery_id, event, content_type,
           headers, body, body_size, status)
         VALUES ${tuples.join(', ')}`,
        params,
      );
    }
    await client.query(`SELECT pg_notify('hookyard_outbox', '')`);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

/** Per-job timings from the worker's own Prometheus histogram, when it exposes them. */
async function jobDurations(port: number): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  try {
    const response = await fetch(`http://127.0.0.1:${port}/metrics`, {
      signal: AbortSignal.timeout(5_000),
    });
    const text = await response.text();
    const sums = new Map<string, number>();
    const counts = new Map<string, number>();
    const pattern = /^hookyard_job_duration_seconds_(sum|count)\{([^}]*)\}\s+([0-9.eE+-]+)$/gm;
    for (const match of text.matchAll(pattern)) {
      const job = /job="([^"]+)"/.exec(match[2])?.[1] ?? '?';
      const outcome = /outcome="([^"]+)"/.exec(match[2])?.[1] ?? '?';
      const key = `${job} ${outcome}`;
      const target = match[1] === 'sum' ? sums : counts;
      target.set(key, (target.get(key) ?? 0) + Number(match[3]));
    }
    for (const [key, count] of counts) {
      const meanMs = ((sums.get(key) ?? 0) / Math.max(count, 1)) * 1000;
      out[`job ${key}`] = `${count} jobs, mean ${meanMs.toFixed(1)} ms`;
    }
  } catch (error) {
    out['job durations'] = `unavailable: ${String(error)}`;
  }
  return out;
}

async function runApp(
  round: number,
  workload: Workload,
  database: string,
  prefix: string,
  dataDir: string,
  log: ChildLog,
): Promise<TargetResult> {
  const url = databaseUrlFor(database);
  await runMigrations(url, MIGRATIONS);
  const { child, port } = await startAppWorker(
    {
      DATABASE_URL: url,
      REDIS_URL: redisUrl,
      QUEUE_PREFIX: prefix,
      DATA_DIR: dataDir,
      ADMIN_TOKEN: randomBytes(16).toString('hex'),
      SECRETS_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    },
    log,
  );
  try {
    return await withClient(url, async (client) => {
      await insertDeliveries(client, workload);
      const started = performance.now();
      // When the relay had moved everything out of `received`, as seen by the same poll.
      let relayDrainedS: number | null = null;
      await waitUntilDone(
        child,
        'app worker',
        async () => {
          const progress = await client.query<{ final: string; received: string }>(
            `SELECT count(*) FILTER (WHERE status = ANY($1::text[])) AS final,
                    count(*) FILTER (WHERE status = 'received') AS received
             FROM deliveries`,
            [FINAL_STATUSES],
          );
          const row = progress.rows[0];
          if (relayDrainedS === null && Number(row.received) === 0) {
            relayDrainedS = (performance.now() - started) / 1000;
          }
          return Number(row.final);
        },
        workload.bodies.length,
      );
      const seconds = (performance.now() - started) / 1000;

      const statuses = await client.query<{ status: string; count: string }>(
        'SELECT status, count(*) AS count FROM deliveries GROUP BY status',
      );
      const byStatus = new Map(statuses.rows.map((row) => [row.status, Number(row.count)]));
      const processed = byStatus.get('processed') ?? 0;
      const checks = [
        check('app', 'deliveries processed', workload.bodies.length, processed),
        check('app', 'deliveries dead', 0, byStatus.get('dead') ?? 0),
        check('app', 'deliveries failed', 0, byStatus.get('failed') ?? 0),
        check(
          'app',
          'commits stored',
          workload.shas.length,
          await scalar(
            client,
            'SELECT count(*) AS value FROM commits WHERE sha = ANY($1::text[])',
            [workload.shas],
          ),
        ),
        check(
          'app',
          'commit rows',
          workload.shas.length,
          await scalar(client, 'SELECT count(*) AS value FROM commits'),
        ),
        check(
          'app',
          'duplicate commits',
          0,
          await scalar(
            client,
            `SELECT count(*) AS value FROM (SELECT sha FROM commits GROUP BY repository_id, sha
               HAVING count(*) > 1) AS doubled`,
          ),
        ),
      ];

      const timings = await client.query<{
        processing_s: string | null;
        attempts: string | null;
        max_attempts: number | null;
      }>(
        `SELECT extract(epoch FROM max(processed_at) - min(processed_at)) AS processing_s,
                sum(attempts) AS attempts, max(attempts) AS max_attempts
         FROM deliveries`,
      );
      const t = timings.rows[0];
      const sampleError = await client.query<{ last_error: string }>(
        'SELECT last_error FROM deliveries WHERE last_error IS NOT NULL LIMIT 1',
      );
      const diagnostics: Record<string, number | string | null> = {
        'a last error': sampleError.rows[0]?.last_error ?? null,
        statuses: [...byStatus].map(([status, count]) => `${status}=${count}`).join(' '),
        'outbox drained (s after commit, 100 ms poll)': relayDrainedS,
        'first to last processed (s)': t.processing_s === null ? null : Number(t.processing_s),
        'attempts (sum)': Number(t.attempts ?? 0),
        'attempts (max)': t.max_attempts,
        repositories: await scalar(client, 'SELECT count(*) AS value FROM repositories'),
        identities: await scalar(client, 'SELECT count(*) AS value FROM identities'),
        ...(await jobDurations(port)),
      };
      return {
        measurement: measurementOf('app', round, workload, seconds, processed),
        checks,
        diagnostics,
      };
    });
  } finally {
    await stopChild(child, { graceMs: STOP_GRACE_MS });
  }
}

// ---------------------------------------------------------------------------------------------
// report

function formatTable(measurements: Measurement[]): string {
  const header = [
    'target',
    'round',
    'deliveries',
    'commits',
    'seconds',
    'deliveries/s',
    'commits/s',
  ];
  const rows = measurements.map((m) => [
    m.target,
    String(m.round),
    String(m.deliveries),
    String(m.commits),
    m.seconds.toFixed(2),
    m.deliveriesPerS.toFixed(0),
    m.commitsPerS.toFixed(0),
  ]);
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i])).join('  ');
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)]
    .map((text) => text.trimEnd())
    .join('\n');
}

async function main(): Promise<number> {
  const runId = randomBytes(6).toString('hex');
  const databasePrefix = `hookyard_bench_process_${runId}`;
  // Every prefix starts with redisPrefix, so one SCAN removes everything this run wrote.
  const redisPrefix = `hookyard-bench-process-${runId}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'hookyard-bench-process-'));
  const createdDatabases: string[] = [];

  const cleanup = cleanupOnExit({
    databases: createdDatabases,
    dataDir,
    redisPrefix: redisPrefix,
    childGraceMs: STOP_GRACE_MS,
  });

  const appLog = new ChildLog();
  const baselineLog = new ChildLog();
  try {
    const workload = buildWorkload(deliveryCount);
    console.log(
      `process bench: ${deliveryCount} push deliveries × ${workload.commitsPerPush} commits ` +
        `(~${workload.meanBodyBytes} bytes each), concurrency ${CONCURRENCY}, ` +
        `${rounds} round(s), ${availableParallelism()} CPUs, node ${process.version}`,
    );

    const results: TargetResult[] = [];
    const ratios: number[] = [];
    for (let round = 1; round <= rounds; round++) {
      const appDatabase = `${databasePrefix}_r${round}`;
      const baselineDatabase = `${databasePrefix}_r${round}_baseline`;
      await withAdminClient(async (client) => {
        for (const database of onlyBaseline
          ? [baselineDatabase]
          : [appDatabase, baselineDatabase]) {
          await client.query(`CREATE DATABASE "${database}"`);
          createdDatabases.push(database);
        }
      });
      const baselineResult = await runBaseline(
        round,
        workload,
        baselineDatabase,
        `${redisPrefix}-r${round}-baseline`,
        baselineLog,
      ).catch((error: unknown) => {
        throw new Error(`baseline: ${String(error)}\n${baselineLog.tail()}`);
      });
      results.push(baselineResult);
      if (onlyBaseline) continue;
      const appResult = await runApp(
        round,
        workload,
        appDatabase,
        `${redisPrefix}-r${round}-app`,
        dataDir,
        appLog,
      ).catch((error: unknown) => {
        throw new Error(`app: ${String(error)}\n${appLog.tail()}`);
      });
      results.push(appResult);
      const roundRatio =
        appResult.measurement.deliveriesPerS / baselineResult.measurement.deliveriesPerS;
      ratios.push(roundRatio);
      console.log(
        `round ${round}: app ${appResult.measurement.deliveriesPerS.toFixed(0)}/s, ` +
          `baseline ${baselineResult.measurement.deliveriesPerS.toFixed(0)}/s, ratio ${roundRatio.toFixed(2)}x`,
      );
    }

    const measurements = results.map((r) => r.measurement);
    const checks = results.flatMap((r) => r.checks);
    const baseline = medianOf(measurements.filter((m) => m.target === 'baseline'));
    const app = medianOf(measurements.filter((m) => m.target === 'app'));
    const ratio = ratios.length === 0 ? undefined : median(ratios);

    console.log(`\n${formatTable(measurements)}\n`);
    for (const c of checks) {
      console.log(
        `check ${c.target}: ${c.name} ${c.actual} (expected ${c.expected}): ${c.ok ? 'ok' : 'FAILED'}`,
      );
    }
    for (const result of results) {
      for (const [name, value] of Object.entries(result.diagnostics)) {
        console.log(`${result.measurement.target} r${result.measurement.round}: ${name}: ${value}`);
      }
    }

    mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
    writeFileSync(
      RESULTS_FILE,
      `${JSON.stringify(
        {
          benchmark: 'process',
          finishedAt: new Date().toISOString(),
          environment: { node: process.version, cpus: availableParallelism() },
          settings: {
            deliveries: deliveryCount,
            commitsPerPush: workload.commitsPerPush,
            concurrency: CONCURRENCY,
            templateBytes: workload.templateBytes,
            meanBodyBytes: workload.meanBodyBytes,
            onlyBaseline,
            rounds,
          },
          summary: {
            baseline: baseline ?? null,
            app: app ?? null,
            ratio: ratio ?? null,
            roundRatios: ratios,
          },
          checks,
          diagnostics: Object.fromEntries(
            results.map((r) => [
              `${r.measurement.target} round ${r.measurement.round}`,
              r.diagnostics,
            ]),
          ),
        },
        null,
        2,
      )}\n`,
    );

    const failures = checks.filter((c) => !c.ok);
    for (const c of failures) {
      console.error(`FAIL: ${c.target} ${c.name}: ${c.actual}, expected ${c.expected}`);
    }
    const baselineText =
      baseline === undefined ? 'baseline n/a' : `baseline ${baseline.deliveriesPerS.toFixed(0)}/s`;
    console.log(
      app === undefined || ratio === undefined
        ? `process: ${baselineText} (app skipped)`
        : `process (median of ${rounds} rounds): app ${app.deliveriesPerS.toFixed(0)} deliveries/s | ${baselineText} | ` +
            `ratio ${ratio.toFixed(2)}x (median of the rounds' ratios)`,
    );
    return failures.length > 0 ? 1 : 0;
  } finally {
    await cleanup();
  }
}

process.once('exit', () => {
  for (const child of trackedChildren) child.kill('SIGKILL');
});

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(
      `process bench failed: ${error instanceof Error ? error.message : String(error)}`,
    );
    process.exit(1);
  },
);
