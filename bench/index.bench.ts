import { spawn, spawnSync } from 'node:child_process';
import { createHmac, randomBytes, randomInt, randomUUID } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  statSync,
  writeFileSync,
  appendFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { MIGRATIONS } from '../src/core/database/migrations';
import { runMigrations } from '../src/core/database/migrator';
import { ChildLog, freePort, sleep, track } from '../test/support/harness';
import { GitServer, WorkingCopy } from '../test/support/git-server';
import {
  answers200,
  cleanupOnExit,
  databaseUrlFor,
  exitedEarly,
  median,
  positiveIntegerFromEnv,
  redisUrl,
  withAdminClient,
  withClient,
} from './support';

/**
 * Code index benchmark. A corpus of real source (node_modules' JavaScript and TypeScript, then
 * the Go, Python and JDK sources installed on the machine, until BENCH_CORPUS_MB) is committed
 * into a repository on a loopback git server (git http-backend). The real app (dist/main.js,
 * ROLE=all) indexes it through a push webhook, then takes pushes of 50 changed files, and
 * answers queries that git grep and ripgrep answer over the same checkout in the same run.
 */

const ROOT = resolve(__dirname, '..');
const RESULTS_FILE = join(ROOT, 'bench', 'results', 'index-latest.json');
const corpusTargetMb = positiveIntegerFromEnv('BENCH_CORPUS_MB', 210);
const pushRounds = positiveIntegerFromEnv('BENCH_PUSHES', 10);
const queryRuns = positiveIntegerFromEnv('BENCH_QUERY_RUNS', 20);
const peerRuns = positiveIntegerFromEnv('BENCH_PEER_RUNS', 5);
/** BENCH_KEEP_DATABASE=1 leaves the database behind (named in the output) for EXPLAIN ANALYZE. */
const keepDatabase = process.env.BENCH_KEEP_DATABASE === '1';
const FILES_PER_PUSH = 50;
const MAX_FILE_BYTES = 1024 * 1024;
const SECRET = 'bench-github-secret';
const ADMIN_TOKEN = randomBytes(16).toString('hex');
const ZERO = '0'.repeat(40);
const SOURCE_EXTENSIONS = /\.(ts|tsx|js|mjs|cjs|jsx|go|py|java|rs)$/;

// ---------------------------------------------------------------------------------------------
// corpus

interface CorpusFile {
  from: string;
  to: string;
  size: number;
}

function* walk(dir: string): Generator<string> {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory() || (entry.isSymbolicLink() && isDirectory(path))) yield* walk(path);
    else if (entry.isFile()) yield path;
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** Real source files from what this machine has, in a stable order, up to `targetBytes`. */
function collectCorpus(targetBytes: number, scratch: string): CorpusFile[] {
  const sources: Array<{ dir: string; prefix: string }> = [
    { dir: join(ROOT, 'node_modules'), prefix: 'js' },
  ];
  for (const go of readdirSync('/usr/lib').filter((n) => n.startsWith('go-'))) {
    sources.push({ dir: join('/usr/lib', go, 'src'), prefix: 'go' });
  }
  for (const py of readdirSync('/usr/lib').filter((n) => /^python3\.\d+$/.test(n))) {
    sources.push({ dir: join('/usr/lib', py), prefix: 'python' });
  }
  const jvm = '/usr/lib/jvm';
  for (const jdk of existsSync(jvm) ? readdirSync(jvm).sort().reverse() : []) {
    const zip = join(jvm, jdk, 'lib', 'src.zip');
    if (!existsSync(zip)) continue;
    const out = join(scratch, `jdk-${jdk}`);
    spawnSync('unzip', ['-q', '-o', zip, '*.java', '-d', out]);
    sources.push({ dir: out, prefix: 'java' });
    break;
  }
  const files: CorpusFile[] = [];
  let total = 0;
  for (const source of sources) {
    for (const path of walk(source.dir)) {
      if (!SOURCE_EXTENSIONS.test(path)) continue;
      const size = statSync(path).size;
      if (size === 0 || size > MAX_FILE_BYTES) continue;
      // node_modules/ would be excluded by the index's defaults: keep the package paths only.
      const to = join(
        source.prefix,
        relative(source.dir, path).replace(/(^|\/)node_modules\//g, '$1pkgs/'),
      );
      files.push({ from: path, to, size });
      total += size;
      if (total >= targetBytes) return files;
    }
  }
  throw new Error(`only ${(total / 1048576).toFixed(0)} MB of source found; lower BENCH_CORPUS_MB`);
}

// ---------------------------------------------------------------------------------------------
// mirrors: full against partial clone

interface MirrorMeasure {
  fetchMs: number;
  bytes: number;
  /** Reading 50 blobs afterwards (a partial clone fetches each missing one on demand). */
  read50BlobsMs: number;
}

function gitIn(gitDir: string, args: string[], input?: string): string {
  const result = spawnSync('git', [`--git-dir=${gitDir}`, ...args], {
    input,
    encoding: 'utf8',
    maxBuffer: 1024 * 1024 * 1024,
    env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' },
  });
  if (result.status !== 0) throw new Error(`git ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}

/**
 * What a mirror costs fetched whole (as the indexer does) and as a blob-less partial clone
 * (`--filter=blob:none`), over the same loopback git server, and what reading 50 blobs then
 * costs in each.
 */
/** Runs git without blocking the event loop (the loopback git server runs in this process). */
function gitAsync(args: string[], input?: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, {
      env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' },
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`git ${args.join(' ')}: ${stderr}`)),
    );
    child.stdin.end(input ?? '');
  });
}

async function measureMirrors(
  server: GitServer,
  work: WorkingCopy,
  fullName: string,
  scratch: string,
): Promise<{ full: MirrorMeasure; blobless: MirrorMeasure }> {
  gitIn(work.bare, ['config', 'uploadpack.allowFilter', 'true']);
  const blobs = gitIn(work.bare, ['ls-tree', '-r', 'HEAD'])
    .split('\n')
    .filter((l) => l.includes(' blob '))
    .map((l) => l.split(/\s+/)[2]);
  const sample = Array.from({ length: 50 }, () => blobs[randomInt(blobs.length)]);
  const measure = async (name: string, filter: string[]): Promise<MirrorMeasure> => {
    const dir = join(scratch, `mirror-${name}.git`);
    let started = performance.now();
    await gitAsync([
      'clone',
      '--quiet',
      '--bare',
      '--no-tags',
      ...filter,
      `${server.url}/${fullName}.git`,
      dir,
    ]);
    const fetchMs = performance.now() - started;
    const bytes = Number(spawnSync('du', ['-sb', dir], { encoding: 'utf8' }).stdout.split('\t')[0]);
    started = performance.now();
    await gitAsync([`--git-dir=${dir}`, 'cat-file', '--batch'], `${sample.join('\n')}\n`);
    return { fetchMs: round1(fetchMs), bytes, read50BlobsMs: round1(performance.now() - started) };
  };
  return {
    full: await measure('full', []),
    blobless: await measure('blobless', ['--filter=blob:none']),
  };
}

// ---------------------------------------------------------------------------------------------
// app and webhooks

class App {
  constructor(
    readonly baseUrl: string,
    private readonly externalId: number,
    private readonly fullName: string,
    private readonly gitUrl: string,
  ) {}

  async get<T>(path: string): Promise<T> {
    let response = await this.fetch(path);
    // 503 means "retry later" (e.g. a query timed out on this busy machine): a client retries.
    for (let retry = 0; response.status === 503 && retry < 5; retry++) {
      await sleep(200);
      response = await this.fetch(path);
    }
    if (response.status !== 200)
      throw new Error(`GET ${path}: ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  }

  private async fetch(path: string): Promise<Response> {
    const send = () =>
      fetch(`${this.baseUrl}${path}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    try {
      return await send();
    } catch {
      // A keep-alive connection the server closed while the bench ran git grep: a new one.
      return send();
    }
  }

  async push(before: string, after: string): Promise<void> {
    const body = JSON.stringify({
      ref: 'refs/heads/main',
      before,
      after,
      created: before === ZERO,
      deleted: false,
      forced: false,
      repository: {
        id: this.externalId,
        name: 'corpus',
        full_name: this.fullName,
        html_url: `${this.gitUrl}/${this.fullName}`,
        default_branch: 'main',
        pushed_at: Math.floor(Date.now() / 1000),
        owner: { login: 'bench', id: this.externalId, type: 'Organization' },
      },
      pusher: { name: 'bench', email: 'bench@example.com' },
      sender: { login: 'bench', id: 1, type: 'User' },
      commits: [
        {
          id: after,
          message: 'bench push',
          timestamp: new Date().toISOString(),
          author: { name: 'bench', email: 'bench@example.com' },
          added: [],
          removed: [],
          modified: [],
        },
      ],
    });
    const response = await fetch(`${this.baseUrl}/webhooks/github`, {
      method: 'POST',
      body,
      headers: {
        'content-type': 'application/json',
        'x-github-event': 'push',
        'x-github-delivery': randomUUID(),
        'x-github-hook-id': '1',
        'x-hub-signature-256': `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`,
      },
    });
    if (response.status !== 202)
      throw new Error(`webhook: ${response.status} ${await response.text()}`);
  }
}

interface IndexStatus {
  status: string;
  commitSha: string | null;
  indexedAt: string | null;
  files: number;
  bytes: number;
  skipped: number;
  lastError: string | null;
  lastRun: { changedFiles: number; tookMs: number; blobsRead: number; full: boolean } | null;
}

async function waitForIndex(
  app: App,
  repositoryId: () => Promise<string | undefined>,
  commit: string,
  timeoutMs: number,
): Promise<IndexStatus> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const id = await repositoryId();
    if (id) {
      const status = await app.get<IndexStatus>(`/api/v1/repositories/${id}/index`);
      if (status.status === 'failed') throw new Error(`indexing failed: ${status.lastError}`);
      if (status.status === 'ready' && status.commitSha === commit) return status;
    }
    await sleep(50);
  }
  throw new Error(`the index did not reach ${commit} within ${timeoutMs / 1000} s`);
}

// ---------------------------------------------------------------------------------------------
// measuring

const percentile = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
};
const round1 = (n: number) => Math.round(n * 10) / 10;

function timeCommand(command: string, args: string[], cwd: string): { ms: number; lines: number } {
  const started = performance.now();
  const result = spawnSync(command, args, { cwd, maxBuffer: 1024 * 1024 * 1024, encoding: 'utf8' });
  const ms = performance.now() - started;
  if (result.status !== 0 && result.status !== 1) {
    throw new Error(`${command} ${args.join(' ')}: exit ${result.status} ${result.stderr}`);
  }
  return { ms, lines: result.stdout.split('\n').filter(Boolean).length };
}

interface QueryResult {
  name: string;
  query: string;
  hits: number;
  index: { p50: number; p95: number };
  gitGrep: { median: number; lines: number };
  ripgrep: { median: number; lines: number };
  speedupVsRipgrep: number;
  speedupVsGitGrep: number;
}

async function measureQuery(
  app: App,
  checkout: string,
  name: string,
  apiPath: string,
  peers: { git: string[]; rg: string[] },
): Promise<QueryResult> {
  const times: number[] = [];
  let hits = 0;
  for (let i = 0; i < queryRuns + 2; i++) {
    const started = performance.now();
    const body = await app.get<{ items: unknown[] }>(apiPath);
    const ms = performance.now() - started;
    hits = body.items.length;
    if (i >= 2) times.push(ms); // the first two warm the caches, as the peers' first runs do
  }
  const gitTimes: number[] = [];
  const rgTimes: number[] = [];
  let gitLines = 0;
  let rgLines = 0;
  for (let i = 0; i < peerRuns + 1; i++) {
    const g = timeCommand('git', ['grep', '-n', ...peers.git], checkout);
    // The path is explicit: without one, ripgrep run with a pipe for stdin searches stdin.
    const r = timeCommand(
      'rg',
      ['-n', '--no-ignore', '--hidden', '--glob', '!.git', ...peers.rg, '--', '.'],
      checkout,
    );
    if (i > 0) {
      gitTimes.push(g.ms);
      rgTimes.push(r.ms);
    }
    gitLines = g.lines;
    rgLines = r.lines;
  }
  if (rgLines !== gitLines) {
    console.warn(`  ${name}: ripgrep printed ${rgLines} lines, git grep ${gitLines}`);
  }
  const index = { p50: round1(percentile(times, 50)), p95: round1(percentile(times, 95)) };
  return {
    name,
    query: apiPath,
    hits,
    index,
    gitGrep: { median: round1(median(gitTimes)), lines: gitLines },
    ripgrep: { median: round1(median(rgTimes)), lines: rgLines },
    speedupVsRipgrep: round1(median(rgTimes) / index.p50),
    speedupVsGitGrep: round1(median(gitTimes) / index.p50),
  };
}

/** Long identifiers from random corpus files: selective literals, as people search for them. */
function pickSelectiveLiterals(work: WorkingCopy, files: CorpusFile[], count: number): string[] {
  const picked: string[] = [];
  for (let attempt = 0; picked.length < count && attempt < 500; attempt++) {
    const file = files[randomInt(files.length)];
    const text = spawnSync('cat', [join(work.dir, file.to)], {
      encoding: 'utf8',
      maxBuffer: 4 << 20,
    }).stdout;
    const words = text.match(/\b[A-Za-z][A-Za-z0-9]{11,30}\b/g) ?? [];
    if (words.length === 0) continue;
    const word = words[randomInt(words.length)];
    if (picked.includes(word)) continue;
    const matching = timeCommand('git', ['grep', '-l', '-F', word], work.dir).lines;
    if (matching >= 1 && matching <= 10) picked.push(word);
  }
  return picked;
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const scratch = mkdtempSync(join(tmpdir(), 'hookyard-bench-index-'));
  const database = `hookyard_bench_index_${randomBytes(4).toString('hex')}`;
  const prefix = `hookyard-bench-index-${randomBytes(4).toString('hex')}`;
  const leftovers = {
    databases: [] as string[],
    dataDir: scratch,
    redisPrefix: prefix,
    childGraceMs: 10_000,
  };
  const cleanup = cleanupOnExit(leftovers);
  const server = await GitServer.start();
  try {
    // Corpus
    let started = performance.now();
    const files = collectCorpus(corpusTargetMb * 1048576, scratch);
    const corpusBytes = files.reduce((sum, f) => sum + f.size, 0);
    const fullName = 'bench/corpus';
    const work = server.createRepository(fullName);
    for (const file of files) {
      mkdirSync(dirname(join(work.dir, file.to)), { recursive: true });
      copyFileSync(file.from, join(work.dir, file.to));
    }
    // No .gitattributes from the packages: every file is source to index.
    const first = work.commit('corpus');
    work.push();
    const byLanguage = new Map<string, number>();
    for (const f of files)
      byLanguage.set(f.to.split('/')[0], (byLanguage.get(f.to.split('/')[0]) ?? 0) + f.size);
    console.log(
      `corpus: ${files.length} files, ${(corpusBytes / 1048576).toFixed(1)} MB (${[...byLanguage].map(([k, v]) => `${k} ${(v / 1048576).toFixed(0)} MB`).join(', ')}), committed in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );

    const mirrors = await measureMirrors(server, work, fullName, scratch).catch(
      (error: unknown) => {
        console.error(`mirror comparison failed: ${String(error)}`);
        return undefined;
      },
    );
    if (mirrors) {
      console.log(
        `mirror fetch: full ${(mirrors.full.fetchMs / 1000).toFixed(1)} s, ${(mirrors.full.bytes / 1048576).toFixed(0)} MB, then 50 blobs read in ${mirrors.full.read50BlobsMs} ms; --filter=blob:none ${(mirrors.blobless.fetchMs / 1000).toFixed(1)} s, ${(mirrors.blobless.bytes / 1048576).toFixed(0)} MB, then 50 blobs read (fetched on demand) in ${mirrors.blobless.read50BlobsMs} ms`,
      );
    }

    // App
    await withAdminClient((client) => client.query(`CREATE DATABASE "${database}"`));
    if (keepDatabase) console.log(`database kept: ${database}`);
    else leftovers.databases.push(database);
    const databaseUrl = databaseUrlFor(database);
    await runMigrations(databaseUrl, MIGRATIONS);
    const port = await freePort();
    const log = new ChildLog();
    const child = track(
      spawn(process.execPath, [join(ROOT, 'dist', 'main.js')], {
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
          SECRETS_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
          GITHUB_WEBHOOK_SECRET: SECRET,
          GITHUB_URL: server.url,
          LOG_LEVEL: 'warn',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
    );
    log.attach(child);
    const baseUrl = `http://127.0.0.1:${port}`;
    await Promise.race([
      answers200(`${baseUrl}/health/ready`, 60_000),
      exitedEarly(child, 'the app'),
    ]).catch((error: unknown) => {
      throw new Error(`${String(error)}\n${log.tail()}`);
    });
    const externalId = randomInt(1_000_000, 2_000_000_000);
    const app = new App(baseUrl, externalId, fullName, server.url);
    const repositoryId = () =>
      withClient(databaseUrl, async (client) => {
        const { rows } = await client.query<{ id: string }>(
          `SELECT id FROM repositories WHERE provider = 'github' AND external_id = $1`,
          [String(externalId)],
        );
        return rows[0]?.id;
      });

    // Full index
    started = performance.now();
    await app.push(ZERO, first);
    const full = await waitForIndex(app, repositoryId, first, 30 * 60_000);
    const fullWallMs = performance.now() - started;
    const fullRun = full.lastRun?.tookMs ?? fullWallMs;
    console.log(
      `full index: ${full.files} files, ${(full.bytes / 1048576).toFixed(1)} MB in ${(fullRun / 1000).toFixed(1)} s run (${(full.bytes / 1048576 / (fullRun / 1000)).toFixed(2)} MB/s), ${(fullWallMs / 1000).toFixed(1)} s from the webhook; ${full.skipped} skipped`,
    );
    const id = (await repositoryId()) ?? '';
    const sizes = await withClient(databaseUrl, async (client) => {
      const { rows } = await client.query<{ name: string; bytes: string }>(
        `SELECT relname AS name, pg_total_relation_size(oid)::text AS bytes FROM pg_class
         WHERE relname IN ('code_blobs', 'code_chunks', 'code_symbols', 'code_index_files', 'code_index_refs', 'code_indexes')`,
      );
      return Object.fromEntries(rows.map((r) => [r.name, Number(r.bytes)]));
    });
    const symbolCount = await withClient(databaseUrl, async (client) =>
      Number(
        (await client.query<{ n: string }>('SELECT count(*) AS n FROM code_symbols')).rows[0].n,
      ),
    );
    const databaseBytes = Object.values(sizes).reduce((a, b) => a + b, 0);
    const mirrorBytes = Number(
      spawnSync('du', ['-sb', join(scratch, 'data', 'index')], { encoding: 'utf8' }).stdout.split(
        '\t',
      )[0],
    );
    console.log(
      `index size: ${(databaseBytes / 1048576).toFixed(0)} MB in PostgreSQL (${(databaseBytes / full.bytes).toFixed(2)}x the indexed bytes; ${symbolCount} symbols), mirror ${(mirrorBytes / 1048576).toFixed(0)} MB`,
    );

    // Pushes of 50 changed files → searchable
    const pushLatencies: number[] = [];
    const pushRuns: Array<{ wallMs: number; runMs: number; blobsRead: number }> = [];
    let head = first;
    const textFiles = files.filter((f) => f.size < MAX_FILE_BYTES - 100);
    for (let round = 0; round < pushRounds; round++) {
      const token = `benchToken${round}x${randomBytes(6).toString('hex')}`;
      const chosen = new Set<number>();
      while (chosen.size < FILES_PER_PUSH) chosen.add(randomInt(textFiles.length));
      for (const i of chosen) appendFileSync(join(work.dir, textFiles[i].to), `\n// ${token}\n`);
      const next = work.commit(`push ${round}`);
      work.push();
      const pushStarted = performance.now();
      await app.push(head, next);
      for (;;) {
        const found = await app.get<{ items: unknown[] }>(
          `/api/v1/search/code?q=${token}&caseSensitive=true&limit=200`,
        );
        if (found.items.length === FILES_PER_PUSH) break;
        await sleep(20);
      }
      pushLatencies.push(performance.now() - pushStarted);
      const status = await app.get<IndexStatus>(`/api/v1/repositories/${id}/index`);
      pushRuns.push({
        wallMs: round1(pushLatencies[pushLatencies.length - 1]),
        runMs: status.lastRun?.tookMs ?? 0,
        blobsRead: status.lastRun?.blobsRead ?? 0,
      });
      head = next;
    }
    const push = {
      p50: round1(percentile(pushLatencies, 50)),
      p95: round1(percentile(pushLatencies, 95)),
      runs: pushRuns,
    };
    console.log(
      `push of ${FILES_PER_PUSH} files → searchable: p50 ${push.p50} ms, p95 ${push.p95} ms (includes the ${2000} ms follow-up coalescing window); index run p50 ${median(pushRuns.map((r) => r.runMs))} ms, blobs read ${pushRuns.map((r) => r.blobsRead).join('/')}`,
    );

    // Queries against git grep and ripgrep over the same checkout
    const literals = pickSelectiveLiterals(work, files, 5);
    const queries: QueryResult[] = [];
    for (const literal of literals) {
      queries.push(
        await measureQuery(
          app,
          work.dir,
          `literal ${literal}`,
          `/api/v1/search/code?q=${literal}&caseSensitive=true`,
          {
            git: ['-F', literal],
            rg: ['-F', '-s', literal],
          },
        ),
      );
    }
    const regex = 'class [A-Za-z]+Exception extends';
    queries.push(
      await measureQuery(
        app,
        work.dir,
        `regex ${regex}`,
        `/api/v1/search/code?q=${encodeURIComponent(regex)}&regex=true&caseSensitive=true`,
        {
          git: ['-E', regex],
          rg: ['-s', '-e', regex],
        },
      ),
    );
    const symbol = 'createSourceFile';
    queries.push(
      await measureQuery(
        app,
        work.dir,
        `symbol ${symbol} (peers: the literal)`,
        `/api/v1/search/symbols?q=${symbol}`,
        {
          git: ['-F', symbol],
          rg: ['-F', '-s', symbol],
        },
      ),
    );
    console.log(
      '\nquery latency (index over HTTP: p50/p95 of',
      queryRuns,
      'runs; peers: median of',
      peerRuns,
      'runs)',
    );
    for (const q of queries) {
      console.log(
        `  ${q.name.padEnd(56)} index ${String(q.index.p50).padStart(7)} / ${String(q.index.p95).padStart(7)} ms (${q.hits} hits)  git grep ${String(q.gitGrep.median).padStart(7)} ms  rg ${String(q.ripgrep.median).padStart(7)} ms  → ${q.speedupVsRipgrep}x vs rg, ${q.speedupVsGitGrep}x vs git grep`,
      );
    }
    const literalResults = queries.filter((q) => q.name.startsWith('literal'));
    const results = {
      date: new Date().toISOString(),
      corpus: {
        files: files.length,
        bytes: corpusBytes,
        byTopDirectory: Object.fromEntries(byLanguage),
      },
      fullIndex: {
        files: full.files,
        bytes: full.bytes,
        skipped: full.skipped,
        runMs: fullRun,
        webhookToReadyMs: round1(fullWallMs),
        mbPerSecond: round1(full.bytes / 1048576 / (fullRun / 1000)),
      },
      indexSize: {
        databaseBytes,
        tables: sizes,
        multipleOfIndexedBytes: Math.round((databaseBytes / full.bytes) * 100) / 100,
        mirrorBytes,
        symbols: symbolCount,
      },
      pushToSearchable: push,
      mirrors,
      queries,
      selectiveLiterals: {
        p95Ms: round1(Math.max(...literalResults.map((q) => q.index.p95))),
        medianSpeedupVsRipgrep: round1(median(literalResults.map((q) => q.speedupVsRipgrep))),
      },
    };
    mkdirSync(dirname(RESULTS_FILE), { recursive: true });
    writeFileSync(RESULTS_FILE, `${JSON.stringify(results, null, 2)}\n`);
    console.log(`\nresults: ${relative(ROOT, RESULTS_FILE)}`);
    work.dispose();
  } finally {
    await server.close();
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
