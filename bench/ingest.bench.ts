import autocannon from 'autocannon';
import webhookDefinitions, { WebhookDefinition } from '@octokit/webhooks-examples';
import { fork, spawn } from 'node:child_process';
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ChildLog, freePort, track, trackedChildren } from '../test/support/harness';
import {
  answers200,
  databaseUrlFor,
  cleanupOnExit,
  exitedBeforeReady,
  median,
  positiveNumberFromEnv,
  redisUrl,
  withAdminClient,
  withClient,
} from './support';

/**
 * Ingest benchmark: the real app (ROLE=api) against bench/baseline-server.ts, measured in the
 * same run on the same machine, each against its own fresh database.
 *
 * Both servers run as child processes so that neither shares an event loop with autocannon.
 */

const ROOT = resolve(__dirname, '..');
const RESULTS_FILE = join(ROOT, 'bench', 'results', 'ingest-latest.json');
const CONNECTIONS = 64;
const WARMUP_S = 2;
const READY_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 5_000;
const PAYLOAD_MIN_BYTES = 7 * 1024;
const PAYLOAD_MAX_BYTES = 8 * 1024;
const APP_DELIVERIES_TABLE = 'deliveries';
const BASELINE_DELIVERIES_TABLE = 'baseline_deliveries';

const durationS = positiveNumberFromEnv('BENCH_DURATION_S', 10);
const rounds = positiveNumberFromEnv('BENCH_ROUNDS', 1);
const onlyBaseline = process.env.BENCH_ONLY_BASELINE === '1';
const appEntry = resolve(ROOT, process.env.BENCH_APP_ENTRY ?? 'dist/main.js');

type TargetName = 'baseline' | 'app';

interface Target {
  name: TargetName;
  url: string;
  database: string;
  table: string;
}

interface RunStats {
  accepted: number;
  statusCounts: Record<string, number>;
  non2xx: number;
  errors: number;
  timeouts: number;
}

interface Measurement extends RunStats {
  target: TargetName;
  round: number;
  durationS: number;
  acceptedPerS: number;
  p50Ms: number;
  p99Ms: number;
}

interface DurabilityCheck {
  target: TargetName;
  rows: number;
  accepted: number;
  ok: boolean;
}

function countRows(database: string, table: string): Promise<number> {
  return withClient(databaseUrlFor(database), async (client) => {
    const result = await client.query<{ count: string }>(`SELECT count(*) AS count FROM ${table}`);
    return Number(result.rows[0].count);
  });
}

/** The largest push example, grown with copies of its own commits until it weighs 7–8 KiB. */
function buildPushPayload(): Buffer {
  const push = webhookDefinitions.find(
    (definition): definition is WebhookDefinition<'push'> => definition.name === 'push',
  );
  if (push === undefined) throw new Error('@octokit/webhooks-examples has no push examples');
  const examples = push.examples.map((example) => structuredClone(example));
  const sizeOf = (value: unknown) => Buffer.byteLength(JSON.stringify(value));
  examples.sort((a, b) => sizeOf(b) - sizeOf(a));
  const payload = examples.find((example) => sizeOf(example) <= PAYLOAD_MAX_BYTES);
  if (payload === undefined) throw new Error('every push example is larger than 8 KiB');

  const template = payload.commits[0];
  while (sizeOf(payload) < PAYLOAD_MIN_BYTES && template !== undefined) {
    payload.commits.push({ ...template, id: randomBytes(20).toString('hex') });
  }
  const body = Buffer.from(JSON.stringify(payload));
  if (body.length < PAYLOAD_MIN_BYTES || body.length > PAYLOAD_MAX_BYTES) {
    throw new Error(`push payload is ${body.length} bytes, outside 7–8 KiB`);
  }
  return body;
}

async function startApp(env: Record<string, string>, log: ChildLog): Promise<number> {
  const port = await freePort();
  const child = track(
    spawn(process.execPath, [appEntry], {
      cwd: ROOT,
      env: { ...process.env, ...env, ROLE: 'api', HOST: '127.0.0.1', PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  log.attach(child);
  await Promise.race([
    answers200(`http://127.0.0.1:${port}/health/ready`, READY_TIMEOUT_MS),
    exitedBeforeReady(child),
  ]);
  return port;
}

async function startBaseline(databaseUrl: string, secret: string, log: ChildLog): Promise<number> {
  const child = track(
    fork(join(__dirname, 'baseline-server.ts'), [], {
      cwd: ROOT,
      execArgv: ['-r', '@swc-node/register'],
      env: { ...process.env, BASELINE_DATABASE_URL: databaseUrl, BASELINE_SECRET: secret },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    }),
  );
  log.attach(child);
  const ready = new Promise<number>((resolveReady, reject) => {
    const timer = setTimeout(() => reject(new Error('baseline not ready')), READY_TIMEOUT_MS);
    child.on('message', (message: unknown) => {
      if (
        typeof message === 'object' &&
        message !== null &&
        'type' in message &&
        message.type === 'ready' &&
        'port' in message &&
        typeof message.port === 'number'
      ) {
        clearTimeout(timer);
        resolveReady(message.port);
      }
    });
  });
  return Promise.race([ready, exitedBeforeReady(child)]);
}

let activeLoad: autocannon.Instance | undefined;

async function load(
  url: string,
  body: Buffer,
  signature: string,
  seconds: number,
): Promise<{ result: autocannon.Result; stats: RunStats }> {
  const stats: RunStats = { accepted: 0, statusCounts: {}, non2xx: 0, errors: 0, timeouts: 0 };
  const result = await new Promise<autocannon.Result>((done, fail) => {
    const instance = autocannon(
      {
        url,
        method: 'POST',
        connections: CONNECTIONS,
        duration: seconds,
        body,
        headers: {
          'content-type': 'application/json',
          'x-github-event': 'push',
          'x-github-hook-id': '1',
          'x-hub-signature-256': signature,
        },
        requests: [
          {
            setupRequest: (request) => ({
              ...request,
              headers: { ...request.headers, 'x-github-delivery': randomUUID() },
            }),
          },
        ],
      },
      (error: Error | null, finished: autocannon.Result) => {
        activeLoad = undefined;
        if (error) fail(error);
        else done(finished);
      },
    );
    activeLoad = instance;
    instance.on('response', (_client, statusCode) => {
      const key = String(statusCode);
      stats.statusCounts[key] = (stats.statusCounts[key] ?? 0) + 1;
      if (statusCode === 202) stats.accepted += 1;
    });
  });
  stats.non2xx = result.non2xx;
  stats.errors = result.errors;
  stats.timeouts = result.timeouts;
  return { result, stats };
}

function summarize(measurements: Measurement[], target: TargetName) {
  const mine = measurements.filter((m) => m.target === target);
  return {
    acceptedPerS: median(mine.map((m) => m.acceptedPerS)),
    p50Ms: median(mine.map((m) => m.p50Ms)),
    p99Ms: median(mine.map((m) => m.p99Ms)),
  };
}

function formatTable(measurements: Measurement[]): string {
  const header = ['target', 'round', 'accepted/s', 'p50 ms', 'p99 ms', '202', 'non-2xx', 'errors'];
  const rows = measurements.map((m) => [
    m.target,
    String(m.round),
    m.acceptedPerS.toFixed(0),
    m.p50Ms.toFixed(1),
    m.p99Ms.toFixed(1),
    String(m.accepted),
    m.non2xx === 0
      ? '0'
      : `${m.non2xx} (${Object.entries(m.statusCounts)
          .filter(([code]) => !code.startsWith('2'))
          .map(([code, count]) => `${code}×${count}`)
          .join(' ')})`,
    m.timeouts === 0 ? String(m.errors) : `${m.errors} (${m.timeouts} timeouts)`,
  ]);
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i])).join('  ');
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)]
    .map((text) => text.trimEnd())
    .join('\n');
}

async function main(): Promise<number> {
  const runId = randomBytes(6).toString('hex');
  const appDatabase = `hookyard_bench_${runId}`;
  const baselineDatabase = `hookyard_bench_${runId}_baseline`;
  const queuePrefix = `hookyard-bench-${runId}`;
  const secret = randomBytes(24).toString('hex');
  const adminToken = randomBytes(16).toString('hex');
  // The app writes a generated key under DATA_DIR when none is given; keep that out of the repo.
  const dataDir = mkdtempSync(join(tmpdir(), 'hookyard-bench-'));
  const createdDatabases: string[] = [];

  const cleanup = cleanupOnExit({
    databases: createdDatabases,
    dataDir,
    redisPrefix: onlyBaseline ? undefined : queuePrefix,
    childGraceMs: STOP_GRACE_MS,
    before: () => activeLoad?.stop(),
  });

  const appLog = new ChildLog();
  const baselineLog = new ChildLog();
  try {
    const body = buildPushPayload();
    const signature = `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

    await withAdminClient(async (client) => {
      for (const database of onlyBaseline ? [baselineDatabase] : [appDatabase, baselineDatabase]) {
        await client.query(`CREATE DATABASE "${database}"`);
        createdDatabases.push(database);
      }
    });

    const targets: Target[] = [];
    const baselinePort = await startBaseline(
      databaseUrlFor(baselineDatabase),
      secret,
      baselineLog,
    ).catch((error: unknown) => {
      throw new Error(`baseline: ${String(error)}\n${baselineLog.tail()}`);
    });
    targets.push({
      name: 'baseline',
      url: `http://127.0.0.1:${baselinePort}/`,
      database: baselineDatabase,
      table: BASELINE_DELIVERIES_TABLE,
    });
    if (!onlyBaseline) {
      const appPort = await startApp(
        {
          DATABASE_URL: databaseUrlFor(appDatabase),
          REDIS_URL: redisUrl,
          QUEUE_PREFIX: queuePrefix,
          GITHUB_WEBHOOK_SECRET: secret,
          ADMIN_TOKEN: adminToken,
          DATA_DIR: dataDir,
          SECRETS_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
          LOG_LEVEL: 'warn',
        },
        appLog,
      ).catch((error: unknown) => {
        throw new Error(`app: ${String(error)}\n${appLog.tail()}`);
      });
      targets.push({
        name: 'app',
        url: `http://127.0.0.1:${appPort}/webhooks/github`,
        database: appDatabase,
        table: APP_DELIVERIES_TABLE,
      });
    }

    console.log(
      `ingest bench: ${body.length}-byte push, ${CONNECTIONS} connections, ` +
        `${WARMUP_S} s warm-up + ${durationS} s × ${rounds} round(s), ` +
        `${availableParallelism()} CPUs, node ${process.version}`,
    );

    const acceptedTotal: Record<TargetName, number> = { baseline: 0, app: 0 };
    for (const target of targets) {
      const warmup = await load(target.url, body, signature, WARMUP_S);
      acceptedTotal[target.name] += warmup.stats.accepted;
    }

    const measurements: Measurement[] = [];
    for (let round = 1; round <= rounds; round++) {
      for (const target of targets) {
        const { result, stats } = await load(target.url, body, signature, durationS);
        acceptedTotal[target.name] += stats.accepted;
        measurements.push({
          target: target.name,
          round,
          durationS: result.duration,
          acceptedPerS: stats.accepted / result.duration,
          p50Ms: result.latency.p50,
          p99Ms: result.latency.p99,
          ...stats,
        });
      }
    }

    const durability: DurabilityCheck[] = [];
    for (const target of targets) {
      const rows = await countRows(target.database, target.table);
      const accepted = acceptedTotal[target.name];
      durability.push({ target: target.name, rows, accepted, ok: rows >= accepted });
    }

    const baseline = summarize(measurements, 'baseline');
    const app = onlyBaseline ? undefined : summarize(measurements, 'app');
    const ratio =
      app === undefined
        ? undefined
        : {
            throughput: app.acceptedPerS / baseline.acceptedPerS,
            p99: app.p99Ms / baseline.p99Ms,
          };

    console.log(`\n${formatTable(measurements)}\n`);
    for (const check of durability) {
      console.log(
        `durability ${check.target}: ${check.rows} rows >= ${check.accepted} answered 202 ` +
          `(warm-up included): ${check.ok ? 'ok' : 'VIOLATED'}`,
      );
    }
    if (ratio !== undefined) {
      console.log(
        `app/baseline: throughput ${ratio.throughput.toFixed(2)}x, p99 ${ratio.p99.toFixed(2)}x`,
      );
    }

    mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
    writeFileSync(
      RESULTS_FILE,
      `${JSON.stringify(
        {
          benchmark: 'ingest',
          finishedAt: new Date().toISOString(),
          environment: { node: process.version, cpus: availableParallelism() },
          settings: {
            connections: CONNECTIONS,
            warmupS: WARMUP_S,
            durationS,
            rounds,
            payloadBytes: body.length,
            onlyBaseline,
          },
          summary: { baseline, app: app ?? null, ratio: ratio ?? null },
          measurements,
          durability,
        },
        null,
        2,
      )}\n`,
    );

    let failed = false;
    for (const check of durability) {
      if (!check.ok) {
        console.error(`FAIL: ${check.target} answered 202 more often than it stored rows`);
        failed = true;
      }
    }
    for (const m of measurements) {
      if (m.accepted === 0) {
        console.error(`FAIL: ${m.target} accepted nothing in round ${m.round}`);
        failed = true;
      }
    }
    const baselineText = `baseline ${baseline.acceptedPerS.toFixed(0)}/s p99 ${baseline.p99Ms.toFixed(1)} ms`;
    console.log(
      app === undefined || ratio === undefined
        ? `ingest: ${baselineText} (app skipped)`
        : `ingest: app ${app.acceptedPerS.toFixed(0)} accepted/s p99 ${app.p99Ms.toFixed(1)} ms | ` +
            `${baselineText} | ratio ${ratio.throughput.toFixed(2)}x (p99 ${ratio.p99.toFixed(2)}x)`,
    );
    return failed ? 1 : 0;
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
    console.error(`ingest bench failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
