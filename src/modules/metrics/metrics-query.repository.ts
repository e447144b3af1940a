import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppError, ErrorCode } from '../../core/http/app-error';
import { keysetCursor, PositionedRow } from '../../core/database/keyset-cursor';
import { SqlQuery } from '../../core/database/sql';
import { BinnedMeasure, ValueBinsRepository } from './value-bins.repository';

/** What a metrics query is about, resolved and validated. */
export interface Selection {
  repositoryIds: string[] | null;
  from: string;
  to: string;
  environment?: string;
  teamId?: string;
  personId?: string;
}

export interface DeploymentCounts {
  deployments: number;
  deploymentDays: number;
  failed: number;
  total: number;
  rework: number;
  baseline: number;
}

export interface Percentiles {
  median: number | null;
  p90: number | null;
  count: number;
}

export interface OpenFailureRow {
  source_id: string;
  repository_id: string;
  finished_at: Date;
  failed_by: 'status' | 'incident';
}

export interface DeploymentRow extends PositionedRow {
  id: string;
  source: string;
  source_id: string;
  repository_id: string;
  full_name: string;
  environment: string;
  sha: string;
  outcome: string;
  finished_at: Date;
  baseline: boolean;
  failed_by: string | null;
  incident_issue_ids: string[];
  recovered_at: Date | null;
  restored_by: string | null;
  rework: boolean;
}

export interface ChangeRow {
  deployment_id: string;
  sha: string;
  started_at: Date;
  lead_seconds: number;
  pull_request_number: number | null;
  person_id: string | null;
}

export interface IncidentRow {
  id: string;
  number: number;
  title: string;
  created_at: Date;
  closed_at: Date | null;
}

export interface FlowRow {
  pull_requests: string;
  coding: (number | null)[];
  coding_n: string;
  pickup: (number | null)[];
  pickup_n: string;
  review: (number | null)[];
  review_n: string;
  deploy: (number | null)[];
  deploy_n: string;
  cycle: (number | null)[];
  cycle_n: string;
  size: (number | null)[];
  size_n: string;
  reviews_mean: number | null;
  reviews_median: number | null;
}

export interface TurnaroundRow {
  identity_id: string;
  person_id: string | null;
  login: string | null;
  reviews: string;
  median: number;
}

export interface PullRequestRow extends PositionedRow {
  pull_request_id: string;
  repository_id: string;
  full_name: string;
  number: number;
  title: string;
  person_id: string | null;
  first_commit_at: Date | null;
  ready_at: Date;
  first_review_at: Date | null;
  merged_at: Date;
  deployed_at: Date | null;
  coding_seconds: number | null;
  pickup_seconds: number | null;
  review_seconds: number | null;
  deploy_seconds: number | null;
  cycle_seconds: number | null;
  size: number | null;
  reviews: number;
}

const deploymentCursor = keysetCursor({
  name: 'metric-deployments',
  keys: [{ sql: 'md.finished_at', type: 'timestamptz' }],
  id: 'md.source_id',
  direction: 'desc',
});

const pullRequestCursor = keysetCursor({
  name: 'metric-pull-requests',
  keys: [{ sql: 'mp.merged_at', type: 'timestamptz' }],
  id: 'mp.pull_request_id',
  direction: 'desc',
});

const OPEN_LIMIT = 100;

/** Buckets as a FROM item: `b(lo, hi, i)`, i counting from 1. */
function bucketsFrom(parts: SqlQuery, buckets: Array<[number, number]>): string {
  const lo = parts.param(buckets.map(([s]) => new Date(s).toISOString()));
  const hi = parts.param(buckets.map(([, e]) => new Date(e).toISOString()));
  return `unnest(${lo}::timestamptz[], ${hi}::timestamptz[]) WITH ORDINALITY AS b(lo, hi, i)`;
}

/** Conditions on production deployments (alias md) of a selection. */
function deploymentFilter(parts: SqlQuery, s: Selection): string {
  const out: string[] = [];
  if (s.repositoryIds) out.push(`md.repository_id = ANY(${parts.param(s.repositoryIds)}::uuid[])`);
  if (s.environment !== undefined) out.push(`md.environment = ${parts.param(s.environment)}`);
  if (s.teamId !== undefined) {
    out.push(`EXISTS (SELECT 1 FROM metric_changes tc
      JOIN identities ti ON ti.id = tc.author_identity_id
      JOIN team_members tm ON tm.person_id = ti.person_id
      WHERE tc.deployment_id = md.id AND tm.team_id = ${parts.param(s.teamId)})`);
  }
  return out.length ? out.join(' AND ') : 'TRUE';
}

/** Conditions on changes (alias mc) of a selection. */
function changeFilter(parts: SqlQuery, s: Selection): string {
  const out: string[] = [];
  if (s.repositoryIds) out.push(`mc.repository_id = ANY(${parts.param(s.repositoryIds)}::uuid[])`);
  if (s.environment !== undefined) {
    out.push(`EXISTS (SELECT 1 FROM metric_deployments e
      WHERE e.id = mc.deployment_id AND e.environment = ${parts.param(s.environment)})`);
  }
  if (s.teamId !== undefined) {
    out.push(`EXISTS (SELECT 1 FROM identities ti JOIN team_members tm ON tm.person_id = ti.person_id
      WHERE ti.id = mc.author_identity_id AND tm.team_id = ${parts.param(s.teamId)})`);
  }
  return out.length ? out.join(' AND ') : 'TRUE';
}

/** Conditions on merged pull requests (alias mp) of a selection. */
function pullRequestFilter(parts: SqlQuery, s: Selection): string {
  const out: string[] = [];
  if (s.repositoryIds) out.push(`mp.repository_id = ANY(${parts.param(s.repositoryIds)}::uuid[])`);
  if (s.teamId !== undefined) {
    out.push(`EXISTS (SELECT 1 FROM identities ti JOIN team_members tm ON tm.person_id = ti.person_id
      WHERE ti.id = mp.author_identity_id AND tm.team_id = ${parts.param(s.teamId)})`);
  }
  if (s.personId !== undefined) {
    out.push(`EXISTS (SELECT 1 FROM identities pi
      WHERE pi.id = mp.author_identity_id AND pi.person_id = ${parts.param(s.personId)})`);
  }
  return out.length ? out.join(' AND ') : 'TRUE';
}

const num = (v: string | number | null | undefined): number => Number(v ?? 0);

/** Reads of the metric rollups. */
@Injectable()
export class MetricsQueryRepository {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly bins: ValueBinsRepository,
  ) {}

  /** Repository ids by id or full name; unknown ones are a 404. */
  async resolveRepositories(values: string[]): Promise<string[]> {
    const rows = await this.dataSource.query<{ id: string; full_name: string }[]>(
      `SELECT id, full_name FROM repositories WHERE id::text = ANY($1) OR full_name = ANY($1)`,
      [values],
    );
    const missing = values.filter((v) => !rows.some((r) => r.id === v || r.full_name === v));
    if (missing.length > 0) {
      throw new AppError(ErrorCode.NotFound, `Unknown repository: ${missing.join(', ')}`, {
        repositories: missing,
      });
    }
    return [...new Set(rows.map((r) => r.id))];
  }

  async teamExists(id: string): Promise<boolean> {
    const rows = await this.dataSource.query<unknown[]>('SELECT 1 FROM teams WHERE id = $1', [id]);
    return rows.length > 0;
  }

  async deploymentCounts(
    s: Selection,
    buckets: Array<[number, number]>,
  ): Promise<DeploymentCounts[]> {
    const parts = new SqlQuery();
    const from = bucketsFrom(parts, buckets);
    const rows = await this.dataSource.query<Record<keyof DeploymentCounts, string>[]>(
      `SELECT b.i,
         count(md.id) FILTER (WHERE md.outcome = 'success') AS deployments,
         count(DISTINCT (md.finished_at AT TIME ZONE 'UTC')::date) FILTER (WHERE md.outcome = 'success') AS "deploymentDays",
         count(md.id) FILTER (WHERE md.failed_by IS NOT NULL) AS failed,
         count(md.id) AS total,
         count(md.id) FILTER (WHERE md.rework) AS rework,
         count(md.id) FILTER (WHERE md.baseline) AS baseline
       FROM ${from}
       LEFT JOIN metric_deployments md ON md.finished_at >= b.lo AND md.finished_at < b.hi
         AND ${deploymentFilter(parts, s)}
       GROUP BY b.i ORDER BY b.i`,
      parts.params,
    );
    return rows.map((r) => ({
      deployments: num(r.deployments),
      deploymentDays: num(r.deploymentDays),
      failed: num(r.failed),
      total: num(r.total),
      rework: num(r.rework),
      baseline: num(r.baseline),
    }));
  }

  /** Distinct deployment days (epoch ms, 00:00 UTC) per bucket index (0-based). */
  async deploymentDays(s: Selection, buckets: Array<[number, number]>): Promise<number[][]> {
    const parts = new SqlQuery();
    const from = bucketsFrom(parts, buckets);
    const rows = await this.dataSource.query<{ i: string; day: string }[]>(
      `SELECT DISTINCT b.i, to_char((md.finished_at AT TIME ZONE 'UTC')::date, 'YYYY-MM-DD') AS day
       FROM ${from}
       JOIN metric_deployments md ON md.finished_at >= b.lo AND md.finished_at < b.hi
         AND md.outcome = 'success' AND ${deploymentFilter(parts, s)}`,
      parts.params,
    );
    const out: number[][] = buckets.map(() => []);
    for (const row of rows) out[num(row.i) - 1].push(Date.parse(`${row.day}T00:00:00Z`));
    return out;
  }

  async leadTimes(s: Selection, buckets: Array<[number, number]>): Promise<Percentiles[]> {
    // Every repository, unfiltered: the per-day bins instead of sorting every change.
    if (s.repositoryIds === null && s.environment === undefined && s.teamId === undefined) {
      const stats = await this.bins.stats('lead', buckets, [0.5, 0.9]);
      return stats.map((x) => ({
        median: x.percentiles[0],
        p90: x.percentiles[1],
        count: x.count,
      }));
    }
    const parts = new SqlQuery();
    const from = bucketsFrom(parts, buckets);
    const rows = await this.dataSource.query<
      { i: string; median: number | null; p90: number | null; n: string }[]
    >(
      `SELECT b.i, percentile_cont(0.5) WITHIN GROUP (ORDER BY mc.lead_seconds) AS median,
              percentile_cont(0.9) WITHIN GROUP (ORDER BY mc.lead_seconds) AS p90,
              count(mc.sha) AS n
       FROM ${from}
       LEFT JOIN metric_changes mc ON mc.deployed_at >= b.lo AND mc.deployed_at < b.hi
         AND ${changeFilter(parts, s)}
       GROUP BY b.i ORDER BY b.i`,
      parts.params,
    );
    return rows.map((r) => ({ median: r.median, p90: r.p90, count: num(r.n) }));
  }

  async recoveries(s: Selection, buckets: Array<[number, number]>): Promise<Percentiles[]> {
    const parts = new SqlQuery();
    const from = bucketsFrom(parts, buckets);
    const rows = await this.dataSource.query<{ i: string; median: number | null; n: string }[]>(
      `SELECT b.i,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM md.recovered_at - md.finished_at)) AS median,
              count(md.id) AS n
       FROM ${from}
       LEFT JOIN metric_deployments md ON md.failed_by IS NOT NULL
         AND md.recovered_at >= b.lo AND md.recovered_at < b.hi AND ${deploymentFilter(parts, s)}
       GROUP BY b.i ORDER BY b.i`,
      parts.params,
    );
    return rows.map((r) => ({ median: r.median, p90: null, count: num(r.n) }));
  }

  /** Per bucket: deployments still failed at its end (failed before it, not recovered by it). */
  async openFailures(s: Selection, buckets: Array<[number, number]>): Promise<OpenFailureRow[][]> {
    const parts = new SqlQuery();
    const from = bucketsFrom(parts, buckets);
    const rows = await this.dataSource.query<(OpenFailureRow & { i: string })[]>(
      `SELECT i, source_id, repository_id, finished_at, failed_by FROM (
         SELECT b.i, md.source_id, md.repository_id, md.finished_at, md.failed_by,
                row_number() OVER (PARTITION BY b.i ORDER BY md.finished_at DESC, md.source_id DESC) AS n
         FROM ${from}
         JOIN metric_deployments md ON md.failed_by IS NOT NULL AND md.finished_at < b.hi
           AND (md.recovered_at IS NULL OR md.recovered_at >= b.hi) AND ${deploymentFilter(parts, s)}
       ) ranked WHERE n <= ${OPEN_LIMIT} ORDER BY i, n`,
      parts.params,
    );
    const out: OpenFailureRow[][] = buckets.map(() => []);
    for (const row of rows) out[num(row.i) - 1].push(row);
    return out;
  }

  async deploymentPage(s: Selection, cursor: string | undefined, limit: number) {
    const parts = new SqlQuery();
    parts.where(
      `md.finished_at >= ${parts.param(s.from)} AND md.finished_at < ${parts.param(s.to)}`,
    );
    parts.where(deploymentFilter(parts, s));
    if (cursor) parts.where(deploymentCursor.after(cursor, parts.param));
    const rows = await this.dataSource.query<DeploymentRow[]>(
      `SELECT md.id, md.source, md.source_id, md.repository_id, r.full_name, md.environment, md.sha,
              md.outcome, md.finished_at, md.baseline, md.failed_by, md.incident_issue_ids,
              md.recovered_at, rb.source_id AS restored_by, md.rework, ${deploymentCursor.select}
       FROM metric_deployments md
       JOIN repositories r ON r.id = md.repository_id
       LEFT JOIN metric_deployments rb ON rb.id = md.recovered_by
       WHERE ${parts.whereSql}
       ORDER BY ${deploymentCursor.orderBy} LIMIT ${parts.param(limit + 1)}`,
      parts.params,
    );
    return deploymentCursor.page(rows, limit);
  }

  async changesOf(deploymentIds: string[]): Promise<ChangeRow[]> {
    if (deploymentIds.length === 0) return [];
    return this.dataSource.query<ChangeRow[]>(
      // Most changes are no pull request's merge: look the number up only for those that are.
      `SELECT mc.deployment_id, mc.sha, mc.started_at, mc.lead_seconds,
              CASE WHEN mc.pull_request_id IS NOT NULL
                   THEN (SELECT pr.number FROM pull_requests pr WHERE pr.id = mc.pull_request_id)
              END AS pull_request_number,
              i.person_id
       FROM metric_changes mc
       LEFT JOIN identities i ON i.id = mc.author_identity_id
       WHERE mc.deployment_id = ANY($1::uuid[])
       ORDER BY mc.started_at, mc.pull_request_id IS NOT NULL, mc.sha`,
      [deploymentIds],
    );
  }

  async incidents(ids: string[]): Promise<IncidentRow[]> {
    if (ids.length === 0) return [];
    return this.dataSource.query<IncidentRow[]>(
      `SELECT id, number, title, created_at, closed_at FROM issues WHERE id = ANY($1::uuid[])
       ORDER BY created_at, id`,
      [ids],
    );
  }

  async flow(s: Selection): Promise<FlowRow> {
    if (s.repositoryIds === null && s.teamId === undefined && s.personId === undefined) {
      return this.binnedFlow(s);
    }
    const parts = new SqlQuery();
    const stats = (column: string) => `
      percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY mp.${column}) AS ${column.split('_')[0]},
      count(mp.${column}) AS ${column.split('_')[0]}_n`;
    const [row] = await this.dataSource.query<FlowRow[]>(
      `SELECT count(*) AS pull_requests,
              ${stats('coding_seconds')}, ${stats('pickup_seconds')}, ${stats('review_seconds')},
              ${stats('deploy_seconds')}, ${stats('cycle_seconds')}, ${stats('size')},
              avg(mp.reviews)::float8 AS reviews_mean,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY mp.reviews) AS reviews_median
       FROM metric_pull_requests mp
       WHERE mp.merged_at >= ${parts.param(s.from)} AND mp.merged_at < ${parts.param(s.to)}
         AND ${pullRequestFilter(parts, s)}`,
      parts.params,
    );
    return row;
  }

  /** The flow figures of every repository from the per-day bins (see ValueBinsRepository). */
  private async binnedFlow(s: Selection): Promise<FlowRow> {
    const window: Array<[number, number]> = [[Date.parse(s.from), Date.parse(s.to)]];
    const measures: BinnedMeasure[] = ['coding', 'pickup', 'review', 'deploy', 'cycle', 'size'];
    const [reviews, ...rest] = await Promise.all([
      this.bins.stats('reviews', window, [0.5]),
      ...measures.map((m) => this.bins.stats(m, window, [0.5, 0.9])),
    ]);
    const [coding, pickup, review, deploy, cycle, size] = rest.map(([x]) => x);
    return {
      pull_requests: String(reviews[0].count),
      coding: coding.percentiles,
      coding_n: String(coding.count),
      pickup: pickup.percentiles,
      pickup_n: String(pickup.count),
      review: review.percentiles,
      review_n: String(review.count),
      deploy: deploy.percentiles,
      deploy_n: String(deploy.count),
      cycle: cycle.percentiles,
      cycle_n: String(cycle.count),
      size: size.percentiles,
      size_n: String(size.count),
      reviews_mean: reviews[0].mean,
      reviews_median: reviews[0].percentiles[0],
    };
  }

  /**
   * The 100 reviewers with the most first reviews, each with the median turnaround. The counts
   * are taken first and only those reviewers' turnarounds are sorted; the pull request is joined
   * only when its author matters (team, person): the turnaround row has its time and repository.
   */
  async turnarounds(s: Selection): Promise<TurnaroundRow[]> {
    const parts = new SqlQuery();
    const byAuthor = s.teamId !== undefined || s.personId !== undefined;
    const filter = [
      `t.merged_at >= ${parts.param(s.from)} AND t.merged_at < ${parts.param(s.to)}`,
      ...(s.repositoryIds
        ? [`t.repository_id = ANY(${parts.param(s.repositoryIds)}::uuid[])`]
        : []),
      ...(byAuthor ? [pullRequestFilter(parts, { ...s, repositoryIds: null })] : []),
    ].join(' AND ');
    const from = `metric_review_turnarounds t${
      byAuthor ? ' JOIN metric_pull_requests mp ON mp.pull_request_id = t.pull_request_id' : ''
    }`;
    return this.dataSource.query<TurnaroundRow[]>(
      `WITH top AS (
         SELECT c.reviewer_identity_id, c.n, i.person_id, i.login
         FROM (SELECT t.reviewer_identity_id, count(*) AS n FROM ${from} WHERE ${filter}
               GROUP BY t.reviewer_identity_id) c
         LEFT JOIN identities i ON i.id = c.reviewer_identity_id
         ORDER BY c.n DESC, i.login, c.reviewer_identity_id LIMIT 100
       )
       SELECT top.reviewer_identity_id AS identity_id, top.person_id, top.login, top.n AS reviews,
              (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY t.turnaround_seconds)
               FROM ${from} WHERE ${filter} AND t.reviewer_identity_id = top.reviewer_identity_id) AS median
       FROM top ORDER BY top.n DESC, top.login, top.reviewer_identity_id`,
      parts.params,
    );
  }

  async pullRequestPage(s: Selection, cursor: string | undefined, limit: number) {
    const parts = new SqlQuery();
    parts.where(`mp.merged_at >= ${parts.param(s.from)} AND mp.merged_at < ${parts.param(s.to)}`);
    parts.where(pullRequestFilter(parts, s));
    if (cursor) parts.where(pullRequestCursor.after(cursor, parts.param));
    const rows = await this.dataSource.query<PullRequestRow[]>(
      `SELECT mp.pull_request_id, mp.repository_id, r.full_name, pr.number, pr.title, ai.person_id,
              mp.first_commit_at, mp.ready_at, mp.first_review_at, mp.merged_at, mp.deployed_at,
              mp.coding_seconds, mp.pickup_seconds, mp.review_seconds, mp.deploy_seconds,
              mp.cycle_seconds, mp.size, mp.reviews, ${pullRequestCursor.select}
       FROM metric_pull_requests mp
       JOIN pull_requests pr ON pr.id = mp.pull_request_id
       JOIN repositories r ON r.id = mp.repository_id
       LEFT JOIN identities ai ON ai.id = mp.author_identity_id
       WHERE ${parts.whereSql}
       ORDER BY ${pullRequestCursor.orderBy} LIMIT ${parts.param(limit + 1)}`,
      parts.params,
    );
    return pullRequestCursor.page(rows, limit);
  }
}
