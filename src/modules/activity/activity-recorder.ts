import { Injectable } from '@nestjs/common';
import { SqlSession } from '../../core/database/unit-of-work';
import { IdentityResolver, IdentityScope } from '../users/identity-resolver';
import {
  CiJobEvent,
  CiRunEvent,
  CommentEvent,
  DeploymentEvent,
  DomainEvent,
  IssueEvent,
  PullRequestData,
  PushEvent,
  ReleaseEvent,
  RepositoryRef,
  ReviewEvent,
} from './domain-events';

/** What one delivery touched, for the follow-up jobs. */
export interface RecordedActivity {
  repositoryIds: Set<string>;
  /** Repositories that received a push to their default branch. */
  defaultBranchPushes: Set<string>;
  /** Repositories with a CI run that completed with a failure. */
  failedCiRepositories: Set<string>;
}

export interface RecordContext {
  /** Writes whose result is not needed are deferred, to be sent with the delivery's claim. */
  session: SqlSession;
  provider: string;
  deliveryId: string;
  identities: IdentityScope;
  /** Run by the caller once the transaction has committed (never after a rollback). */
  afterCommit: Array<() => void>;
}

interface KnownRepository {
  id: string;
  fullName: string;
  name: string;
  defaultBranch: string | null;
  url: string | null;
  private: boolean | null;
  /** Epoch ms of last_event_at as stored. */
  lastEventAt: number;
  cachedAt: number;
}

const REPOSITORY_CACHE_TTL_MS = 5 * 60 * 1000;
const REPOSITORY_CACHE_MAX = 10000;

/** last_event_at is kept to this resolution, so that busy repositories are rarely rewritten. */
const LAST_EVENT_RESOLUTION = '1 minute';

const PR_STATE_RANK = `CASE $STATE WHEN 'merged' THEN 2 WHEN 'closed' THEN 1 ELSE 0 END`;
const CI_STATUS_RANK = `CASE $STATUS WHEN 'completed' THEN 2 WHEN 'in_progress' THEN 1 ELSE 0 END`;

/**
 * `true` when the incoming row is newer than the stored one by the forge's own clock; on a
 * tie, the further state wins (merged over closed over open), so any order converges.
 */
function newer(table: string, rank: string, column: string): string {
  const incoming = rank
    .replace('$STATE', `excluded.${column}`)
    .replace('$STATUS', `excluded.${column}`);
  const stored = rank
    .replace('$STATE', `${table}.${column}`)
    .replace('$STATUS', `${table}.${column}`);
  return `(excluded.updated_at > ${table}.updated_at OR (excluded.updated_at = ${table}.updated_at AND ${incoming} > ${stored}))`;
}

function takeIfNewer(table: string, condition: string, columns: string[]): string {
  return columns
    .map((c) => `${c} = CASE WHEN ${condition} THEN excluded.${c} ELSE ${table}.${c} END`)
    .join(',\n');
}

/**
 * A newer open snapshot clears closed_at (reopened); a newer closed one without a time (some
 * forges only send it on the closing event) keeps the one already stored.
 */
function closedAt(table: string, condition: string): string {
  return `closed_at = CASE WHEN NOT ${condition} THEN ${table}.closed_at
                           WHEN excluded.state = 'open' THEN NULL
                           ELSE coalesce(excluded.closed_at, ${table}.closed_at) END`;
}

/** True when writing this repository again would change nothing worth a row lock. */
function unchanged(known: KnownRepository, repo: RepositoryRef, at: string): boolean {
  return (
    known.lastEventAt >= Date.parse(at) - 60_000 &&
    known.fullName === repo.fullName &&
    known.name === repo.name &&
    (repo.defaultBranch === undefined || known.defaultBranch === repo.defaultBranch) &&
    (repo.url === undefined || known.url === repo.url) &&
    (repo.private === undefined || known.private === repo.private)
  );
}

/**
 * Writes domain events into the engineering record, inside the delivery's transaction. Every
 * write is an upsert on a natural key; mutable records only move forward in forge time.
 */
@Injectable()
export class ActivityRecorder {
  /** Committed repository rows, so that most events skip even the read. */
  private readonly repositories = new Map<string, KnownRepository>();

  constructor(private readonly identities: IdentityResolver) {}

  async record(ctx: RecordContext, events: DomainEvent[]): Promise<RecordedActivity> {
    const out: RecordedActivity = {
      repositoryIds: new Set(),
      defaultBranchPushes: new Set(),
      failedCiRepositories: new Set(),
    };
    const repositories = new Map<string, string>();
    for (const event of events) {
      let repositoryId = repositories.get(event.repository.externalId);
      if (!repositoryId) {
        repositoryId = await this.upsertRepository(ctx, event.repository, event.occurredAt);
        repositories.set(event.repository.externalId, repositoryId);
      }
      out.repositoryIds.add(repositoryId);
      switch (event.kind) {
        case 'push':
          await this.recordPush(ctx, repositoryId, event);
          if (
            !event.deleted &&
            event.repository.defaultBranch &&
            event.ref === `refs/heads/${event.repository.defaultBranch}`
          ) {
            out.defaultBranchPushes.add(repositoryId);
          }
          break;
        case 'pull_request': {
          const pullRequestId = await this.upsertPullRequest(ctx, repositoryId, event.pullRequest);
          const actor = await this.identities.resolve(ctx.identities, event.actor);
          ctx.session.defer(
            'pull_request_events',

            `INSERT INTO pull_request_events (pull_request_id, delivery_id, action, actor_identity_id, occurred_at)
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`,
            [
              pullRequestId,
              ctx.deliveryId,
              event.action,
              actor?.identityId ?? null,
              event.occurredAt,
            ],
            { insertOrIgnore: true },
          );
          break;
        }
        case 'review':
          await this.recordReview(ctx, repositoryId, event);
          break;
        case 'comment':
          await this.recordComment(ctx, repositoryId, event);
          break;
        case 'issue':
          await this.recordIssue(ctx, repositoryId, event);
          break;
        case 'ci_run': {
          await this.recordCiRun(ctx, repositoryId, event);
          if (event.run.status === 'completed' && event.run.conclusion === 'failure') {
            out.failedCiRepositories.add(repositoryId);
          }
          break;
        }
        case 'ci_job':
          this.recordCiJob(ctx, repositoryId, event);
          break;
        case 'deployment':
          await this.recordDeployment(ctx, repositoryId, event);
          break;
        case 'release':
          await this.recordRelease(ctx, repositoryId, event);
          break;
        default: {
          const unreachable: never = event;
          throw new Error(`Unhandled domain event ${JSON.stringify(unreachable)}`);
        }
      }
    }
    return out;
  }

  /**
   * Most events change nothing about their repository: read it without a lock and write only
   * when something changed. An unconditional upsert would lock the row for the rest of the
   * transaction and serialise every delivery of a busy repository.
   */
  private async upsertRepository(
    ctx: RecordContext,
    repo: RepositoryRef,
    at: string,
  ): Promise<string> {
    const key = `${ctx.provider}:${repo.externalId}`;
    const cached = this.repositories.get(key);
    if (
      cached &&
      Date.now() - cached.cachedAt < REPOSITORY_CACHE_TTL_MS &&
      unchanged(cached, repo, at)
    ) {
      return cached.id;
    }
    const [known] = await ctx.session.query<{
      id: string;
      full_name: string;
      name: string;
      default_branch: string | null;
      url: string | null;
      private: boolean | null;
      fresh: boolean;
      last_event_at: Date | null;
    }>(
      `SELECT id, full_name, name, default_branch, url, private, last_event_at,
              last_event_at IS NOT NULL AND last_event_at >= $3::timestamptz - interval '${LAST_EVENT_RESOLUTION}' AS fresh
       FROM repositories WHERE provider = $1 AND external_id = $2`,
      [ctx.provider, repo.externalId, at],
    );
    if (
      known &&
      known.fresh &&
      known.full_name === repo.fullName &&
      known.name === repo.name &&
      (repo.defaultBranch === undefined || known.default_branch === repo.defaultBranch) &&
      (repo.url === undefined || known.url === repo.url) &&
      (repo.private === undefined || known.private === repo.private)
    ) {
      this.remember(ctx, key, {
        id: known.id,
        fullName: known.full_name,
        name: known.name,
        defaultBranch: known.default_branch,
        url: known.url,
        private: known.private,
        lastEventAt: known.last_event_at?.getTime() ?? 0,
        cachedAt: 0,
      });
      return known.id;
    }
    const [row] = await ctx.session.query<{ id: string }>(
      `INSERT INTO repositories (provider, external_id, full_name, name, default_branch, url, private, last_event_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (provider, external_id) DO UPDATE SET
         full_name = CASE WHEN repositories.last_event_at IS NULL OR excluded.last_event_at >= repositories.last_event_at
                          THEN excluded.full_name ELSE repositories.full_name END,
         name = CASE WHEN repositories.last_event_at IS NULL OR excluded.last_event_at >= repositories.last_event_at
                     THEN excluded.name ELSE repositories.name END,
         default_branch = coalesce(excluded.default_branch, repositories.default_branch),
         url = coalesce(excluded.url, repositories.url),
         private = coalesce(excluded.private, repositories.private),
         last_event_at = greatest(repositories.last_event_at, excluded.last_event_at),
         updated_at = now()
       RETURNING id`,
      [
        ctx.provider,
        repo.externalId,
        repo.fullName,
        repo.name,
        repo.defaultBranch ?? null,
        repo.url ?? null,
        repo.private ?? null,
        at,
      ],
    );
    return row.id;
  }

  private remember(ctx: RecordContext, key: string, repository: KnownRepository): void {
    ctx.afterCommit.push(() => {
      if (this.repositories.size >= REPOSITORY_CACHE_MAX) this.repositories.clear();
      this.repositories.set(key, { ...repository, cachedAt: Date.now() });
    });
  }

  private async recordPush(
    ctx: RecordContext,
    repositoryId: string,
    event: PushEvent,
  ): Promise<void> {
    // The pusher is a person of the record even when the push carries no commits.
    await this.identities.resolve(ctx.identities, event.pusher);
    this.recordPushLink(ctx, repositoryId, event);
    if (event.commits.length === 0) return;
    const authors: (string | null)[] = [];
    const committers: (string | null)[] = [];
    for (const commit of event.commits) {
      authors.push(
        (await this.identities.resolve(ctx.identities, commit.author))?.identityId ?? null,
      );
      committers.push(
        (await this.identities.resolve(ctx.identities, commit.committer))?.identityId ?? null,
      );
    }
    // One statement for the whole push; a commit seen in an earlier push stays as it was.
    ctx.session.defer(
      'commits',

      `INSERT INTO commits (repository_id, sha, message, author_identity_id, committer_identity_id,
                            committed_at, url, files_added, files_modified, files_removed, first_ref)
       SELECT $1, c.sha, c.message, c.author, c.committer, c.committed_at, c.url,
              c.added, c.modified, c.removed, $2
       FROM jsonb_to_recordset($3::jsonb) AS c(sha text, message text, author uuid, committer uuid,
            committed_at timestamptz, url text, added text[], modified text[], removed text[])
       ON CONFLICT (repository_id, sha) DO NOTHING`,
      [
        repositoryId,
        event.ref,
        JSON.stringify(
          event.commits.map((c, i) => ({
            sha: c.sha,
            message: c.message,
            author: authors[i],
            committer: committers[i],
            committed_at: c.timestamp,
            url: c.url ?? null,
            added: c.added,
            modified: c.modified,
            removed: c.removed,
          })),
        ),
      ],
      { insertOrIgnore: true },
    );
  }

  /**
   * The push as a link of the branch's history (before → after, with the commits it brought),
   * so that metrics can tell which commits a deployed sha contains.
   */
  private recordPushLink(ctx: RecordContext, repositoryId: string, event: PushEvent): void {
    if (event.deleted || !event.before || !event.after) return;
    let firstCommitAt: string | null = null;
    for (const commit of event.commits) {
      if (firstCommitAt === null || Date.parse(commit.timestamp) < Date.parse(firstCommitAt)) {
        firstCommitAt = commit.timestamp;
      }
    }
    ctx.session.defer(
      'pushes',
      `INSERT INTO pushes (repository_id, ref, before_sha, after_sha, commit_shas, first_commit_at,
                           forced, occurred_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING`,
      [
        repositoryId,
        event.ref,
        event.before,
        event.after,
        event.commits.map((c) => c.sha),
        firstCommitAt,
        event.forced ?? false,
        event.occurredAt,
      ],
      { insertOrIgnore: true },
    );
  }

  private async upsertPullRequest(
    ctx: RecordContext,
    repositoryId: string,
    pr: PullRequestData,
  ): Promise<string> {
    const author = await this.identities.resolve(ctx.identities, pr.author);
    const mergedBy = await this.identities.resolve(ctx.identities, pr.mergedBy);
    const isNewer = newer('pull_requests', PR_STATE_RANK, 'state');
    const [row] = await ctx.session.query<{ id: string }>(
      `INSERT INTO pull_requests (repository_id, external_id, number, title, body, state, draft,
         author_identity_id, head_ref, base_ref, head_sha, url, labels, additions, deletions,
         changed_files, commits_count, created_at, updated_at, closed_at, merged_at, merged_by_identity_id,
         merge_commit_sha)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23)
       ON CONFLICT (repository_id, number) DO UPDATE SET
         ${takeIfNewer('pull_requests', isNewer, ['title', 'body', 'draft', 'head_ref', 'base_ref', 'labels'])},
         ${closedAt('pull_requests', isNewer)},
         head_sha = CASE WHEN ${isNewer} THEN coalesce(excluded.head_sha, pull_requests.head_sha) ELSE pull_requests.head_sha END,
         additions = coalesce(CASE WHEN ${isNewer} THEN excluded.additions END, pull_requests.additions),
         deletions = coalesce(CASE WHEN ${isNewer} THEN excluded.deletions END, pull_requests.deletions),
         changed_files = coalesce(CASE WHEN ${isNewer} THEN excluded.changed_files END, pull_requests.changed_files),
         commits_count = coalesce(CASE WHEN ${isNewer} THEN excluded.commits_count END, pull_requests.commits_count),
         -- A merge is final: nothing older or newer reopens a merged pull request.
         state = CASE WHEN pull_requests.state = 'merged' THEN 'merged'
                      WHEN ${isNewer} THEN excluded.state ELSE pull_requests.state END,
         merged_at = coalesce(pull_requests.merged_at, excluded.merged_at),
         merged_by_identity_id = coalesce(pull_requests.merged_by_identity_id, excluded.merged_by_identity_id),
         merge_commit_sha = coalesce(pull_requests.merge_commit_sha, excluded.merge_commit_sha),
         author_identity_id = coalesce(pull_requests.author_identity_id, excluded.author_identity_id),
         created_at = least(pull_requests.created_at, excluded.created_at),
         updated_at = greatest(pull_requests.updated_at, excluded.updated_at)
       RETURNING id`,
      [
        repositoryId,
        pr.externalId,
        pr.number,
        pr.title,
        pr.body ?? null,
        pr.state,
        pr.draft,
        author?.identityId ?? null,
        pr.headRef,
        pr.baseRef,
        pr.headSha ?? null,
        pr.url ?? null,
        pr.labels,
        pr.additions ?? null,
        pr.deletions ?? null,
        pr.changedFiles ?? null,
        pr.commitsCount ?? null,
        pr.createdAt,
        pr.updatedAt,
        pr.closedAt ?? null,
        pr.mergedAt ?? null,
        mergedBy?.identityId ?? null,
        pr.mergeCommitSha ?? null,
      ],
    );
    return row.id;
  }

  private async recordReview(
    ctx: RecordContext,
    repositoryId: string,
    event: ReviewEvent,
  ): Promise<void> {
    const pullRequestId = await this.upsertPullRequest(ctx, repositoryId, event.pullRequest);
    const author = await this.identities.resolve(ctx.identities, event.review.author);
    const r = event.review;
    ctx.session.defer(
      'reviews',

      `INSERT INTO reviews (pull_request_id, external_id, state, body, author_identity_id, submitted_at, commit_sha, url)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (pull_request_id, external_id) DO UPDATE SET
         state = CASE WHEN reviews.state = 'dismissed' THEN 'dismissed' ELSE excluded.state END,
         body = coalesce(excluded.body, reviews.body),
         submitted_at = least(reviews.submitted_at, excluded.submitted_at),
         commit_sha = coalesce(reviews.commit_sha, excluded.commit_sha)`,
      [
        pullRequestId,
        r.externalId,
        r.state,
        r.body ?? null,
        author?.identityId ?? null,
        r.submittedAt,
        r.commitSha ?? null,
        r.url ?? null,
      ],
    );
  }

  private async recordComment(
    ctx: RecordContext,
    repositoryId: string,
    event: CommentEvent,
  ): Promise<void> {
    const author = await this.identities.resolve(ctx.identities, event.comment.author);
    const c = event.comment;
    ctx.session.defer(
      'comments',

      `INSERT INTO comments (repository_id, external_id, target_type, target_number, target_sha, body,
         author_identity_id, path, line, url, deleted, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
       ON CONFLICT (repository_id, external_id) DO UPDATE SET
         body = CASE WHEN excluded.updated_at >= comments.updated_at THEN excluded.body ELSE comments.body END,
         deleted = comments.deleted OR excluded.deleted,
         updated_at = greatest(comments.updated_at, excluded.updated_at)`,
      [
        repositoryId,
        c.externalId,
        event.target.type,
        event.target.number ?? null,
        event.target.sha ?? null,
        c.body,
        author?.identityId ?? null,
        c.path ?? null,
        c.line ?? null,
        c.url ?? null,
        event.action === 'deleted',
        c.createdAt,
        c.updatedAt,
      ],
    );
  }

  private async recordIssue(
    ctx: RecordContext,
    repositoryId: string,
    event: IssueEvent,
  ): Promise<void> {
    const issue = event.issue;
    const author = await this.identities.resolve(ctx.identities, issue.author);
    const isNewer = newer('issues', PR_STATE_RANK, 'state');
    ctx.session.defer(
      'issues',

      `INSERT INTO issues (repository_id, external_id, number, title, body, state, author_identity_id,
         labels, url, created_at, updated_at, closed_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
       ON CONFLICT (repository_id, number) DO UPDATE SET
         ${takeIfNewer('issues', isNewer, ['title', 'body', 'state', 'labels'])},
         ${closedAt('issues', isNewer)},
         author_identity_id = coalesce(issues.author_identity_id, excluded.author_identity_id),
         created_at = least(issues.created_at, excluded.created_at),
         updated_at = greatest(issues.updated_at, excluded.updated_at)`,
      [
        repositoryId,
        issue.externalId,
        issue.number,
        issue.title,
        issue.body ?? null,
        issue.state,
        author?.identityId ?? null,
        issue.labels,
        issue.url ?? null,
        issue.createdAt,
        issue.updatedAt,
        issue.closedAt ?? null,
      ],
    );
  }

  private async recordCiRun(
    ctx: RecordContext,
    repositoryId: string,
    event: CiRunEvent,
  ): Promise<void> {
    const run = event.run;
    const actor = await this.identities.resolve(ctx.identities, run.actor);
    const isNewer = newer('ci_runs', CI_STATUS_RANK, 'status');
    ctx.session.defer(
      'ci_runs',
      `INSERT INTO ci_runs (repository_id, source, external_id, name, status, conclusion, head_sha, head_branch,
         trigger, run_number, attempt, url, actor_identity_id, pull_request_numbers, created_at, started_at,
         completed_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)
       ON CONFLICT (repository_id, source, external_id) DO UPDATE SET
         ${takeIfNewer('ci_runs', isNewer, ['name', 'status', 'conclusion', 'head_branch', 'attempt', 'url', 'pull_request_numbers', 'completed_at'])},
         started_at = coalesce(ci_runs.started_at, excluded.started_at),
         actor_identity_id = coalesce(ci_runs.actor_identity_id, excluded.actor_identity_id),
         updated_at = greatest(ci_runs.updated_at, excluded.updated_at)`,
      [
        repositoryId,
        run.source,
        run.externalId,
        run.name ?? null,
        run.status,
        run.conclusion ?? null,
        run.headSha,
        run.headBranch ?? null,
        run.trigger ?? null,
        run.runNumber ?? null,
        run.attempt ?? null,
        run.url ?? null,
        actor?.identityId ?? null,
        run.pullRequestNumbers,
        run.createdAt,
        run.startedAt ?? null,
        run.completedAt ?? null,
        run.updatedAt,
      ],
    );
  }

  private recordCiJob(ctx: RecordContext, repositoryId: string, event: CiJobEvent): void {
    const job = event.job;
    const isNewer = newer('ci_jobs', CI_STATUS_RANK, 'status');
    ctx.session.defer(
      'ci_jobs',

      `INSERT INTO ci_jobs (repository_id, source, external_id, run_external_id, name, status, conclusion,
         head_sha, head_branch, stage, url, runner_name, created_at, started_at, completed_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
       ON CONFLICT (repository_id, source, external_id) DO UPDATE SET
         ${takeIfNewer('ci_jobs', isNewer, ['name', 'status', 'conclusion', 'url', 'runner_name', 'completed_at'])},
         started_at = coalesce(ci_jobs.started_at, excluded.started_at),
         updated_at = greatest(ci_jobs.updated_at, excluded.updated_at)`,
      [
        repositoryId,
        job.source,
        job.externalId,
        job.runExternalId ?? null,
        job.name,
        job.status,
        job.conclusion ?? null,
        job.headSha,
        job.headBranch ?? null,
        job.stage ?? null,
        job.url ?? null,
        job.runnerName ?? null,
        job.createdAt,
        job.startedAt ?? null,
        job.completedAt ?? null,
        job.updatedAt,
      ],
    );
  }

  private async recordDeployment(
    ctx: RecordContext,
    repositoryId: string,
    event: DeploymentEvent,
  ): Promise<void> {
    const d = event.deployment;
    const creator = await this.identities.resolve(ctx.identities, d.creator);
    const [row] = await ctx.session.query<{ id: string }>(
      `INSERT INTO deployments (repository_id, external_id, environment, ref, sha, creator_identity_id, url,
         created_at, updated_at, production)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
       ON CONFLICT (repository_id, external_id) DO UPDATE SET
         environment = CASE WHEN excluded.updated_at >= deployments.updated_at THEN excluded.environment ELSE deployments.environment END,
         url = coalesce(excluded.url, deployments.url),
         production = coalesce(excluded.production, deployments.production),
         creator_identity_id = coalesce(deployments.creator_identity_id, excluded.creator_identity_id),
         updated_at = greatest(deployments.updated_at, excluded.updated_at)
       RETURNING id`,
      [
        repositoryId,
        d.externalId,
        d.environment,
        d.ref ?? null,
        d.sha,
        creator?.identityId ?? null,
        d.url ?? null,
        d.createdAt,
        d.updatedAt,
        d.production ?? null,
      ],
    );
    if (!event.status) return;
    const s = event.status;
    ctx.session.defer(
      'deployment_statuses',

      `INSERT INTO deployment_statuses (deployment_id, external_id, state, description, url, created_at)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
      [row.id, s.externalId ?? null, s.state, s.description ?? null, s.url ?? null, s.createdAt],
      { insertOrIgnore: true },
    );
    ctx.session.defer(
      'deployments',

      `UPDATE deployments SET latest_state = $2, latest_state_at = $3
       WHERE id = $1 AND (latest_state_at IS NULL OR latest_state_at <= $3)`,
      [row.id, s.state, s.createdAt],
    );
  }

  private async recordRelease(
    ctx: RecordContext,
    repositoryId: string,
    event: ReleaseEvent,
  ): Promise<void> {
    const r = event.release;
    const author = await this.identities.resolve(ctx.identities, r.author);
    ctx.session.defer(
      'releases',

      `INSERT INTO releases (repository_id, external_id, tag_name, name, body, draft, prerelease,
         author_identity_id, url, deleted, created_at, published_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
       ON CONFLICT (repository_id, external_id) DO UPDATE SET
         ${takeIfNewer('releases', 'excluded.updated_at >= releases.updated_at', ['tag_name', 'name', 'body', 'draft', 'prerelease', 'url'])},
         published_at = coalesce(releases.published_at, excluded.published_at),
         deleted = releases.deleted OR excluded.deleted,
         updated_at = greatest(releases.updated_at, excluded.updated_at)`,
      [
        repositoryId,
        r.externalId,
        r.tagName,
        r.name ?? null,
        r.body ?? null,
        r.draft,
        r.prerelease,
        author?.identityId ?? null,
        r.url ?? null,
        event.action === 'deleted',
        r.createdAt,
        r.publishedAt ?? null,
        r.updatedAt,
      ],
    );
  }
}
