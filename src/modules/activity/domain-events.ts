/**
 * Provider-neutral domain events: what a delivery means, whatever forge sent it. Adapters
 * produce them (ProviderAdapter.normalize); everything after works on these types only.
 *
 * Conventions:
 * - Ids from the forge are strings (`externalId`), even when the forge sends numbers.
 * - Timestamps are ISO 8601 strings as the forge sent them (converted to UTC ISO if needed).
 * - `updatedAt` is the forge's own "last changed" time of a record; it orders events, so a
 *   stale event never overwrites newer state. When the forge has none, use the event time.
 * - Optional fields are omitted when the forge does not send them; never invent values.
 */

/** A person or bot as one forge knows them. */
export interface ActorRef {
  /** The forge account id; absent for commit authors known only by name and email. */
  externalId?: string;
  login?: string;
  name?: string;
  email?: string;
  avatarUrl?: string;
  bot?: boolean;
}

export interface RepositoryRef {
  externalId: string;
  /** `owner/name`, or the full namespace path on GitLab (`group/sub/project`). */
  fullName: string;
  name: string;
  defaultBranch?: string;
  url?: string;
  private?: boolean;
}

export interface CommitData {
  sha: string;
  message: string;
  author: ActorRef;
  committer?: ActorRef;
  /** The commit's own timestamp (author or commit date as the forge gives it). */
  timestamp: string;
  url?: string;
  added: string[];
  modified: string[];
  removed: string[];
}

export interface PushEvent {
  kind: 'push';
  repository: RepositoryRef;
  /** Full ref, e.g. `refs/heads/main` or `refs/tags/v1.0`. */
  ref: string;
  before?: string;
  after?: string;
  pusher?: ActorRef;
  commits: CommitData[];
  /** True for a branch or tag deletion (after = 000…). */
  deleted: boolean;
  forced?: boolean;
  occurredAt: string;
}

export type PullRequestState = 'open' | 'closed' | 'merged';

export type PullRequestAction =
  | 'opened'
  | 'edited'
  | 'synchronize'
  | 'ready_for_review'
  | 'converted_to_draft'
  | 'review_requested'
  | 'closed'
  | 'merged'
  | 'reopened'
  | 'labeled'
  | 'other';

export interface PullRequestData {
  externalId: string;
  number: number;
  title: string;
  body?: string;
  state: PullRequestState;
  draft: boolean;
  author?: ActorRef;
  headRef: string;
  baseRef: string;
  headSha?: string;
  url?: string;
  labels: string[];
  createdAt: string;
  updatedAt: string;
  closedAt?: string;
  mergedAt?: string;
  mergedBy?: ActorRef;
  additions?: number;
  deletions?: number;
  changedFiles?: number;
  commitsCount?: number;
  requestedReviewers?: ActorRef[];
  /** The commit the merge put on the base branch (merge, squash or last rebased commit). */
  mergeCommitSha?: string;
}

export interface PullRequestEvent {
  kind: 'pull_request';
  repository: RepositoryRef;
  action: PullRequestAction;
  actor?: ActorRef;
  pullRequest: PullRequestData;
  occurredAt: string;
}

export type ReviewState = 'approved' | 'changes_requested' | 'commented' | 'dismissed';

export interface ReviewEvent {
  kind: 'review';
  repository: RepositoryRef;
  /** The pull request as the review event describes it (may be a partial snapshot). */
  pullRequest: PullRequestData;
  review: {
    externalId: string;
    state: ReviewState;
    body?: string;
    author?: ActorRef;
    submittedAt: string;
    commitSha?: string;
    url?: string;
  };
  occurredAt: string;
}

export interface CommentEvent {
  kind: 'comment';
  repository: RepositoryRef;
  /** What the comment is on. */
  target: { type: 'pull_request' | 'issue' | 'commit'; number?: number; sha?: string };
  comment: {
    externalId: string;
    body: string;
    author?: ActorRef;
    createdAt: string;
    updatedAt: string;
    /** Set for review (diff) comments. */
    path?: string;
    line?: number;
    url?: string;
  };
  action: 'created' | 'edited' | 'deleted';
  occurredAt: string;
}

export type IssueAction = 'opened' | 'edited' | 'closed' | 'reopened' | 'labeled' | 'other';

export interface IssueEvent {
  kind: 'issue';
  repository: RepositoryRef;
  action: IssueAction;
  actor?: ActorRef;
  issue: {
    externalId: string;
    number: number;
    title: string;
    body?: string;
    state: 'open' | 'closed';
    author?: ActorRef;
    labels: string[];
    url?: string;
    createdAt: string;
    updatedAt: string;
    closedAt?: string;
  };
  occurredAt: string;
}

export type CiStatus = 'queued' | 'in_progress' | 'completed';
export type CiConclusion =
  | 'success'
  | 'failure'
  | 'cancelled'
  | 'skipped'
  | 'timed_out'
  | 'neutral'
  | 'action_required'
  | 'stale';

/** A pipeline, workflow run or check suite. */
export interface CiRunEvent {
  kind: 'ci_run';
  repository: RepositoryRef;
  run: {
    externalId: string;
    /** What produced it: `workflow_run`, `check_suite`, `pipeline`, `commit_status`. */
    source: string;
    name?: string;
    status: CiStatus;
    conclusion?: CiConclusion;
    headSha: string;
    headBranch?: string;
    /** What triggered it (push, pull_request, schedule, …). */
    trigger?: string;
    runNumber?: number;
    attempt?: number;
    url?: string;
    actor?: ActorRef;
    pullRequestNumbers: number[];
    createdAt: string;
    startedAt?: string;
    completedAt?: string;
    updatedAt: string;
  };
  occurredAt: string;
}

/** A job of a run: workflow job, check run, GitLab job. */
export interface CiJobEvent {
  kind: 'ci_job';
  repository: RepositoryRef;
  job: {
    externalId: string;
    /** The run it belongs to, when the forge says. */
    runExternalId?: string;
    source: string;
    name: string;
    status: CiStatus;
    conclusion?: CiConclusion;
    headSha: string;
    headBranch?: string;
    stage?: string;
    url?: string;
    runnerName?: string;
    /** Its failure does not fail the run (GitLab `allow_failure`). */
    allowFailure?: boolean;
    createdAt: string;
    startedAt?: string;
    completedAt?: string;
    updatedAt: string;
  };
  occurredAt: string;
}

export type DeploymentState =
  'pending' | 'queued' | 'in_progress' | 'success' | 'failure' | 'error' | 'inactive' | 'cancelled';

export interface DeploymentEvent {
  kind: 'deployment';
  repository: RepositoryRef;
  deployment: {
    externalId: string;
    environment: string;
    ref?: string;
    sha: string;
    creator?: ActorRef;
    url?: string;
    /** The forge says whether the environment is production (GitHub flag, GitLab tier). */
    production?: boolean;
    createdAt: string;
    updatedAt: string;
  };
  /** Present for status updates (GitHub deployment_status, GitLab Deployment Hook). */
  status?: {
    externalId?: string;
    state: DeploymentState;
    description?: string;
    url?: string;
    createdAt: string;
  };
  occurredAt: string;
}

export interface ReleaseEvent {
  kind: 'release';
  repository: RepositoryRef;
  action: 'published' | 'created' | 'edited' | 'deleted' | 'other';
  release: {
    externalId: string;
    tagName: string;
    name?: string;
    body?: string;
    draft: boolean;
    prerelease: boolean;
    author?: ActorRef;
    url?: string;
    createdAt: string;
    publishedAt?: string;
    updatedAt: string;
  };
  occurredAt: string;
}

export type DomainEvent =
  | PushEvent
  | PullRequestEvent
  | ReviewEvent
  | CommentEvent
  | IssueEvent
  | CiRunEvent
  | CiJobEvent
  | DeploymentEvent
  | ReleaseEvent;

export type DomainEventKind = DomainEvent['kind'];

/**
 * A payload the adapter cannot understand (wrong shape for its event). The delivery goes to
 * `dead` at once, without retries.
 */
export class UnreadablePayloadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnreadablePayloadError';
  }
}
