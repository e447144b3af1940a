import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { DEFAULT_INCIDENT_LABEL_PATTERN, DEFAULT_PRODUCTION_PATTERN } from './definitions';

/** A production deployment as the record shows it, before failures and changes are known. */
interface DeploymentSourceRow {
  source: 'deployment' | 'ci_run' | 'ci_job';
  source_id: string;
  environment: string;
  sha: string;
  outcome: 'success' | 'failure';
  finished_at: Date;
}

interface IncidentRow {
  id: string;
  created_at: Date;
  closed_at: Date | null;
}

interface PriorDeploymentRow {
  outcome: 'success' | 'failure';
  failed_by: 'status' | 'incident' | null;
}

/** A production deployment with everything the rollup keeps about it. */
interface DeploymentFact extends DeploymentSourceRow {
  id: string;
  baseline: boolean;
  failedBy: 'status' | 'incident' | null;
  incidentIssueIds: string[];
  /** Incident close times, when every attributed incident is closed; else null. */
  recoveredAt: Date | null;
  recoveredBy: string | null;
  rework: boolean;
}

export interface RefreshOutcome {
  /** The time from which figures were recomputed; null when nothing had changed. */
  since: string | null;
  deployments: number;
  changes: number;
  pullRequests: number;
}

const MINUS_INFINITY = '-infinity';

/** The settings of a repository, or the defaults, as one row (used as a CTE). */
const SETTINGS = `SELECT coalesce(s.production_pattern, '${DEFAULT_PRODUCTION_PATTERN}') AS production_pattern,
    coalesce(s.incident_label_pattern, '${DEFAULT_INCIDENT_LABEL_PATTERN}') AS incident_pattern,
    s.ci_deployment_pattern
  FROM (SELECT 1) AS one LEFT JOIN repository_metric_settings s ON s.repository_id = $1`;

/**
 * The first commit of a pull request: the earliest commit pushed to its head branch, no later
 * than its merge. `pr` is the pull request's alias; $1 the repository.
 */
const PR_FIRST_COMMIT = `
  SELECT min(fcm.committed_at) AS at
  FROM pushes fp CROSS JOIN LATERAL unnest(fp.commit_shas) AS fu(sha)
  JOIN commits fcm ON fcm.repository_id = $1 AND fcm.sha = fu.sha
  WHERE fp.repository_id = $1 AND fp.ref = 'refs/heads/' || pr.head_ref
    AND fcm.committed_at <= pr.merged_at`;

/**
 * Deployments through CI, when the repository names a CI deployment pattern: successful runs
 * (GitHub workflow runs, GitLab pipelines, …) on the default branch whose name matches, and
 * successful jobs on the default branch whose name matches, unless their run's name matches
 * too (the run is then the deployment). Check suites and check runs are left out: GitHub sends
 * them beside the workflow runs and jobs they mirror. $1 is the repository, $2 `since`; needs
 * the `settings` CTE.
 */
const CI_DEPLOYMENTS = `
  SELECT 'ci_run', c.id, coalesce(c.name, 'ci'), c.head_sha, 'success', c.completed_at
  FROM ci_runs c CROSS JOIN settings JOIN repositories r ON r.id = c.repository_id
  WHERE c.repository_id = $1 AND settings.ci_deployment_pattern IS NOT NULL
    AND c.source <> 'check_suite' AND c.status = 'completed' AND c.conclusion = 'success'
    AND c.completed_at >= $2 AND c.head_branch = r.default_branch
    AND c.name ~* settings.ci_deployment_pattern
  UNION ALL
  SELECT 'ci_job', j.id, j.name, j.head_sha, 'success', j.completed_at
  FROM ci_jobs j CROSS JOIN settings JOIN repositories r ON r.id = j.repository_id
  WHERE j.repository_id = $1 AND settings.ci_deployment_pattern IS NOT NULL
    AND j.source <> 'check_run' AND j.status = 'completed' AND j.conclusion = 'success'
    AND j.completed_at >= $2 AND j.head_branch = r.default_branch
    AND j.name ~* settings.ci_deployment_pattern
    AND NOT EXISTS (
      SELECT 1 FROM ci_runs c
      WHERE c.repository_id = $1 AND c.external_id = j.run_external_id
        AND c.source = CASE j.source WHEN 'workflow_job' THEN 'workflow_run' ELSE j.source END
        AND c.name ~* settings.ci_deployment_pattern)`;

/**
 * The rollups' writes: from a time `since`, everything a figure depends on is recomputed from
 * the record, and nothing older is touched. `since = -infinity` is the full recompute; both
 * paths are this one code path.
 */
@Injectable()
export class RollupRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Repositories with change marks older than `ageMs` (a refresh should have taken them). */
  async repositoriesWithStaleMarks(ageMs: number, limit = 1000): Promise<string[]> {
    const rows = await this.dataSource.query<{ repository_id: string }[]>(
      `SELECT DISTINCT repository_id FROM metric_dirty
       WHERE created_at < now() - $1 * interval '1 millisecond' LIMIT $2`,
      [ageMs, limit],
    );
    return rows.map((r) => r.repository_id);
  }

  /** Recomputes from what metric_dirty says changed (or everything when `full`). */
  refresh(repositoryId: string, full: boolean): Promise<RefreshOutcome> {
    return this.dataSource.transaction(async (tx) => {
      // One refresh of a repository at a time (an incremental and a full one may both run).
      await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`metrics:${repositoryId}`]);
      const [settings] = await tx.query<{ ci_deployment_pattern: string | null }[]>(SETTINGS, [
        repositoryId,
      ]);
      const dirty = await tx.query<{ since: Date; kind: string }[]>(
        'WITH taken AS (DELETE FROM metric_dirty WHERE repository_id = $1 RETURNING since, kind) SELECT * FROM taken',
        [repositoryId],
      );
      let since: string | null = full ? MINUS_INFINITY : null;
      if (!full) {
        for (const row of dirty) {
          if (row.kind === 'ci_run' && settings.ci_deployment_pattern === null) continue;
          const at = row.since.toISOString();
          if (since === null || Date.parse(at) < Date.parse(since)) since = at;
        }
      }
      if (since === null) return { since: null, deployments: 0, changes: 0, pullRequests: 0 };
      if (since !== MINUS_INFINITY) since = await this.widen(tx, repositoryId, since);
      const deployments = await this.recomputeDeployments(tx, repositoryId, since);
      const changes = await this.recomputeChanges(tx, repositoryId, deployments);
      const pullRequests = await this.recomputePullRequests(tx, repositoryId, since);
      return { since, deployments: deployments.length, changes, pullRequests };
    });
  }

  /**
   * Moves `since` back to what a change at `since` can reach: the latest successful deployment
   * before it (an incident opened at `since` is attributed to it), and every deployment failed
   * before it that was still waiting for, or recovered after, that time (with, again, the
   * successful deployment its incidents would be attributed to).
   */
  private async widen(tx: EntityManager, repositoryId: string, since: string): Promise<string> {
    const latestSuccess = async (at: string, inclusive: boolean): Promise<string> => {
      const [row] = await tx.query<{ at: Date | null }[]>(
        `SELECT max(finished_at) AS at FROM metric_deployments
         WHERE repository_id = $1 AND outcome = 'success' AND finished_at ${inclusive ? '<=' : '<'} $2`,
        [repositoryId, at],
      );
      return row.at ? row.at.toISOString() : at;
    };
    let current = await latestSuccess(since, false);
    for (;;) {
      const [row] = await tx.query<{ at: Date | null }[]>(
        `SELECT min(finished_at) AS at FROM metric_deployments
         WHERE repository_id = $1 AND failed_by IS NOT NULL AND finished_at < $2
           AND (recovered_at IS NULL OR recovered_at >= $2)`,
        [repositoryId, current],
      );
      if (!row.at) return current;
      current = await latestSuccess(row.at.toISOString(), true);
    }
  }

  private async recomputeDeployments(
    tx: EntityManager,
    repositoryId: string,
    since: string,
  ): Promise<DeploymentFact[]> {
    await tx.query(
      'DELETE FROM metric_deployments WHERE repository_id = $1 AND finished_at >= $2',
      [repositoryId, since],
    );
    const sources = await tx.query<DeploymentSourceRow[]>(
      `WITH settings AS (${SETTINGS})
       SELECT 'deployment' AS source, d.id AS source_id, d.environment, d.sha,
              CASE WHEN f.state = 'success' THEN 'success' ELSE 'failure' END AS outcome,
              f.created_at AS finished_at
       FROM deployments d CROSS JOIN settings
       CROSS JOIN LATERAL (
         SELECT s.state, s.created_at FROM deployment_statuses s
         WHERE s.deployment_id = d.id AND s.state IN ('success', 'failure', 'error')
         ORDER BY s.created_at DESC, s.state DESC LIMIT 1) f
       WHERE d.repository_id = $1 AND f.created_at >= $2
         AND (d.production IS TRUE OR d.environment ~* settings.production_pattern)
       UNION ALL
       ${CI_DEPLOYMENTS}
       ORDER BY finished_at, source_id`,
      [repositoryId, since],
    );
    const [before] = await tx.query<{ any_success: boolean }[]>(
      `SELECT EXISTS (SELECT 1 FROM metric_deployments
         WHERE repository_id = $1 AND outcome = 'success' AND finished_at < $2) AS any_success`,
      [repositoryId, since],
    );
    const [prior] = await tx.query<PriorDeploymentRow[]>(
      `SELECT outcome, failed_by FROM metric_deployments WHERE repository_id = $1 AND finished_at < $2
       ORDER BY finished_at DESC, source_id DESC LIMIT 1`,
      [repositoryId, since],
    );
    const facts = this.deploymentFacts(sources, before.any_success, prior);
    await this.attributeIncidents(tx, repositoryId, since, facts);
    if (facts.length > 0) {
      await tx.query(
        `INSERT INTO metric_deployments (id, repository_id, source, source_id, environment, sha, outcome,
           finished_at, baseline, failed_by, incident_issue_ids, recovered_at, recovered_by, rework)
         SELECT f.id, $1, f.source, f.source_id, f.environment, f.sha, f.outcome, f.finished_at,
                f.baseline, f.failed_by, f.incident_issue_ids, f.recovered_at, f.recovered_by, f.rework
         FROM jsonb_to_recordset($2::jsonb) AS f(id uuid, source text, source_id uuid, environment text,
           sha text, outcome text, finished_at timestamptz, baseline boolean, failed_by text,
           incident_issue_ids uuid[], recovered_at timestamptz, recovered_by uuid, rework boolean)`,
        [
          repositoryId,
          JSON.stringify(
            facts.map((f) => ({
              id: f.id,
              source: f.source,
              source_id: f.source_id,
              environment: f.environment,
              sha: f.sha,
              outcome: f.outcome,
              finished_at: f.finished_at.toISOString(),
              baseline: f.baseline,
              failed_by: f.failedBy,
              incident_issue_ids: f.incidentIssueIds,
              recovered_at: f.recoveredAt?.toISOString() ?? null,
              recovered_by: f.recoveredBy,
              rework: f.rework,
            })),
          ),
        ],
      );
    }
    return facts;
  }

  /** Outcome, baseline, status failures and their recoveries, rework after a failure. */
  private deploymentFacts(
    sources: DeploymentSourceRow[],
    successBefore: boolean,
    prior: PriorDeploymentRow | undefined,
  ): DeploymentFact[] {
    let anySuccess = successBefore;
    let previousFailedByStatus = prior?.failed_by === 'status';
    const facts: DeploymentFact[] = sources.map((source) => {
      const success = source.outcome === 'success';
      const fact: DeploymentFact = {
        ...source,
        id: randomUUID(),
        baseline: success && !anySuccess,
        failedBy: success ? null : 'status',
        incidentIssueIds: [],
        recoveredAt: null,
        recoveredBy: null,
        rework: success && previousFailedByStatus,
      };
      if (success) anySuccess = true;
      previousFailedByStatus = !success;
      return fact;
    });
    for (let i = 0; i < facts.length; i++) {
      if (facts[i].failedBy !== 'status') continue;
      const next = facts.slice(i + 1).find((f) => f.outcome === 'success');
      if (next) {
        facts[i].recoveredAt = next.finished_at;
        facts[i].recoveredBy = next.id;
      }
    }
    return facts;
  }

  /**
   * An incident (an issue whose labels match the pattern) fails the latest successful
   * deployment finished before it opened; the deployment recovers when all its incidents are
   * closed, and the last successful deployment before that close is rework.
   */
  private async attributeIncidents(
    tx: EntityManager,
    repositoryId: string,
    since: string,
    facts: DeploymentFact[],
  ): Promise<void> {
    const successes = facts.filter((f) => f.outcome === 'success');
    if (successes.length === 0) return;
    const incidents = await tx.query<IncidentRow[]>(
      `WITH settings AS (${SETTINGS})
       SELECT i.id, i.created_at, i.closed_at FROM issues i CROSS JOIN settings
       WHERE i.repository_id = $1 AND i.created_at > $2
         AND EXISTS (SELECT 1 FROM unnest(i.labels) AS l(name) WHERE l.name ~* settings.incident_pattern)
       ORDER BY i.created_at, i.id`,
      [repositoryId, since],
    );
    const closes = new Map<DeploymentFact, (Date | null)[]>();
    for (const incident of incidents) {
      const target = successes
        .filter((f) => f.finished_at.getTime() < incident.created_at.getTime())
        .at(-1);
      if (!target) continue;
      target.failedBy = 'incident';
      target.incidentIssueIds.push(incident.id);
      closes.set(target, [...(closes.get(target) ?? []), incident.closed_at]);
    }
    for (const [deployment, closedAts] of closes) {
      if (closedAts.some((c) => c === null)) continue;
      const closedAt = new Date(Math.max(...closedAts.map((c) => (c as Date).getTime())));
      deployment.recoveredAt = closedAt;
      const restorer = successes
        .filter(
          (f) =>
            f.finished_at.getTime() > deployment.finished_at.getTime() &&
            f.finished_at.getTime() <= closedAt.getTime(),
        )
        .at(-1);
      if (restorer) {
        restorer.rework = true;
        deployment.recoveredBy = restorer.id;
      }
    }
  }

  /**
   * The commits each successful deployment brought: follow the pushes' before ← after links
   * back from its sha until a sha an earlier successful deployment shipped. A commit belongs to
   * the first deployment that contains it; a merge or squash commit of a pull request counts
   * from the pull request's first commit. The baseline ships no lead times.
   */
  private async recomputeChanges(
    tx: EntityManager,
    repositoryId: string,
    facts: DeploymentFact[],
  ): Promise<number> {
    let total = 0;
    for (const fact of facts) {
      if (fact.outcome !== 'success' || fact.baseline) continue;
      const stop = `EXISTS (SELECT 1 FROM metric_deployments e WHERE e.repository_id = $1
          AND e.outcome = 'success' AND e.sha = $SHA
          AND (e.finished_at, e.source_id) < ($3::timestamptz, $4::uuid))`;
      const rows = await tx.query<{ n: string }[]>(
        `WITH RECURSIVE chain(sha) AS (
           SELECT $2::text WHERE NOT ${stop.replace('$SHA', '$2::text')}
           UNION
           SELECT p.before_sha FROM chain c
           JOIN pushes p ON p.repository_id = $1 AND p.after_sha = c.sha
           WHERE NOT ${stop.replace('$SHA', 'p.before_sha')}
         ),
         shipped AS (
           SELECT DISTINCT u.sha FROM chain c
           JOIN pushes p ON p.repository_id = $1 AND p.after_sha = c.sha
           CROSS JOIN LATERAL unnest(p.commit_shas) AS u(sha)
         ),
         inserted AS (
           INSERT INTO metric_changes (repository_id, sha, deployment_id, author_identity_id,
             pull_request_id, started_at, deployed_at, lead_seconds)
           SELECT $1, cm.sha, $5, cm.author_identity_id, pr.id, st.at, $3::timestamptz,
                  extract(epoch FROM $3::timestamptz - st.at)
           FROM shipped s
           JOIN commits cm ON cm.repository_id = $1 AND cm.sha = s.sha
           LEFT JOIN pull_requests pr ON pr.repository_id = $1 AND pr.merge_commit_sha = s.sha
           LEFT JOIN LATERAL (${PR_FIRST_COMMIT}) fc ON pr.id IS NOT NULL
           CROSS JOIN LATERAL (SELECT coalesce(fc.at, cm.committed_at) AS at) st
           WHERE NOT EXISTS (SELECT 1 FROM metric_changes x WHERE x.repository_id = $1 AND x.sha = s.sha)
           ON CONFLICT DO NOTHING
           RETURNING 1
         ),
         counted AS (
           UPDATE metric_deployments SET changes = (SELECT count(*) FROM inserted)
           WHERE id = $5 RETURNING changes AS n
         )
         SELECT n FROM counted`,
        [repositoryId, fact.sha, fact.finished_at.toISOString(), fact.source_id, fact.id],
      );
      total += Number(rows[0]?.n ?? 0);
    }
    return total;
  }

  /** Phases of every merged pull request the span can have changed. */
  private async recomputePullRequests(
    tx: EntityManager,
    repositoryId: string,
    since: string,
  ): Promise<number> {
    const removed = await tx.query<{ pull_request_id: string }[]>(
      `WITH removed AS (DELETE FROM metric_pull_requests WHERE repository_id = $1
         AND (merged_at >= $2 OR deployed_at >= $2) RETURNING pull_request_id)
       SELECT pull_request_id FROM removed`,
      [repositoryId, since],
    );
    const notSelf = (alias: string, identity: string) => `${identity} IS NOT NULL
      AND ${identity} IS DISTINCT FROM pr.author_identity_id
      AND NOT coalesce(${alias}.bot, false)
      AND (${alias}.person_id IS NULL OR ${alias}.person_id IS DISTINCT FROM pa.person_id)`;
    const inserted = await tx.query<{ pull_request_id: string }[]>(
      `WITH chosen AS (
         SELECT pr.* FROM pull_requests pr
         WHERE pr.repository_id = $1 AND pr.state = 'merged' AND pr.merged_at IS NOT NULL
           AND (pr.merged_at >= $2 OR pr.id = ANY($3::uuid[])
                OR pr.merge_commit_sha IN (SELECT sha FROM metric_changes
                                           WHERE repository_id = $1 AND deployed_at >= $2))
       ),
       phases AS (
         SELECT pr.id, pr.repository_id, pr.author_identity_id, pr.merged_at, fc.at AS first_commit_at,
                ready.at AS ready_at, rv.at AS first_review_at, ch.deployed_at, ch.deployment_id,
                pr.additions + pr.deletions AS size, coalesce(cnt.n, 0) AS reviews
         FROM chosen pr
         LEFT JOIN identities pa ON pa.id = pr.author_identity_id
         LEFT JOIN LATERAL (${PR_FIRST_COMMIT}) fc ON true
         CROSS JOIN LATERAL (
           SELECT CASE WHEN e.first_ready IS NOT NULL
                        AND (e.first_draft IS NULL OR e.first_ready < e.first_draft)
                       THEN e.first_ready ELSE pr.created_at END AS at
           FROM (SELECT min(occurred_at) FILTER (WHERE action = 'ready_for_review') AS first_ready,
                        min(occurred_at) FILTER (WHERE action = 'converted_to_draft') AS first_draft
                 FROM pull_request_events WHERE pull_request_id = pr.id) e) ready
         LEFT JOIN LATERAL (
           SELECT min(x.at) AS at FROM (
             SELECT r.submitted_at AS at FROM reviews r
             LEFT JOIN identities ri ON ri.id = r.author_identity_id
             WHERE r.pull_request_id = pr.id AND r.submitted_at >= ready.at
               AND ${notSelf('ri', 'r.author_identity_id')}
             UNION ALL
             SELECT c.created_at FROM comments c
             LEFT JOIN identities ci ON ci.id = c.author_identity_id
             WHERE c.repository_id = $1 AND c.target_type = 'pull_request'
               AND c.target_number = pr.number AND NOT c.deleted AND c.created_at >= ready.at
               AND ${notSelf('ci', 'c.author_identity_id')}) x) rv ON true
         LEFT JOIN LATERAL (
           SELECT count(*) AS n FROM reviews r LEFT JOIN identities ri ON ri.id = r.author_identity_id
           WHERE r.pull_request_id = pr.id AND ${notSelf('ri', 'r.author_identity_id')}) cnt ON true
         LEFT JOIN metric_changes ch ON ch.repository_id = $1 AND ch.sha = pr.merge_commit_sha
       ),
       written AS (
         INSERT INTO metric_pull_requests (pull_request_id, repository_id, author_identity_id, merged_at,
           first_commit_at, ready_at, first_review_at, deployed_at, deployment_id, coding_seconds,
           pickup_seconds, review_seconds, deploy_seconds, cycle_seconds, size, reviews)
         SELECT id, repository_id, author_identity_id, merged_at, first_commit_at, ready_at,
                first_review_at, deployed_at, deployment_id,
                extract(epoch FROM ready_at - first_commit_at),
                extract(epoch FROM first_review_at - ready_at),
                extract(epoch FROM merged_at - first_review_at),
                extract(epoch FROM deployed_at - merged_at),
                extract(epoch FROM deployed_at - first_commit_at),
                size, reviews
         FROM phases
         RETURNING pull_request_id
       )
       SELECT pull_request_id FROM written`,
      [repositoryId, since, removed.map((r) => r.pull_request_id)],
    );
    const ids = inserted.map((r) => r.pull_request_id);
    if (ids.length > 0) {
      await tx.query(
        `INSERT INTO metric_review_turnarounds (pull_request_id, reviewer_identity_id, repository_id,
           merged_at, first_review_at, turnaround_seconds)
         SELECT m.pull_request_id, r.author_identity_id, m.repository_id, m.merged_at,
                min(r.submitted_at), extract(epoch FROM min(r.submitted_at) - m.ready_at)
         FROM metric_pull_requests m
         JOIN pull_requests pr ON pr.id = m.pull_request_id
         LEFT JOIN identities pa ON pa.id = pr.author_identity_id
         JOIN reviews r ON r.pull_request_id = m.pull_request_id AND r.submitted_at >= m.ready_at
         LEFT JOIN identities ri ON ri.id = r.author_identity_id
         WHERE m.pull_request_id = ANY($1::uuid[]) AND ${notSelf('ri', 'r.author_identity_id')}
         GROUP BY m.pull_request_id, r.author_identity_id, m.repository_id, m.merged_at, m.ready_at`,
        [ids],
      );
    }
    return ids.length;
  }
}
