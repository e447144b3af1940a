import autocannon from 'autocannon';
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { MIGRATIONS } from '../src/core/database/migrations';
import { runMigrations } from '../src/core/database/migrator';
import { parseLog } from '../src/modules/analysis/parsers';
import { FakeForge } from '../test/support/fake-forge/fake-forge';
import { ChildLog, freePort, sleep, track } from '../test/support/harness';
import { githubHeaders } from '../test/support/signing';
import {
  answers200,
  cleanupOnExit,
  databaseUrlFor,
  exitedEarly,
  positiveIntegerFromEnv,
  redisUrl,
  withAdminClient,
  withClient,
} from './support';

/**
 * Analysis benchmark:
 *  (a) parse throughput (MB/s) of the parsers on a 50 MB mixed CI log (the recorded tool logs
 *      of test/fixtures/logs between runner noise), against `grep -E` with an equivalent
 *      pattern set over the same file in the same run, with the ratio;
 *  (b) latency of the cached analysis resources over HTTP, 16 connections, with a read API key:
 *      the problems listing of a repository and one CI job's analysis (target p99 ≤ 5 ms);
 *  (c) a failed job's webhook → comment posted on the fake forge, for a 10 MB log (≤ 5 s),
 *      which includes the follow-up queue's 2 s burst window.
 * The app runs as a child process (src/main.ts through @swc-node/register), so that it does not
 * share an event loop with the load generator.
 */

const ROOT = resolve(__dirname, '..');
const LOGS = join(ROOT, 'test', 'fixtures', 'logs');
const PARSE_MB = positiveIntegerFromEnv('BENCH_PARSE_MB', 50);
const FEEDBACK_MB = positiveIntegerFromEnv('BENCH_FEEDBACK_MB', 10);
const SECONDS = positiveIntegerFromEnv('BENCH_SECONDS', 10);
const CONNECTIONS = 16;
const SEED_JOBS = positiveIntegerFromEnv('BENCH_SEED_JOBS', 40);
const ADMIN_TOKEN = `bench-admin-${randomBytes(12).toString('hex')}`;
const SECRET = 'bench-analysis-secret';
const FORGE_TOKEN = 'bench-forge-token-0123456789';

/** Runner noise between the tools' output, as CI logs have it. */
function noise(i: number): string {
  switch (i % 4) {
    case 0:
      return `npm http fetch GET 200 https://registry.npmjs.org/package-${i} ${i % 97}ms (cache hit)`;
    case 1:
      return `Downloading https://files.example.test/artifact-${i}.tar.gz (${i % 1000} kB)`;
    case 2:
      return `  [${i % 100}%] Compiling module ${i} of the workspace, elapsed ${i % 60}s`;
    default:
      return `  ✓ spec ${i} passed in ${i % 50} ms`;
  }
}

/** Every recorded tool log, then noise, repeated up to `megabytes`. */
function mixedLog(megabytes: number): string {
  const tools = readdirSync(LOGS, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .flatMap((dir) =>
      readdirSync(join(LOGS, dir.name))
        .filter((file) => file.endsWith('.log'))
        .map((file) => readFileSync(join(LOGS, dir.name, file), 'utf8')),
    );
  const target = megabytes * 1024 * 1024;
  const parts: string[] = [];
  let size = 0;
  let i = 0;
  while (size < target) {
    const block =
      tools[i % tools.length] +
      Array.from({ length: 400 }, (_, k) => noise(i * 400 + k)).join('\n') +
      '\n';
    parts.push(block);
    size += Buffer.byteLength(block);
    i += 1;
  }
  return parts.join('');
}

/** What the parsers look for, as grep -E patterns (POSIX classes: no \d). */
const GREP_PATTERNS = [
  '\\([0-9]+,[0-9]+\\): error TS[0-9]+', // tsc plain
  'error TS[0-9]+:', // tsc pretty
  '^ +[0-9]+:[0-9]+ +(error|warning) ', // eslint stylish
  '●|✕|×', // jest / vitest failures
  '^(FAILED|ERROR) |^E +|^_+ .* _+$', // pytest
  '^--- FAIL|^FAIL|\\.go:[0-9]+(:[0-9]+)?:', // go
  '"Action":"fail"', // go test -json
  '^error(\\[E[0-9]+\\])?:|panicked at|^ +--> ', // rust
  '<testcase|<failure|<error', // junit
  '\\[ERROR\\]', // maven
  ':[0-9]+:[0-9]+: (fatal )?(error|warning):', // gcc
  '(^|[^A-Za-z])[Ee]rror:', // fallback
];

function percentLine(label: string, result: autocannon.Result): string {
  return `${label}: p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, ${Math.round(result.requests.average)} req/s, ${result.non2xx} non-2xx, ${result.errors} errors`;
}

function load(url: string, token: string): Promise<autocannon.Result> {
  return new Promise((done, fail) => {
    autocannon(
      {
        url,
        connections: CONNECTIONS,
        duration: SECONDS,
        headers: { authorization: `Bearer ${token}` },
      },
      (error: Error | null, result: autocannon.Result) => (error ? fail(error) : done(result)),
    );
  });
}

function repositoryIdOf(databaseUrl: string): Promise<string> {
  return withClient(databaseUrl, async (client) => {
    const { rows } = await client.query<{ id: string }>(`SELECT id FROM repositories LIMIT 1`);
    return rows[0].id;
  });
}

async function main(): Promise<void> {
  const load1 = loadavg()
    .map((n) => n.toFixed(2))
    .join(' ');
  console.log(`load average at start: ${load1}`);
  const scratch = mkdtempSync(join(tmpdir(), 'hookyard-analysis-bench-'));
  const database = `hookyard_bench_analysis_${Date.now().toString(36)}`;
  const prefix = `hookyard-bench-analysis-${randomBytes(3).toString('hex')}`;
  const leftovers = {
    databases: [] as string[],
    dataDir: scratch,
    redisPrefix: prefix,
    childGraceMs: 5000,
  };
  const cleanup = cleanupOnExit(leftovers);
  const fake = await new FakeForge().start();
  try {
    // (a) parse throughput vs grep -E
    const log = mixedLog(PARSE_MB);
    const bytes = Buffer.byteLength(log);
    const file = join(scratch, 'mixed.log');
    writeFileSync(file, log);
    let started = performance.now();
    const parsed = parseLog(log);
    const parseS = (performance.now() - started) / 1000;
    const args = ['-E', '-c', ...GREP_PATTERNS.flatMap((p) => ['-e', p]), file];
    started = performance.now();
    const grep = spawnSync('grep', args, { encoding: 'utf8' });
    const grepS = (performance.now() - started) / 1000;
    if (grep.status !== 0) throw new Error(`grep failed: ${grep.stderr}`);
    const mb = bytes / 1048576;
    console.log(
      `(a) parse: ${mb.toFixed(1)} MB, ${parsed.problems.length} problems in ${parseS.toFixed(2)} s = ${(mb / parseS).toFixed(1)} MB/s; ` +
        `grep -E (${GREP_PATTERNS.length} patterns, ${grep.stdout.trim()} matching lines) ${grepS.toFixed(2)} s = ${(mb / grepS).toFixed(1)} MB/s; ` +
        `parse/grep speed ratio ${(grepS / parseS).toFixed(2)}`,
    );

    // The app, against the fake forge.
    fake.tokens.set(FORGE_TOKEN, 'hookyard-bot');
    await withAdminClient((client) => client.query(`CREATE DATABASE "${database}"`));
    leftovers.databases.push(database);
    const databaseUrl = databaseUrlFor(database);
    await runMigrations(databaseUrl, MIGRATIONS);
    const port = await freePort();
    const childLog = new ChildLog();
    const child = track(
      spawn(process.execPath, ['-r', '@swc-node/register', join(ROOT, 'src', 'main.ts')], {
        cwd: ROOT,
        env: {
          ...process.env,
          ROLE: 'all',
          HOST: '127.0.0.1',
          PORT: String(port),
          DATABASE_URL: databaseUrl,
          REDIS_URL: redisUrl,
          QUEUE_PREFIX: prefix,
          DATA_DIR: join(scratch, 'data'),
          ADMIN_TOKEN,
          GITHUB_WEBHOOK_SECRET: SECRET,
          GITHUB_URL: fake.url,
          GITHUB_API_URL: `${fake.url}/api/v3`,
          GITHUB_TOKEN: FORGE_TOKEN,
          API_RATE_LIMIT_PER_KEY: '0',
          API_RATE_LIMIT_ANONYMOUS: '0',
          LOG_LEVEL: 'warn',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
    );
    childLog.attach(child);
    const baseUrl = `http://127.0.0.1:${port}`;
    await Promise.race([
      answers200(`${baseUrl}/health/ready`, 120_000),
      exitedEarly(child, 'the app'),
    ]).catch((error: unknown) => {
      throw new Error(`${String(error)}\n${childLog.tail()}`);
    });
    const repo = { id: 424242, fullName: 'bench/analysis' };
    const send = async (jobId: number, sha: string, logText: string) => {
      fake.jobLogs.set(String(jobId), logText);
      const body = JSON.stringify({
        action: 'completed',
        workflow_job: {
          id: jobId,
          run_id: jobId + 1,
          name: `job ${jobId}`,
          head_sha: sha,
          head_branch: 'feature',
          status: 'completed',
          conclusion: 'failure',
          created_at: '2026-03-02T10:00:00Z',
          started_at: '2026-03-02T10:01:00Z',
          completed_at: '2026-03-02T10:05:00Z',
        },
        repository: {
          id: repo.id,
          full_name: repo.fullName,
          name: 'analysis',
          default_branch: 'main',
        },
      });
      const response = await fetch(`${baseUrl}/webhooks/github`, {
        method: 'POST',
        headers: githubHeaders(body, 'workflow_job', randomUUID(), SECRET),
        body,
      });
      if (response.status !== 202) throw new Error(`webhook answered ${response.status}`);
    };

    // (c) failed job → comment, 10 MB log
    const bigSha = randomBytes(20).toString('hex');
    fake.pullsByCommit.set(`${repo.fullName}@${bigSha}`, [1]);
    const big = mixedLog(FEEDBACK_MB);
    started = performance.now();
    await send(900001, bigSha, big);
    for (;;) {
      if (fake.commentsOn('github', repo.fullName, 1).length > 0) break;
      if (performance.now() - started > 120_000) throw new Error(`no comment\n${childLog.tail()}`);
      await sleep(20);
    }
    const feedbackS = (performance.now() - started) / 1000;
    console.log(
      `(c) failed job → comment: ${(Buffer.byteLength(big) / 1048576).toFixed(1)} MB log, ${feedbackS.toFixed(2)} s (target ≤ 5 s; includes the 2 s follow-up window)`,
    );

    // (b) cached resources over HTTP
    const tools = readdirSync(LOGS, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .flatMap((dir) =>
        readdirSync(join(LOGS, dir.name)).map((f) => readFileSync(join(LOGS, dir.name, f), 'utf8')),
      );
    for (let i = 0; i < SEED_JOBS; i++) {
      await send(910000 + i, randomBytes(20).toString('hex'), tools[i % tools.length]);
    }
    const counts = await (async () => {
      for (;;) {
        const n = await withClient(databaseUrl, async (client) => {
          const { rows } = await client.query<{ done: number; findings: number }>(
            `SELECT (SELECT count(*)::int FROM analysis_jobs WHERE status <> 'pending') AS done,
                    (SELECT count(*)::int FROM analysis_findings) AS findings`,
          );
          return rows[0];
        });
        if (n.done >= SEED_JOBS + 1) return n;
        await sleep(200);
      }
    })();
    const key = await fetch(`${baseUrl}/api/v1/admin/api-keys`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'bench-read', scopes: ['read'] }),
    });
    const readKey = ((await key.json()) as { key: string }).key;
    const jobId = await withClient(databaseUrl, async (client) => {
      const { rows } = await client.query<{ ci_job_id: string }>(
        `SELECT ci_job_id FROM analysis_findings GROUP BY 1 ORDER BY count(*) DESC LIMIT 1`,
      );
      return rows[0].ci_job_id;
    });
    console.log(`seeded: ${counts.done} analysed jobs, ${counts.findings} findings`);
    console.log(
      `load average before (b): ${loadavg()
        .map((n) => n.toFixed(2))
        .join(' ')}`,
    );
    const listing = await load(
      `${baseUrl}/api/v1/analysis/problems?repository=${encodeURIComponent(repo.fullName)}&limit=50`,
      readKey,
    );
    console.log(percentLine('(b) GET /api/v1/analysis/problems?repository=…&limit=50', listing));
    const job = await load(`${baseUrl}/api/v1/analysis/ci-jobs/${jobId}`, readKey);
    console.log(percentLine('(b) GET /api/v1/analysis/ci-jobs/{id}', job));
    const peer = await load(
      `${baseUrl}/api/v1/ci-runs?repositoryId=${await repositoryIdOf(databaseUrl)}&limit=50`,
      readKey,
    );
    console.log(percentLine('    peer: GET /api/v1/ci-runs?repositoryId=…&limit=50', peer));
    const health = await load(`${baseUrl}/health/live`, readKey);
    console.log(percentLine('    peer: GET /health/live (no database)', health));
    console.log(
      `load average at end: ${loadavg()
        .map((n) => n.toFixed(2))
        .join(' ')}`,
    );
  } finally {
    await fake.close();
    await cleanup();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
