import autocannon from 'autocannon';
import webhookDefinitions, { WebhookDefinition } from '@octokit/webhooks-examples';
import { ChildProcess, fork, spawn } from 'node:child_process';
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ChildLog, freePort, track, trackedChildren } from '../test/support/harness';
import { PEER_PATH } from './peer-server';
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
 * Ingest benchmark, three servers measured in the same run on the same machine, alternating
 * round by round:
 * - app: the real app (ROLE=api), through the WebhookSignatureGuard and the controller;
 * - baseline: bench/baseline-server.ts, the least a durable receiver can do (own database);
 * - peer: bench/peer-server.ts, what a Node team writes by hand (@octokit/webhooks' node
 *   middleware + one BullMQ queue.add per delivery; durable only as far as Redis is).
 *
 * Every server runs as a child process so that none shares an event loop with autocannon.
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
/** The goal of issue 19: at least this share of the peer's throughput, at this p99. */
const TARGET_PEER_RATIO = 0.85;
const TARGET_P99_MS = 50;
const BASELINE_DELIVERIES_TABLE = 'baseline_deliveries';

const durationS = positiveNumberFromEnv('BENCH_DURATION_S', 10);
const rounds = positiveNumberFromEnv('BENCH_ROUNDS', 1);
const onlyBaseline = process.env.BENCH_ONLY_BASELINE === '1';
const appEntry = resolve(ROOT, process.env.BENCH_APP_ENTRY ?? 'dist/main.js');

type TargetName = 'baseline' | 'app' | 'peer';

interface Target {
  name: TargetName;
  url: string;
  /** The answer that means "accepted" (the peer's middleware answers 200 "ok"). */
  acceptedStatus: number;
  /** Where accepted deliveries must be, for the durability check (the peer has none). */
  stored?: { database: string; table: string };
  /** Runs before each measured load (the peer empties its queue). */
  beforeLoad?: () => Promise<void>;
  /** The server's process, whose CPU time per accepted delivery is measured. */
  pid?: number;
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
  /** CPU time of the server process per accepted delivery (null where /proc is not there). */
  cpuUsPerDelivery: number | null;
}

/** Clock ticks per second of /proc/<pid>/stat (USER_HZ, 100 on every Linux port). */
const USER_HZ = 100;

/**
 * CPU time a process has used so far (user + system), in microseconds, or null where there is
 * no /proc. Unlike throughput, CPU per delivery hardly moves when other processes load the
 * machine, so it is the figure to compare between runs on a busy machine.
 */
function cpuTimeUs(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces), which ends at the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? (ticks * 1_000_000) / USER_HZ : null;
  } catch {
    return null;
  }
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

async function startApp(
  env: Record<string, string>,
  log: ChildLog,
): Promise<{ port: number; pid: number | undefined }> {
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
  return { port, pid: child.pid };
}

function isMessage(message: unknown, type: string): message is Record<string, unknown> {
  return (
    typeof message === 'object' && message !== null && 'type' in message && message.type === type
  );
}

/** Forks a bench server (baseline or peer) and waits for its "ready" message with the port. */
async function forkServer(
  file: string,
  env: Record<string, string>,
  log: ChildLog,
): Promise<{ port: number; child: ChildProcess }> {
  const child = track(
    fork(join(__dirname, file), [], {
      cwd: ROOT,
      execArgv: ['-r', '@swc-node/register'],
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    }),
  );
  log.attach(child);
  const ready = new Promise<number>((resolveReady, reject) => {
    const timer = setTimeout(() => reject(new Error(`${file} not ready`)), READY_TIMEOUT_MS);
    child.on('message', (message: unknown) => {
      if (isMessage(message, 'ready') && typeof message.port === 'number') {
        clearTimeout(timer);
        resolveReady(message.port);
      }
    });
  });
  const port = await Promise.race([ready, exitedBeforeReady(child)]);
  return { port, child };
}

/** Asks the peer to empty its queue and waits until it has. */
function drainPeer(child: ChildProcess): Promise<void> {
  return new Promise((resolveDrained, reject) => {
    const onMessage = (message: unknown) => {
      if (!isMessage(message, 'drained')) return;
      child.off('message', onMessage);
      if (typeof message.error === 'string') reject(new Error(`peer drain: ${message.error}`));
      else resolveDrained();
    };
    child.on('message', onMessage);
    child.send({ type: 'drain' });
  });
}

let activeLoad: autocannon.Instance | undefined;

async function load(
  target: Target,
  body: Buffer,
  signature: string,
  seconds: number,
): Promise<{ result: autocannon.Result; stats: RunStats; cpuUs: number | null }> {
  await target.beforeLoad?.();
  const cpuBefore = cpuTimeUs(target.pid);
  const { url } = target;
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
      if (statusCode === target.acceptedStatus) stats.accepted += 1;
    });
  });
  stats.non2xx = result.non2xx;
  stats.errors = result.errors;
  stats.timeouts = result.timeouts;
  const cpuAfter = cpuTimeUs(target.pid);
  const cpuUs = cpuBefore === null || cpuAfter === null ? null : cpuAfter - cpuBefore;
  return { result, stats, cpuUs };
}

interface Summary {
  acceptedPerS: number;
  p50Ms: number;
  p99Ms: number;
  cpuUsPerDelivery: number | null;
}

function summarize(measurements: Measurement[], target: TargetName): Summary {
  const mine = measurements.filter((m) => m.target === target);
  return {
    acceptedPerS: median(mine.map((m) => m.acceptedPerS)),
    p50Ms: median(mine.map((m) => m.p50Ms)),
    p99Ms: median(mine.map((m) => m.p99Ms)),
    cpuUsPerDelivery: mine.every((m) => m.cpuUsPerDelivery !== null)
      ? median(mine.map((m) => m.cpuUsPerDelivery ?? 0))
      : null,
  };
}

function formatTable(measurements: Measurement[]): string {
  const header = [
    'target',
    'round',
    'accepted/s',
    'p50 ms',
    'p99 ms',
    'CPU µs/delivery',
    'accepted',
    'non-2xx',
    'errors',
  ];
  const rows = measurements.map((m) => [
    m.target,
    String(m.round),
    m.acceptedPerS.toFixed(0),
    m.p50Ms.toFixed(1),
    m.p99Ms.toFixed(1),
    m.cpuUsPerDelivery === null ? '-' : m.cpuUsPerDelivery.toFixed(0),
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
  const peerPrefix = `hookyard-bench-${runId}-peer`;
  const secret = randomBytes(24).toString('hex');
  const adminToken = randomBytes(16).toString('hex');
  // The app writes a generated key under DATA_DIR when none is given; keep that out of the repo.
  const dataDir = mkdtempSync(join(tmpdir(), 'hookyard-bench-'));
  const createdDatabases: string[] = [];

  // The prefix covers the peer's keys too (`${queuePrefix}-peer:…`).
  const cleanup = cleanupOnExit({
    databases: createdDatabases,
    dataDir,
    redisPrefix: onlyBaseline ? undefined : queuePrefix,
    childGraceMs: STOP_GRACE_MS,
    before: () => activeLoad?.stop(),
  });

  const appLog = new ChildLog();
  const baselineLog = new ChildLog();
  const peerLog = new ChildLog();
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
    if (!onlyBaseline) {
      const app = await startApp(
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
        url: `http://127.0.0.1:${app.port}/webhooks/github`,
        acceptedStatus: 202,
        pid: app.pid,
        stored: { database: appDatabase, table: APP_DELIVERIES_TABLE },
      });
    }
    const baseline = await forkServer(
      'baseline-server.ts',
      { BASELINE_DATABASE_URL: databaseUrlFor(baselineDatabase), BASELINE_SECRET: secret },
      baselineLog,
    ).catch((error: unknown) => {
      throw new Error(`baseline: ${String(error)}\n${baselineLog.tail()}`);
    });
    targets.push({
      name: 'baseline',
      url: `http://127.0.0.1:${baseline.port}/`,
      acceptedStatus: 202,
      pid: baseline.child.pid,
      stored: { database: baselineDatabase, table: BASELINE_DELIVERIES_TABLE },
    });
    if (!onlyBaseline) {
      const peer = await forkServer(
        'peer-server.ts',
        { PEER_SECRET: secret, PEER_REDIS_URL: redisUrl, PEER_QUEUE_PREFIX: peerPrefix },
        peerLog,
      ).catch((error: unknown) => {
        throw new Error(`peer: ${String(error)}\n${peerLog.tail()}`);
      });
      targets.push({
        name: 'peer',
        url: `http://127.0.0.1:${peer.port}${PEER_PATH}`,
        acceptedStatus: 200,
        beforeLoad: () => drainPeer(peer.child),
        pid: peer.child.pid,
      });
    }

    console.log(
      `ingest bench: ${body.length}-byte push, ${CONNECTIONS} connections, ` +
        `${WARMUP_S} s warm-up + ${durationS} s × ${rounds} round(s), alternating ` +
        `${targets.map((t) => t.name).join(' / ')}, ${availableParallelism()} CPUs, node ${process.version}`,
    );

    const acceptedTotal: Record<TargetName, number> = { baseline: 0, app: 0, peer: 0 };
    for (const target of targets) {
      const warmup = await load(target, body, signature, WARMUP_S);
      acceptedTotal[target.name] += warmup.stats.accepted;
    }

    const measurements: Measurement[] = [];
    for (let round = 1; round <= rounds; round++) {
      // Alternate the order too, so that no target always runs right after the same one.
      const order = round % 2 === 1 ? targets : [...targets].reverse();
      for (const target of order) {
        const { result, stats, cpuUs } = await load(target, body, signature, durationS);
        acceptedTotal[target.name] += stats.accepted;
        measurements.push({
          target: target.name,
          round,
          durationS: result.duration,
          acceptedPerS: stats.accepted / result.duration,
          p50Ms: result.latency.p50,
          p99Ms: result.latency.p99,
          cpuUsPerDelivery: cpuUs === null || stats.accepted === 0 ? null : cpuUs / stats.accepted,
          ...stats,
        });
      }
    }

    const durability: DurabilityCheck[] = [];
    for (const target of targets) {
      if (target.stored === undefined) continue;
      const rows = await countRows(target.stored.database, target.stored.table);
      const accepted = acceptedTotal[target.name];
      durability.push({ target: target.name, rows, accepted, ok: rows >= accepted });
    }

    const summary = Object.fromEntries(
      targets.map((target) => [target.name, summarize(measurements, target.name)]),
    ) as Partial<Record<TargetName, Summary>>;
    const ratioOf = (a: Summary | undefined, b: Summary | undefined) =>
      a === undefined || b === undefined
        ? undefined
        : {
            throughput: a.acceptedPerS / b.acceptedPerS,
            p99: a.p99Ms / b.p99Ms,
            cpuPerDelivery:
              a.cpuUsPerDelivery === null || b.cpuUsPerDelivery === null
                ? null
                : a.cpuUsPerDelivery / b.cpuUsPerDelivery,
          };
    const ratios = {
      appToPeer: ratioOf(summary.app, summary.peer),
      appToBaseline: ratioOf(summary.app, summary.baseline),
    };

    console.log(`\n${formatTable(measurements)}\n`);
    for (const check of durability) {
      console.log(
        `durability ${check.target}: ${check.rows} rows >= ${check.accepted} answered 202 ` +
          `(warm-up included): ${check.ok ? 'ok' : 'VIOLATED'}`,
      );
    }
    for (const [name, ratio] of Object.entries(ratios)) {
      if (ratio === undefined) continue;
      console.log(
        `${name === 'appToPeer' ? 'app/peer' : 'app/baseline'}: throughput ` +
          `${ratio.throughput.toFixed(2)}x, p99 ${ratio.p99.toFixed(2)}x` +
          (ratio.cpuPerDelivery === null
            ? ''
            : `, server CPU per delivery ${ratio.cpuPerDelivery.toFixed(2)}x`),
      );
    }
    const target =
      summary.app === undefined || ratios.appToPeer === undefined
        ? undefined
        : {
            throughputVsPeer: ratios.appToPeer.throughput,
            p99Ms: summary.app.p99Ms,
            met:
              ratios.appToPeer.throughput >= TARGET_PEER_RATIO &&
              summary.app.p99Ms <= TARGET_P99_MS,
          };
    if (target !== undefined) {
      console.log(
        `target (>= ${TARGET_PEER_RATIO}x the peer's throughput, p99 <= ${TARGET_P99_MS} ms): ` +
          `${target.met ? 'met' : 'MISSED'} (${target.throughputVsPeer.toFixed(2)}x, p99 ${target.p99Ms} ms)`,
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
          summary: { ...summary, ratios, target: target ?? null },
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
    const line = (name: TargetName) => {
      const s = summary[name];
      return s === undefined
        ? undefined
        : `${name} ${s.acceptedPerS.toFixed(0)}/s p50 ${s.p50Ms.toFixed(1)} ms p99 ${s.p99Ms.toFixed(1)} ms` +
            (s.cpuUsPerDelivery === null ? '' : ` ${s.cpuUsPerDelivery.toFixed(0)} µs CPU`);
    };
    console.log(
      `ingest: ${(['app', 'peer', 'baseline'] as const)
        .map(line)
        .filter((text) => text !== undefined)
        .join(' | ')}`,
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
