import { Injectable } from '@nestjs/common';
import { AppError, ErrorCode } from '../../core/http/app-error';
import { DEFAULT_PAGE_SIZE } from '../activity/read/read.dto';
import { utcTime } from '../activity/read/sql';
import {
  changeFailureLevel,
  DORA_DEFINITIONS,
  frequencyBucket,
  frequencyLevel,
  intervals,
  leadTimeLevel,
  PULL_REQUEST_DEFINITIONS,
  recoveryLevel,
  SeriesInterval,
  THRESHOLD_SET,
} from './definitions';
import {
  DoraFiguresView,
  DoraSeriesQuery,
  DoraSeriesView,
  DoraView,
  DurationStatsView,
  LevelsView,
  MetricDeploymentPageView,
  MetricsQuery,
  PullRequestFlowView,
  PullRequestMetricsQuery,
  PullRequestPhasesPageView,
  SizeStatsView,
} from './metrics.dto';
import { MetricsQueryRepository, OpenFailureRow, Selection } from './metrics-query.repository';

const DEFAULT_WINDOW_MS = 30 * 24 * 3600 * 1000;
const WEEK_MS = 7 * 24 * 3600 * 1000;
/** A series is drawn, not dumped: at most this many intervals. */
const MAX_INTERVALS = 1000;

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

/** The DORA measures and the pull-request flow, from the rollups. */
@Injectable()
export class MetricsService {
  constructor(private readonly query: MetricsQueryRepository) {}

  async selection(q: MetricsQuery & { person?: string }): Promise<Selection> {
    const to = q.to ? Date.parse(utcTime(q.to) ?? '') : Date.now();
    const from = q.from ? Date.parse(utcTime(q.from) ?? '') : to - DEFAULT_WINDOW_MS;
    if (!(from < to)) {
      throw new AppError(ErrorCode.ValidationFailed, '`from` must be before `to`', {
        from: q.from,
        to: q.to,
      });
    }
    if (q.team !== undefined && !(await this.query.teamExists(q.team))) {
      throw new AppError(ErrorCode.NotFound, `Team ${q.team} does not exist`);
    }
    return {
      repositoryIds: q.repository ? await this.query.resolveRepositories(q.repository) : null,
      from: new Date(from).toISOString(),
      to: new Date(to).toISOString(),
      environment: q.environment,
      teamId: q.team,
      personId: q.person,
    };
  }

  async dora(q: MetricsQuery): Promise<DoraView> {
    const s = await this.selection(q);
    const [figures] = await this.figures(s, undefined);
    return { ...figures, definitions: { ...DORA_DEFINITIONS } };
  }

  async series(q: DoraSeriesQuery): Promise<DoraSeriesView> {
    const s = await this.selection(q);
    const series = await this.figures(s, q.interval);
    return {
      window: { from: s.from, to: s.to },
      interval: q.interval,
      series,
      definitions: { ...DORA_DEFINITIONS },
    };
  }

  private async figures(
    s: Selection,
    interval: SeriesInterval | undefined,
  ): Promise<DoraFiguresView[]> {
    const buckets = intervals(Date.parse(s.from), Date.parse(s.to), interval);
    if (buckets.length > MAX_INTERVALS) {
      throw new AppError(
        ErrorCode.ValidationFailed,
        `The window has ${buckets.length} intervals; at most ${MAX_INTERVALS}`,
      );
    }
    const [counts, days, leads, recoveries, open] = await Promise.all([
      this.query.deploymentCounts(s, buckets),
      this.query.deploymentDays(s, buckets),
      this.query.leadTimes(s, buckets),
      this.query.recoveries(s, buckets),
      this.query.openFailures(s, buckets),
    ]);
    return buckets.map(([start, end], i) =>
      this.figuresOf(start, end, counts[i], days[i], leads[i], recoveries[i], open[i]),
    );
  }

  private figuresOf(
    start: number,
    end: number,
    c: Awaited<ReturnType<MetricsQueryRepository['deploymentCounts']>>[number],
    days: number[],
    lead: { median: number | null; p90: number | null; count: number },
    recovery: { median: number | null; count: number },
    open: OpenFailureRow[],
  ): DoraFiguresView {
    const noDeployments = 'no production deployment finished in the window';
    const bucket = c.deployments > 0 ? frequencyBucket(days, start, end) : null;
    const cfr = c.total > 0 ? c.failed / c.total : null;
    const rework = c.deployments > 0 ? c.rework / c.deployments : null;
    const leadReason =
      c.total === 0
        ? noDeployments
        : c.baseline > 0 && c.deployments === c.baseline
          ? 'only the baseline deployment (the first one ships no lead times)'
          : 'no change reached production in the window';
    const levels: LevelsView = {
      thresholdSet: THRESHOLD_SET,
      deploymentFrequency: bucket
        ? { level: frequencyLevel(bucket) }
        : { level: null, reason: noDeployments },
      leadTimeForChanges:
        lead.median !== null
          ? { level: leadTimeLevel(lead.median) }
          : { level: null, reason: leadReason },
      changeFailureRate:
        cfr !== null ? { level: changeFailureLevel(cfr) } : { level: null, reason: noDeployments },
      failedDeploymentRecoveryTime:
        recovery.median !== null
          ? { level: recoveryLevel(recovery.median) }
          : { level: null, reason: 'no recovery completed in the window' },
      deploymentReworkRate: {
        level: null,
        reason: 'DORA publishes no performance levels for the rework rate',
      },
    };
    return {
      window: { from: new Date(start).toISOString(), to: new Date(end).toISOString() },
      deploymentFrequency: {
        deployments: c.deployments,
        deploymentDays: c.deploymentDays,
        perWeek: c.deployments > 0 ? c.deployments / ((end - start) / WEEK_MS) : null,
        bucket,
        ...(c.deployments > 0 ? {} : { reason: noDeployments }),
      },
      leadTimeForChanges: {
        medianSeconds: lead.median,
        p90Seconds: lead.p90,
        changes: lead.count,
        baselineDeployments: c.baseline,
        ...(lead.median !== null ? {} : { reason: leadReason }),
      },
      changeFailureRate: {
        ratio: cfr,
        failedDeployments: c.failed,
        deployments: c.total,
        ...(cfr !== null ? {} : { reason: noDeployments }),
      },
      failedDeploymentRecoveryTime: {
        medianSeconds: recovery.median,
        recoveries: recovery.count,
        open: open.map((o) => ({
          deploymentId: o.source_id,
          repositoryId: o.repository_id,
          failedAt: o.finished_at.toISOString(),
          failedBy: o.failed_by,
        })),
        ...(recovery.median !== null ? {} : { reason: 'no recovery completed in the window' }),
      },
      deploymentReworkRate: {
        ratio: rework,
        reworkDeployments: c.rework,
        deployments: c.deployments,
        ...(rework !== null
          ? {}
          : { reason: 'no successful production deployment finished in the window' }),
      },
      levels,
    };
  }

  async deployments(q: MetricsQuery): Promise<MetricDeploymentPageView> {
    const s = await this.selection(q);
    const page = await this.query.deploymentPage(s, q.cursor, q.limit ?? DEFAULT_PAGE_SIZE);
    const [changes, incidents] = await Promise.all([
      this.query.changesOf(page.rows.map((r) => r.id)),
      this.query.incidents(page.rows.flatMap((r) => r.incident_issue_ids)),
    ]);
    return {
      window: { from: s.from, to: s.to },
      items: page.rows.map((r) => ({
        id: r.source_id,
        source: r.source,
        repositoryId: r.repository_id,
        repositoryFullName: r.full_name,
        environment: r.environment,
        sha: r.sha,
        outcome: r.outcome,
        finishedAt: r.finished_at.toISOString(),
        baseline: r.baseline,
        failedBy: r.failed_by,
        incidents: incidents
          .filter((i) => r.incident_issue_ids.includes(i.id))
          .map((i) => ({
            issueId: i.id,
            number: i.number,
            title: i.title,
            openedAt: i.created_at.toISOString(),
            closedAt: iso(i.closed_at),
          })),
        recovery:
          r.failed_by === null
            ? null
            : {
                recoveredAt: iso(r.recovered_at),
                seconds: r.recovered_at
                  ? (r.recovered_at.getTime() - r.finished_at.getTime()) / 1000
                  : null,
                restoredByDeploymentId: r.restored_by,
              },
        rework: r.rework,
        changes: changes
          .filter((c) => c.deployment_id === r.id)
          .map((c) => ({
            sha: c.sha,
            startedAt: c.started_at.toISOString(),
            leadSeconds: c.lead_seconds,
            pullRequestNumber: c.pull_request_number,
            authorPersonId: c.person_id,
          })),
      })),
      nextCursor: page.nextCursor,
    };
  }

  async pullRequests(q: PullRequestMetricsQuery): Promise<PullRequestFlowView> {
    const s = await this.selection(q);
    const [flow, turnarounds] = await Promise.all([this.query.flow(s), this.query.turnarounds(s)]);
    const total = Number(flow.pull_requests);
    const none = 'no pull request merged in the window';
    const duration = (values: (number | null)[], n: string, what: string): DurationStatsView => {
      const count = Number(n);
      if (count === 0) {
        return {
          medianSeconds: null,
          p90Seconds: null,
          pullRequests: 0,
          reason: total === 0 ? none : `no merged pull request has a known ${what}`,
        };
      }
      return { medianSeconds: values[0], p90Seconds: values[1], pullRequests: count };
    };
    const size: SizeStatsView =
      Number(flow.size_n) === 0
        ? {
            median: null,
            p90: null,
            pullRequests: 0,
            reason: total === 0 ? none : 'the forge sent no sizes',
          }
        : { median: flow.size[0], p90: flow.size[1], pullRequests: Number(flow.size_n) };
    return {
      window: { from: s.from, to: s.to },
      pullRequests: total,
      codingTime: duration(flow.coding, flow.coding_n, 'first commit'),
      pickupTime: duration(flow.pickup, flow.pickup_n, 'first review'),
      reviewTime: duration(flow.review, flow.review_n, 'first review'),
      deployTime: duration(flow.deploy, flow.deploy_n, 'production deployment'),
      cycleTime: duration(flow.cycle, flow.cycle_n, 'first commit and production deployment'),
      size,
      reviewsPerPullRequest:
        total === 0
          ? { mean: null, median: null, reason: none }
          : { mean: flow.reviews_mean, median: flow.reviews_median },
      reviewTurnaround: turnarounds.map((t) => ({
        identityId: t.identity_id,
        personId: t.person_id,
        login: t.login,
        reviews: Number(t.reviews),
        medianSeconds: t.median,
      })),
      definitions: { ...PULL_REQUEST_DEFINITIONS },
    };
  }

  async pullRequestItems(q: PullRequestMetricsQuery): Promise<PullRequestPhasesPageView> {
    const s = await this.selection(q);
    const page = await this.query.pullRequestPage(s, q.cursor, q.limit ?? DEFAULT_PAGE_SIZE);
    return {
      window: { from: s.from, to: s.to },
      items: page.rows.map((r) => ({
        pullRequestId: r.pull_request_id,
        repositoryId: r.repository_id,
        repositoryFullName: r.full_name,
        number: r.number,
        title: r.title,
        authorPersonId: r.person_id,
        firstCommitAt: iso(r.first_commit_at),
        readyAt: r.ready_at.toISOString(),
        firstReviewAt: iso(r.first_review_at),
        mergedAt: r.merged_at.toISOString(),
        deployedAt: iso(r.deployed_at),
        codingSeconds: r.coding_seconds,
        pickupSeconds: r.pickup_seconds,
        reviewSeconds: r.review_seconds,
        deploySeconds: r.deploy_seconds,
        cycleSeconds: r.cycle_seconds,
        size: r.size,
        reviews: r.reviews,
      })),
      nextCursor: page.nextCursor,
    };
  }
}
