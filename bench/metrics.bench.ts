import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { MIGRATIONS } from '../src/core/database/migrations';
import { runMigrations } from '../src/core/database/migrator';
import { MetricsQueryRepository } from '../src/modules/metrics/metrics-query.repository';
import { MetricsService } from '../src/modules/metrics/metrics.service';
import { RollupRepository } from '../src/modules/metrics/rollup.repository';
import { ValueBinsRepository } from '../src/modules/metrics/value-bins.repository';
import { cleanupOnExit, databaseUrlFor, positiveIntegerFromEnv, withAdminClient } from './support';

/**
 * Metrics benchmark: a record of a year (200 repositories, 100k pull requests, 20k deployments,
 * 500k commits, seeded with set-based SQL), then
 *  (a) latency of each metrics endpoint's work (MetricsService, i.e. everything behind the
 *      controller) for one repository and for all, against the straightforward query over the
 *      raw tables (time-range attribution, no rollups) in the same run, with the ratio;
 *  (b) a delivery's writes → incremental refresh → updated figure.
 */

const ROOT = resolve(__dirname, '..');
const RESULTS_FILE = join(ROOT, 'bench', 'results', 'metrics-latest.json');
const REPOSITORIES = positiveIntegerFromEnv('BENCH_REPOSITORIES', 200);
const COMMITS_PER_REPOSITORY = 2500;
const COMMITS_PER_PUSH = 5;
const DEPLOYMENTS_PER_REPOSITORY = 100;
const PEOPLE = 1000;
const ITERATIONS = positiveIntegerFromEnv('BENCH_ITERATIONS', 60);
const BASELINE_ALL_ITERATIONS = positiveIntegerFromEnv('BENCH_BASELINE_ALL_ITERATIONS', 10);
const FRESHNESS_ROUNDS = positiveIntegerFromEnv('BENCH_FRESHNESS_ROUNDS', 20);
const RECOMPUTE_CONCURRENCY = 4;
const YEAR_START = '2025-01-01T00:00:00Z';
const YEAR_MS = 365 * 24 * 3600 * 1000;
/** Seconds between two commits of a repository: 2,500 of them spread over the year. */
const COMMIT_STEP_S = Math.floor(YEAR_MS / 1000 / COMMITS_PER_REPOSITORY);
const WINDOW = { from: YEAR_START, to: new Date(Date.parse(YEAR_START) + YEAR_MS).toISOString() };

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
}

async function timed(iterations: number, work: (i: number) => Promise<unknown>) {
  const samples: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const start = performance.now();
    await work(i);
    samples.push(performance.now() - start);
  }
  return { p50: percentile(samples, 0.5), p99: percentile(samples, 0.99), n: iterations };
}

/** The record, written with a handful of set-based statements. */
async function seed(ds: DataSource): Promise<void> {
  const step = `${COMMIT_STEP_S} * interval '1 second'`;
  const at = (k: string) => `'${YEAR_START}'::timestamptz + (${k}) * ${step}`;
  const sha = (k: string) => `md5(r.n || '-' || (${k}))`;
  const pushes = COMMITS_PER_REPOSITORY / COMMITS_PER_PUSH;
  const statements = [
    `INSERT INTO people (display_name) SELECT 'dev ' || g FROM generate_series(1, ${PEOPLE}) g`,
    `INSERT INTO identities (person_id, provider, external_id, login)
     SELECT id, 'github', 'u' || n, 'dev' || n FROM (SELECT id, row_number() OVER (ORDER BY id) n FROM people) p`,
    `CREATE TABLE bench_identities AS SELECT row_number() OVER (ORDER BY id) AS n, id FROM identities`,
    `INSERT INTO repositories (provider, external_id, full_name, name, default_branch)
     SELECT 'github', 'r' || g, 'bench/repo-' || g, 'repo-' || g, 'main' FROM generate_series(1, ${REPOSITORIES}) g`,
    `CREATE TABLE bench_repositories AS
     SELECT substring(external_id from 2)::int AS n, id FROM repositories`,
    // 2,500 commits per repository, one every ~3.5 hours, authors spread over the people.
    `INSERT INTO commits (repository_id, sha, message, author_identity_id, committed_at, first_ref)
     SELECT r.id, ${sha('k')}, 'change ' || k, i.id, ${at('k')}, 'refs/heads/main'
     FROM bench_repositories r CROSS JOIN generate_series(1, ${COMMITS_PER_REPOSITORY}) k
     JOIN bench_identities i ON i.n = (r.n * 7 + k) % ${PEOPLE} + 1`,
    // Linear pushes to main, five commits each.
    `INSERT INTO pushes (repository_id, ref, before_sha, after_sha, commit_shas, first_commit_at, occurred_at)
     SELECT r.id, 'refs/heads/main', ${sha(`${COMMITS_PER_PUSH} * j - ${COMMITS_PER_PUSH}`)},
            ${sha(`${COMMITS_PER_PUSH} * j`)},
            ARRAY(SELECT ${sha('k')} FROM generate_series(${COMMITS_PER_PUSH} * j - ${COMMITS_PER_PUSH - 1}, ${COMMITS_PER_PUSH} * j) k),
            ${at(`${COMMITS_PER_PUSH} * j - ${COMMITS_PER_PUSH - 1}`)},
            ${at(`${COMMITS_PER_PUSH} * j`)} + interval '10 minutes'
     FROM bench_repositories r CROSS JOIN generate_series(1, ${pushes}) j`,
    // One pull request per push: its branch got the first four commits, the fifth is the merge.
    `INSERT INTO pushes (repository_id, ref, before_sha, after_sha, commit_shas, first_commit_at, occurred_at)
     SELECT r.id, 'refs/heads/feature-' || j, ${sha(`${COMMITS_PER_PUSH} * j - ${COMMITS_PER_PUSH}`)},
            ${sha(`${COMMITS_PER_PUSH} * j - 1`)},
            ARRAY(SELECT ${sha('k')} FROM generate_series(${COMMITS_PER_PUSH} * j - ${COMMITS_PER_PUSH - 1}, ${COMMITS_PER_PUSH} * j - 1) k),
            ${at(`${COMMITS_PER_PUSH} * j - ${COMMITS_PER_PUSH - 1}`)},
            ${at(`${COMMITS_PER_PUSH} * j - 1`)} + interval '5 minutes'
     FROM bench_repositories r CROSS JOIN generate_series(1, ${pushes}) j`,
    `INSERT INTO pull_requests (repository_id, external_id, number, title, state, author_identity_id,
       head_ref, base_ref, additions, deletions, created_at, updated_at, closed_at, merged_at, merge_commit_sha)
     SELECT r.id, 'pr-' || r.n || '-' || j, j, 'change ' || j, 'merged', i.id, 'feature-' || j, 'main',
            (r.n * j) % 400, (r.n + j) % 100,
            ${at(`${COMMITS_PER_PUSH} * j - 1`)} + interval '30 minutes',
            ${at(`${COMMITS_PER_PUSH} * j`)}, ${at(`${COMMITS_PER_PUSH} * j`)}, ${at(`${COMMITS_PER_PUSH} * j`)},
            ${sha(`${COMMITS_PER_PUSH} * j`)}
     FROM bench_repositories r CROSS JOIN generate_series(1, ${pushes}) j
     JOIN bench_identities i ON i.n = (r.n * 7 + ${COMMITS_PER_PUSH} * j) % ${PEOPLE} + 1`,
    `INSERT INTO reviews (pull_request_id, external_id, state, author_identity_id, submitted_at)
     SELECT p.id, 'rv-' || p.id, 'approved', i.id, p.created_at + interval '2 hours'
     FROM pull_requests p JOIN bench_identities i ON i.n = (p.number * 13) % ${PEOPLE} + 1`,
    // 100 production deployments per repository, every fifth push; one in ten fails.
    `INSERT INTO deployments (repository_id, external_id, environment, sha, production, created_at, updated_at)
     SELECT r.id, 'd-' || r.n || '-' || d, 'production', ${sha(`${COMMITS_PER_PUSH * 5} * d`)}, true,
            ${at(`${COMMITS_PER_PUSH * 5} * d`)} + interval '50 minutes',
            ${at(`${COMMITS_PER_PUSH * 5} * d`)} + interval '1 hour'
     FROM bench_repositories r CROSS JOIN generate_series(1, ${DEPLOYMENTS_PER_REPOSITORY}) d`,
    `INSERT INTO deployment_statuses (deployment_id, state, created_at)
     SELECT id, CASE WHEN hashtext(external_id) % 10 = 0 THEN 'failure' ELSE 'success' END, updated_at
     FROM deployments`,
    `UPDATE deployments d SET latest_state = s.state, latest_state_at = s.created_at
     FROM deployment_statuses s WHERE s.deployment_id = d.id`,
    // Five incidents per repository, each two hours after a deployment, closed five hours later.
    `INSERT INTO issues (repository_id, external_id, number, title, state, labels, created_at, updated_at, closed_at)
     SELECT r.id, 'i-' || r.n || '-' || x, x, 'incident ' || x, 'closed', '{incident}',
            ${at(`${COMMITS_PER_PUSH * 5 * 20} * x`)} + interval '3 hours',
            ${at(`${COMMITS_PER_PUSH * 5 * 20} * x`)} + interval '8 hours',
            ${at(`${COMMITS_PER_PUSH * 5 * 20} * x`)} + interval '8 hours'
     FROM bench_repositories r CROSS JOIN generate_series(1, 5) x`,
  ];
  for (const statement of statements) await ds.query(statement);
  await ds.query('ANALYZE');
}

/** The straightforward queries over the raw tables: what one writes without rollups. */
const RAW_DEPLOYMENTS = `
  WITH final AS (
    SELECT d.id, d.repository_id, d.sha, f.state, f.created_at AS finished_at
    FROM deployments d
    CROSS JOIN LATERAL (SELECT s.state, s.created_at FROM deployment_statuses s
      WHERE s.deployment_id = d.id AND s.state IN ('success', 'failure', 'error')
      ORDER BY s.created_at DESC LIMIT 1) f
    WHERE (d.production OR d.environment ~* '^(prod|production)$')
      AND ($1::uuid[] IS NULL OR d.repository_id = ANY($1)))
  SELECT final.*, max(finished_at) FILTER (WHERE state = 'success') OVER (
           PARTITION BY repository_id ORDER BY finished_at
           ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS previous_at
  FROM final`;

const rawDora = (ds: DataSource, repos: string[] | null, grouped: boolean) =>
  ds.query(
    `WITH dep AS (${RAW_DEPLOYMENTS}),
     win AS (SELECT * FROM dep WHERE finished_at >= $2 AND finished_at < $3),
     leads AS (
       SELECT ${grouped ? "date_trunc('week', w.finished_at)" : 'NULL::timestamptz'} AS bucket,
              extract(epoch FROM w.finished_at - c.committed_at) AS lead
       FROM win w JOIN commits c ON c.repository_id = w.repository_id
         AND c.committed_at > coalesce(w.previous_at, '-infinity') AND c.committed_at <= w.finished_at
       WHERE w.state = 'success' AND w.previous_at IS NOT NULL),
     incidents AS (
       SELECT i.repository_id, i.created_at, i.closed_at FROM issues i
       WHERE 'incident' = ANY(i.labels) AND ($1::uuid[] IS NULL OR i.repository_id = ANY($1)))
     SELECT ${grouped ? "date_trunc('week', finished_at)" : 'NULL::timestamptz'} AS bucket,
            count(*) FILTER (WHERE state = 'success') AS deployments,
            count(DISTINCT finished_at::date) AS days,
            count(*) FILTER (WHERE state <> 'success') AS failed,
            count(*) AS total,
            (SELECT percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY lead) FROM leads) AS lead,
            (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM closed_at - created_at))
             FROM incidents WHERE closed_at >= $2 AND closed_at < $3) AS recovery
     FROM win GROUP BY 1`,
    [repos, WINDOW.from, WINDOW.to],
  );

const rawDeployments = (ds: DataSource, repos: string[] | null) =>
  ds.query(
    `WITH dep AS (${RAW_DEPLOYMENTS}),
     page AS (SELECT * FROM dep WHERE finished_at >= $2 AND finished_at < $3
              ORDER BY finished_at DESC, id DESC LIMIT 50)
     SELECT p.*, (SELECT json_agg(json_build_object('sha', c.sha,
                    'lead', extract(epoch FROM p.finished_at - c.committed_at)))
                  FROM commits c WHERE c.repository_id = p.repository_id
                    AND c.committed_at > coalesce(p.previous_at, '-infinity')
                    AND c.committed_at <= p.finished_at) AS changes
     FROM page p`,
    [repos, WINDOW.from, WINDOW.to],
  );

const RAW_PULL_REQUESTS = `
  SELECT pr.id, pr.number, pr.merged_at, pr.created_at AS ready_at, fc.at AS first_commit_at,
         rv.at AS first_review_at, pr.additions + pr.deletions AS size
  FROM pull_requests pr
  LEFT JOIN LATERAL (SELECT min(c.committed_at) AS at FROM pushes p
    CROSS JOIN LATERAL unnest(p.commit_shas) u(sha)
    JOIN commits c ON c.repository_id = pr.repository_id AND c.sha = u.sha
    WHERE p.repository_id = pr.repository_id AND p.ref = 'refs/heads/' || pr.head_ref) fc ON true
  LEFT JOIN LATERAL (SELECT min(r.submitted_at) AS at FROM reviews r
    WHERE r.pull_request_id = pr.id AND r.author_identity_id IS DISTINCT FROM pr.author_identity_id) rv ON true
  WHERE pr.merged_at >= $2 AND pr.merged_at < $3 AND ($1::uuid[] IS NULL OR pr.repository_id = ANY($1))`;

const rawPullRequests = (ds: DataSource, repos: string[] | null) =>
  ds.query(
    `WITH prs AS (${RAW_PULL_REQUESTS})
     SELECT count(*),
       percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY extract(epoch FROM ready_at - first_commit_at)),
       percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY extract(epoch FROM first_review_at - ready_at)),
       percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY extract(epoch FROM merged_at - first_review_at)),
       percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY size)
     FROM prs`,
    [repos, WINDOW.from, WINDOW.to],
  );

const rawPullRequestItems = (ds: DataSource, repos: string[] | null) =>
  ds.query(
    `WITH prs AS (${RAW_PULL_REQUESTS}) SELECT * FROM prs ORDER BY merged_at DESC, id DESC LIMIT 50`,
    [repos, WINDOW.from, WINDOW.to],
  );

/**
 * The figures of every repository come from the per-day bins; they must equal PostgreSQL's
 * percentile_cont over every fact of the window, to the last bit.
 */
async function checkExact(ds: DataSource, service: MetricsService): Promise<void> {
  const window = [WINDOW.from, WINDOW.to];
  const [lead] = await ds.query<{ p: number[]; n: string }[]>(
    `SELECT percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY lead_seconds) AS p, count(*) AS n
     FROM metric_changes WHERE deployed_at >= $1 AND deployed_at < $2`,
    window,
  );
  const dora = await service.dora({ ...WINDOW });
  const ours = dora.leadTimeForChanges;
  const mismatches: string[] = [];
  if (
    ours.medianSeconds !== lead.p[0] ||
    ours.p90Seconds !== lead.p[1] ||
    ours.changes !== Number(lead.n)
  )
    mismatches.push(`lead time ${JSON.stringify(ours)} <> ${JSON.stringify(lead)}`);
  const columns = [
    'coding_seconds',
    'pickup_seconds',
    'review_seconds',
    'deploy_seconds',
    'cycle_seconds',
    'size',
  ];
  const [direct] = await ds.query<Record<string, number[] | number | string>[]>(
    `SELECT count(*) AS n, ${columns.map((c) => `percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY ${c}) AS ${c}`).join(', ')},
            percentile_cont(0.5) WITHIN GROUP (ORDER BY reviews) AS reviews
     FROM metric_pull_requests WHERE merged_at >= $1 AND merged_at < $2`,
    window,
  );
  const flow = await service.pullRequests({ ...WINDOW });
  const figures = [
    flow.codingTime,
    flow.pickupTime,
    flow.reviewTime,
    flow.deployTime,
    flow.cycleTime,
  ];
  columns.slice(0, 5).forEach((column, i) => {
    const expected = direct[column] as number[];
    if (figures[i].medianSeconds !== expected[0] || figures[i].p90Seconds !== expected[1])
      mismatches.push(`${column} ${JSON.stringify(figures[i])} <> ${JSON.stringify(expected)}`);
  });
  const size = direct.size as number[];
  if (flow.size.median !== size[0] || flow.size.p90 !== size[1])
    mismatches.push(`size ${JSON.stringify(flow.size)} <> ${JSON.stringify(size)}`);
  if (
    flow.pullRequests !== Number(direct.n) ||
    flow.reviewsPerPullRequest.median !== direct.reviews
  )
    mismatches.push(
      `pull requests ${flow.pullRequests}/${JSON.stringify(flow.reviewsPerPullRequest)} <> ${String(direct.n)}/${String(direct.reviews)}`,
    );
  if (mismatches.length > 0)
    throw new Error(`binned percentiles are not exact:\n${mismatches.join('\n')}`);
  console.log('every-repository percentiles (from the bins) equal percentile_cont over the facts');
}

interface Row {
  endpoint: string;
  scope: 'one repository' | 'all repositories';
  rollups: { p50: number; p99: number; n: number };
  raw: { p50: number; p99: number; n: number };
}

/** Seeds the record and builds the rollups with the full recompute, 4 repositories at a time. */
async function build(ds: DataSource): Promise<{ seedSeconds: number; fullSeconds: number }> {
  let start = performance.now();
  await seed(ds);
  const seedSeconds = (performance.now() - start) / 1000;
  console.log(`seeded in ${seedSeconds.toFixed(1)} s`);
  const rollups = new RollupRepository(ds);
  const repositories = (
    await ds.query<{ id: string }[]>('SELECT id FROM bench_repositories ORDER BY n')
  ).map((r) => r.id);
  start = performance.now();
  const perRepository: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: RECOMPUTE_CONCURRENCY }, async () => {
      while (next < repositories.length) {
        // Statistics of the then still empty rollup tables would keep the planner on
        // sequential scans (autovacuum's analyze does the same in a real deployment).
        if (next === RECOMPUTE_CONCURRENCY * 2)
          await ds.query('ANALYZE metric_deployments, metric_changes, metric_pull_requests');
        const id = repositories[next++];
        const began = performance.now();
        await rollups.refresh(id, true);
        perRepository.push(performance.now() - began);
      }
    }),
  );
  const fullSeconds = (performance.now() - start) / 1000;
  // As autovacuum would: statistics, and the visibility map index-only scans rely on.
  await ds.query('VACUUM ANALYZE');
  console.log(
    `full recompute of ${repositories.length} repositories: ${fullSeconds.toFixed(1)} s ` +
      `(per repository p50 ${percentile(perRepository, 0.5).toFixed(0)} ms, ` +
      `p99 ${percentile(perRepository, 0.99).toFixed(0)} ms, ${RECOMPUTE_CONCURRENCY} at a time)`,
  );
  return { seedSeconds, fullSeconds };
}

async function main(): Promise<void> {
  // BENCH_KEEP_DATABASE=<name>: build the record into that database once and keep it, so that
  // later runs measure the query side without seeding again.
  const kept = process.env.BENCH_KEEP_DATABASE;
  const database = kept ?? `hookyard_bench_metrics_${randomBytes(4).toString('hex')}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'hookyard-bench-metrics-'));
  const cleanup = cleanupOnExit({ databases: kept ? [] : [database], dataDir, childGraceMs: 0 });
  let ds: DataSource | undefined;
  try {
    const exists = await withAdminClient(
      async (client) =>
        (await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database])).rows
          .length > 0,
    );
    if (!exists) await withAdminClient((client) => client.query(`CREATE DATABASE "${database}"`));
    const url = databaseUrlFor(database);
    await runMigrations(url, MIGRATIONS);
    ds = new DataSource({ type: 'postgres', url, poolSize: 8 });
    await ds.initialize();

    const built = exists ? { seedSeconds: 0, fullSeconds: 0 } : await build(ds);
    const { seedSeconds, fullSeconds } = built;
    const counts = (
      await ds.query<Record<string, string>[]>(
        `SELECT (SELECT count(*) FROM repositories) AS repositories, (SELECT count(*) FROM pull_requests) AS pull_requests,
                (SELECT count(*) FROM deployments) AS deployments, (SELECT count(*) FROM commits) AS commits,
                (SELECT count(*) FROM pushes) AS pushes`,
      )
    )[0];
    console.log(`${exists ? `reusing ${database}` : 'record'}: ${JSON.stringify(counts)}`);
    const rollups = new RollupRepository(ds);
    const repositories = (
      await ds.query<{ id: string }[]>('SELECT id FROM bench_repositories ORDER BY n')
    ).map((r) => r.id);

    const bins = new ValueBinsRepository(ds);
    // What the metrics upkeep does every minute: fold the bins the recompute appended.
    const folded = await bins.compact();
    if (folded > 0) await ds.query('VACUUM ANALYZE metric_value_bins');
    const service = new MetricsService(new MetricsQueryRepository(ds, bins));
    await checkExact(ds, service);
    const pick = (i: number) => repositories[(i * 37) % repositories.length];
    const base = { ...WINDOW, limit: 50 };
    const endpoints: Array<{
      name: string;
      ours: (repos: string[] | undefined) => Promise<unknown>;
      raw: (repos: string[] | null) => Promise<unknown>;
    }> = [
      {
        name: 'GET /metrics/dora',
        ours: (r) => service.dora({ ...base, repository: r }),
        raw: (r) => rawDora(ds as DataSource, r, false),
      },
      {
        name: 'GET /metrics/dora/series (week)',
        ours: (r) => service.series({ ...base, repository: r, interval: 'week' }),
        raw: (r) => rawDora(ds as DataSource, r, true),
      },
      {
        name: 'GET /metrics/dora/deployments',
        ours: (r) => service.deployments({ ...base, repository: r }),
        raw: (r) => rawDeployments(ds as DataSource, r),
      },
      {
        name: 'GET /metrics/pull-requests',
        ours: (r) => service.pullRequests({ ...base, repository: r }),
        raw: (r) => rawPullRequests(ds as DataSource, r),
      },
      {
        name: 'GET /metrics/pull-requests/items',
        ours: (r) => service.pullRequestItems({ ...base, repository: r }),
        raw: (r) => rawPullRequestItems(ds as DataSource, r),
      },
    ];
    const rows: Row[] = [];
    for (const endpoint of endpoints) {
      // One warm-up of each, so that neither side pays the first plan or cold pages.
      await endpoint.ours([pick(0)]);
      await endpoint.raw([pick(0)]);
      rows.push({
        endpoint: endpoint.name,
        scope: 'one repository',
        rollups: await timed(ITERATIONS, (i) => endpoint.ours([pick(i)])),
        raw: await timed(ITERATIONS, (i) => endpoint.raw([pick(i)])),
      });
      rows.push({
        endpoint: endpoint.name,
        scope: 'all repositories',
        rollups: await timed(ITERATIONS, () => endpoint.ours(undefined)),
        raw: await timed(BASELINE_ALL_ITERATIONS, () => endpoint.raw(null)),
      });
    }
    console.log(
      '\nendpoint                              scope              rollups p50/p99 ms    raw p50/p99 ms      raw/rollups (p50)',
    );
    for (const row of rows) {
      console.log(
        `${row.endpoint.padEnd(38)}${row.scope.padEnd(19)}` +
          `${row.rollups.p50.toFixed(1).padStart(8)} / ${row.rollups.p99.toFixed(1).padEnd(10)}` +
          `${row.raw.p50.toFixed(1).padStart(8)} / ${row.raw.p99.toFixed(1).padEnd(10)}` +
          `${(row.raw.p50 / row.rollups.p50).toFixed(1).padStart(8)}x`,
      );
    }

    // (b) A delivery's writes (as the worker commits them: a push and a successful production
    // deployment, which fire the change marks), the incremental refresh, the figure.
    const freshness: number[] = [];
    const refreshOnly: number[] = [];
    const late = Date.parse(WINDOW.to) + 3600_000;
    for (let round = 0; round < FRESHNESS_ROUNDS; round++) {
      const repository = pick(round);
      const after = randomBytes(20).toString('hex');
      const when = new Date(late + round * 600_000).toISOString();
      const query = {
        repository: [repository],
        from: WINDOW.from,
        to: new Date(late + 86_400_000).toISOString(),
      };
      const before = (await service.dora(query)).deploymentFrequency.deployments;
      const began = performance.now();
      await ds.transaction(async (tx) => {
        const [head] = await tx.query<{ after_sha: string }[]>(
          `SELECT after_sha FROM pushes WHERE repository_id = $1 AND ref = 'refs/heads/main'
           ORDER BY occurred_at DESC LIMIT 1`,
          [repository],
        );
        await tx.query(
          `INSERT INTO commits (repository_id, sha, message, committed_at) VALUES ($1, $2, 'late', $3)`,
          [repository, after, when],
        );
        await tx.query(
          `INSERT INTO pushes (repository_id, ref, before_sha, after_sha, commit_shas, first_commit_at, occurred_at)
           VALUES ($1, 'refs/heads/main', $2, $3, ARRAY[$3], $4, $4)`,
          [repository, head.after_sha, after, when],
        );
        const [deployment] = await tx.query<{ id: string }[]>(
          `INSERT INTO deployments (repository_id, external_id, environment, sha, production, created_at, updated_at)
           VALUES ($1, $2, 'production', $3, true, $4, $4) RETURNING id`,
          [repository, `late-${after}`, after, when],
        );
        await tx.query(
          `INSERT INTO deployment_statuses (deployment_id, state, created_at) VALUES ($1, 'success', $2::timestamptz + interval '5 minutes')`,
          [deployment.id, when],
        );
      });
      const refreshStart = performance.now();
      await rollups.refresh(repository, false);
      refreshOnly.push(performance.now() - refreshStart);
      const figures = await service.dora(query);
      freshness.push(performance.now() - began);
      if (figures.deploymentFrequency.deployments !== before + 1) {
        throw new Error(
          `the figure did not move: ${before} → ${figures.deploymentFrequency.deployments}`,
        );
      }
    }
    const refreshFigures = {
      refreshP50: percentile(refreshOnly, 0.5),
      refreshP99: percentile(refreshOnly, 0.99),
      writeToFigureP50: percentile(freshness, 0.5),
      writeToFigureP99: percentile(freshness, 0.99),
      rounds: FRESHNESS_ROUNDS,
    };
    console.log(
      `\ndelivery writes → incremental refresh → updated figure: p50 ${refreshFigures.writeToFigureP50.toFixed(0)} ms, ` +
        `p99 ${refreshFigures.writeToFigureP99.toFixed(0)} ms (refresh alone p50 ${refreshFigures.refreshP50.toFixed(0)} ms, ` +
        `p99 ${refreshFigures.refreshP99.toFixed(0)} ms; ${FRESHNESS_ROUNDS} rounds). The follow-up job adds its 2 s burst window.`,
    );

    mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
    writeFileSync(
      RESULTS_FILE,
      `${JSON.stringify({ at: new Date().toISOString(), counts, seedSeconds, fullSeconds, rows, refresh: refreshFigures }, null, 2)}\n`,
    );
  } finally {
    await ds?.destroy();
    await cleanup();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
