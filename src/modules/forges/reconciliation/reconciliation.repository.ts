import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { keysetCursor, Page, PositionedRow } from '../../../core/database/keyset-cursor';
import { ReconciliationTrigger } from './reconciliation.entities';

export interface RunRow {
  id: string;
  trigger: ReconciliationTrigger;
  status: string;
  started_at: Date;
  finished_at: Date | null;
  hooks_checked: number;
  deliveries_seen: number;
  missing: number;
  redelivery_requested: number;
  recovered: number;
  problems: string[];
}

export interface HookRow {
  provider: string;
  source: string;
  hook_key: string;
  repository: string | null;
  checkpoint: string | null;
}

export interface RunCounts {
  hooksChecked: number;
  deliveriesSeen: number;
  missing: number;
  redeliveryRequested: number;
}

const LISTING = keysetCursor({
  name: 'reconciliations',
  keys: [{ sql: 'started_at', type: 'timestamptz' }],
  id: 'id',
  direction: 'desc',
});

const RUN_COLUMNS = `id, trigger, status, started_at, finished_at, hooks_checked, deliveries_seen,
  missing, redelivery_requested, problems,
  (SELECT count(*)::int FROM redelivery_requests q
   WHERE q.run_id = reconciliation_runs.id AND EXISTS (
     SELECT 1 FROM deliveries d WHERE d.provider = q.provider AND d.source = q.source
       AND d.provider_delivery_id = q.provider_delivery_id)) AS recovered`;

/** SQL of reconciliation: runs, known hooks and their checkpoints, redelivery requests. */
@Injectable()
export class ReconciliationRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async createRun(trigger: ReconciliationTrigger): Promise<RunRow> {
    const [row] = await this.dataSource.query<RunRow[]>(
      `INSERT INTO reconciliation_runs (trigger) VALUES ($1) RETURNING ${RUN_COLUMNS}`,
      [trigger],
    );
    return row;
  }

  async finishRun(
    id: string,
    status: 'finished' | 'failed',
    counts: RunCounts,
    problems: string[],
  ): Promise<void> {
    await this.dataSource.query(
      `UPDATE reconciliation_runs SET status = $2, finished_at = clock_timestamp(),
         hooks_checked = $3, deliveries_seen = $4, missing = $5, redelivery_requested = $6,
         problems = $7
       WHERE id = $1`,
      [
        id,
        status,
        counts.hooksChecked,
        counts.deliveriesSeen,
        counts.missing,
        counts.redeliveryRequested,
        JSON.stringify(problems.slice(0, 100)),
      ],
    );
  }

  /** Runs left `running` by a process that died. */
  async abandonRunning(): Promise<void> {
    await this.dataSource.query(
      `UPDATE reconciliation_runs SET status = 'failed', finished_at = clock_timestamp(),
         problems = problems || '["the process running it stopped"]'::jsonb
       WHERE status = 'running'`,
    );
  }

  async run(id: string): Promise<RunRow | undefined> {
    const [row] = await this.dataSource.query<RunRow[]>(
      `SELECT ${RUN_COLUMNS} FROM reconciliation_runs WHERE id = $1`,
      [id],
    );
    return row;
  }

  async page(limit: number, cursor?: string): Promise<Page<RunRow & PositionedRow>> {
    const params: unknown[] = [];
    const param = (value: unknown) => {
      params.push(value);
      return `$${params.length}`;
    };
    const where = cursor !== undefined ? `WHERE ${LISTING.after(cursor, param)}` : '';
    const rows = await this.dataSource.query<(RunRow & PositionedRow)[]>(
      `SELECT ${RUN_COLUMNS}, ${LISTING.select} FROM reconciliation_runs ${where}
       ORDER BY ${LISTING.orderBy} LIMIT ${param(limit + 1)}`,
      params,
    );
    return LISTING.page(rows, limit);
  }

  /** When the newest finished run started: hooks are discovered from deliveries since then. */
  async lastDiscovery(): Promise<Date | undefined> {
    const [row] = await this.dataSource.query<{ at: Date | null }[]>(
      `SELECT max(started_at) AS at FROM reconciliation_runs WHERE status = 'finished'`,
    );
    return row?.at ?? undefined;
  }

  /**
   * GitHub hooks from stored deliveries: the provider delivery id is `<hook id>:<guid>`, and
   * the installation target type says whether the hook belongs to a repository, an
   * organisation or an App.
   */
  async discoverGitHubHooks(since: Date | undefined): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO reconciliation_hooks (provider, source, hook_key, repository)
       SELECT DISTINCT ON (source, hook_key) 'github', source, hook_key, repository FROM (
         SELECT source, repository, received_at,
           CASE lower(coalesce(headers->>'x-github-hook-installation-target-type', 'repository'))
             WHEN 'organization' THEN 'org:' || split_part(repository, '/', 1) || ':' || hook_id
             WHEN 'integration' THEN 'app:app:' || hook_id
             ELSE 'repo:' || repository || ':' || hook_id
           END AS hook_key
         FROM (
           SELECT source, repository, received_at, headers,
             split_part(provider_delivery_id, ':', 1) AS hook_id
           FROM deliveries
           WHERE provider = 'github' AND repository IS NOT NULL
             AND received_at >= coalesce($1::timestamptz, '-infinity')
             AND provider_delivery_id ~ '^[0-9]+:'
         ) d
       ) k
       ORDER BY source, hook_key, received_at DESC
       ON CONFLICT (provider, source, hook_key) DO NOTHING`,
      [since ?? null],
    );
  }

  /** GitLab projects seen since `since`, with their project ids, per source. */
  async gitlabProjects(
    since: Date | undefined,
  ): Promise<{ source: string; repository: string; external_id: string | null }[]> {
    return this.dataSource.query(
      `SELECT DISTINCT d.source, d.repository, r.external_id
       FROM deliveries d
       LEFT JOIN repositories r ON r.provider = 'gitlab' AND r.full_name = d.repository
       WHERE d.provider = 'gitlab' AND d.repository IS NOT NULL
         AND d.received_at >= coalesce($1::timestamptz, '-infinity')`,
      [since ?? null],
    );
  }

  async addHook(provider: string, source: string, key: string, repository: string | undefined) {
    await this.dataSource.query(
      `INSERT INTO reconciliation_hooks (provider, source, hook_key, repository)
       VALUES ($1, $2, $3, $4) ON CONFLICT (provider, source, hook_key) DO NOTHING`,
      [provider, source, key, repository ?? null],
    );
  }

  async hooks(): Promise<HookRow[]> {
    return this.dataSource.query<HookRow[]>(
      `SELECT provider, source, hook_key, repository, checkpoint FROM reconciliation_hooks
       ORDER BY provider, source, hook_key`,
    );
  }

  async saveCheckpoint(hook: HookRow, checkpoint: string | null): Promise<void> {
    await this.dataSource.query(
      `UPDATE reconciliation_hooks SET checkpoint = $4, checked_at = now()
       WHERE provider = $1 AND source = $2 AND hook_key = $3`,
      [hook.provider, hook.source, hook.hook_key, checkpoint],
    );
  }

  /** Which of these provider delivery ids Hookyard has stored. */
  async stored(provider: string, source: string, ids: string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows = await this.dataSource.query<{ provider_delivery_id: string }[]>(
      `SELECT provider_delivery_id FROM deliveries
       WHERE provider = $1 AND source = $2 AND provider_delivery_id = ANY($3::text[])`,
      [provider, source, ids],
    );
    return new Set(rows.map((r) => r.provider_delivery_id));
  }

  /**
   * Claims the right to ask for these deliveries again: a delivery already asked for within
   * the window is left out. Answers the ids claimed.
   */
  async claimRedeliveries(
    provider: string,
    source: string,
    ids: string[],
    runId: string,
    windowMs: number,
  ): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows = await this.dataSource.query<{ provider_delivery_id: string }[]>(
      `INSERT INTO redelivery_requests (provider, source, provider_delivery_id, run_id)
       SELECT $1, $2, id, $4 FROM unnest($3::text[]) AS id
       ON CONFLICT (provider, source, provider_delivery_id) DO UPDATE
         SET run_id = EXCLUDED.run_id, requested_at = now(), recovered_at = NULL
         WHERE redelivery_requests.requested_at < now() - $5 * interval '1 millisecond'
       RETURNING provider_delivery_id`,
      [provider, source, ids, runId, windowMs],
    );
    return new Set(rows.map((r) => r.provider_delivery_id));
  }

  /** A request that could not be sent: free it so the next run asks again. */
  async releaseRedelivery(provider: string, source: string, id: string): Promise<void> {
    await this.dataSource.query(
      `DELETE FROM redelivery_requests
       WHERE provider = $1 AND source = $2 AND provider_delivery_id = $3`,
      [provider, source, id],
    );
  }

  /** Marks requested deliveries that have since arrived; answers how many. */
  async markRecovered(): Promise<number> {
    // A CTE, so that the top statement is a SELECT (TypeORM shapes UPDATE results differently).
    const [row] = await this.dataSource.query<{ n: number }[]>(
      `WITH recovered AS (
         UPDATE redelivery_requests q SET recovered_at = now()
         WHERE recovered_at IS NULL AND EXISTS (
           SELECT 1 FROM deliveries d WHERE d.provider = q.provider AND d.source = q.source
             AND d.provider_delivery_id = q.provider_delivery_id)
         RETURNING 1)
       SELECT count(*)::int AS n FROM recovered`,
    );
    return row?.n ?? 0;
  }
}
