import type {
  ActorRef,
  CiConclusion,
  CiJobEvent,
  CiRunEvent,
  CiStatus,
  CommentEvent,
  CommitData,
  DeploymentEvent,
  DeploymentState,
  DomainEvent,
  IssueAction,
  IssueEvent,
  PullRequestAction,
  PullRequestData,
  PullRequestEvent,
  PushEvent,
  ReleaseEvent,
  RepositoryRef,
  ReviewEvent,
  ReviewState,
} from '../../../activity/domain-events';
import { omitUndefined, PayloadReader } from '../payload-reader';

type GitHubNormalizer = (payload: PayloadReader) => DomainEvent[];

const ZERO_SHA = /^0+$/;

// create/delete with ref_type tag are left out on purpose: every tag push also arrives as `push`.
const NORMALIZERS: ReadonlyMap<string, GitHubNormalizer> = new Map<string, GitHubNormalizer>([
  ['push', normalizePush],
  ['pull_request', normalizePullRequest],
  ['pull_request_review', normalizeReview],
  ['pull_request_review_comment', normalizeReviewComment],
  ['issue_comment', normalizeIssueComment],
  ['commit_comment', normalizeCommitComment],
  ['issues', normalizeIssue],
  ['workflow_run', normalizeWorkflowRun],
  ['check_suite', normalizeCheckSuite],
  ['workflow_job', normalizeWorkflowJob],
  ['check_run', normalizeCheckRun],
  ['deployment', (payload) => normalizeDeployment(payload, false)],
  ['deployment_status', (payload) => normalizeDeployment(payload, true)],
  ['release', normalizeRelease],
]);

/**
 * Turns one GitHub webhook (event name from X-GitHub-Event, parsed JSON payload) into domain
 * events. Events Hookyard does not model give an empty list; a modelled event whose payload lacks
 * what it needs throws UnreadablePayloadError.
 */
export function normalizeGitHub(event: string, payload: unknown): DomainEvent[] {
  const normalizer = NORMALIZERS.get(event);
  if (normalizer === undefined) return [];
  return normalizer(PayloadReader.root(payload, `GitHub ${event} payload`));
}

function repositoryRef(payload: PayloadReader): RepositoryRef {
  const repository = payload.requireObj('repository');
  const fullName = repository.requireText('full_name');
  return omitUndefined({
    externalId: repository.requireId('id'),
    fullName,
    name: repository.text('name') ?? fullName.slice(fullName.lastIndexOf('/') + 1),
    defaultBranch: repository.text('default_branch') ?? repository.text('master_branch'),
    url: repository.text('html_url'),
    private: repository.bool('private'),
  });
}

/** A GitHub account (user, bot or organization) as an actor; undefined when nothing identifies it. */
function accountRef(account: PayloadReader | undefined): ActorRef | undefined {
  if (account === undefined) return undefined;
  const externalId = account.id('id');
  const login = account.text('login');
  if (externalId === undefined && login === undefined) return undefined;
  const type = account.text('type');
  return omitUndefined({
    externalId,
    login,
    name: account.text('name'),
    email: account.text('email'),
    avatarUrl: account.text('avatar_url'),
    bot: type === undefined ? undefined : type === 'Bot',
  });
}

/** A git author or committer: known by name and email, plus the login when GitHub matched one. */
function gitActorRef(person: PayloadReader | undefined): ActorRef | undefined {
  if (person === undefined) return undefined;
  const actor = omitUndefined({
    name: person.text('name'),
    email: person.text('email'),
    login: person.text('username'),
  });
  return Object.keys(actor).length > 0 ? actor : undefined;
}

function accountRefs(accounts: PayloadReader[]): ActorRef[] {
  return accounts.map(accountRef).filter((actor): actor is ActorRef => actor !== undefined);
}

function labelNames(record: PayloadReader): string[] {
  return record
    .objects('labels')
    .map((label) => label.text('name'))
    .filter((name): name is string => name !== undefined);
}

function normalizePush(payload: PayloadReader): DomainEvent[] {
  const repository = repositoryRef(payload);
  const after = payload.text('after');
  const headCommit = payload.obj('head_commit');
  const occurredAt =
    // pushed_at is GitHub's own clock at the push; commit timestamps are set by the committer
    // and can be days old (rebases, cherry-picks) or skewed.
    payload.obj('repository')?.iso('pushed_at') ??
    headCommit?.iso('timestamp') ??
    payload.obj('repository')?.iso('updated_at') ??
    payload.fail('has no time to date the push by (repository.pushed_at, head_commit.timestamp)');
  const event: PushEvent = omitUndefined({
    kind: 'push' as const,
    repository,
    ref: payload.requireText('ref'),
    before: payload.text('before'),
    after,
    pusher: pusherRef(payload),
    commits: payload.objects('commits').map(commitData),
    deleted: payload.bool('deleted') ?? (after !== undefined && ZERO_SHA.test(after)),
    forced: payload.bool('forced'),
    occurredAt,
  });
  return [event];
}

function pusherRef(payload: PayloadReader): ActorRef | undefined {
  const sender = accountRef(payload.obj('sender'));
  const pusher = payload.obj('pusher');
  if (pusher === undefined) return sender;
  const name = pusher.text('name');
  const email = pusher.text('email');
  // GitHub puts the pusher's login in `name` but no account id; the sender carries the id when
  // it is the same account.
  if (sender !== undefined && name !== undefined && sender.login === name) {
    return omitUndefined({ ...sender, email: email ?? sender.email });
  }
  return gitActorRef(pusher);
}

function commitData(commit: PayloadReader): CommitData {
  return omitUndefined({
    sha: commit.requireText('id'),
    message: commit.requireStr('message'),
    author: gitActorRef(commit.obj('author')) ?? {},
    committer: gitActorRef(commit.obj('committer')),
    timestamp: commit.requireIso('timestamp'),
    url: commit.text('url'),
    added: commit.strings('added'),
    modified: commit.strings('modified'),
    removed: commit.strings('removed'),
  });
}

function isMerged(pullRequest: PayloadReader): boolean {
  // Review and comment payloads carry a shorter pull request without `merged`; merged_at says it.
  return pullRequest.bool('merged') === true || pullRequest.iso('merged_at') !== undefined;
}

/** The `state` of an issue or pull request as GitHub sends it; undefined when absent. */
function openOrClosed(record: PayloadReader): 'open' | 'closed' | undefined {
  const state = record.text('state');
  switch (state) {
    case undefined:
    case 'open':
    case 'closed':
      return state;
    default:
      return record.fail(`is "${state}", expected "open" or "closed"`, 'state');
  }
}

function pullRequestData(pullRequest: PayloadReader, numberFallback?: number): PullRequestData {
  const state = openOrClosed(pullRequest) ?? pullRequest.fail('is missing', 'state');
  const head = pullRequest.requireObj('head');
  const base = pullRequest.requireObj('base');
  const requestedReviewers = pullRequest.arr('requested_reviewers');
  return omitUndefined({
    externalId: pullRequest.requireId('id'),
    number: pullRequest.int('number') ?? numberFallback ?? pullRequest.requireInt('number'),
    title: pullRequest.requireStr('title'),
    body: pullRequest.str('body'),
    state: state === 'closed' && isMerged(pullRequest) ? 'merged' : state,
    draft: pullRequest.bool('draft') ?? false,
    author: accountRef(pullRequest.obj('user')),
    headRef: head.requireText('ref'),
    baseRef: base.requireText('ref'),
    headSha: head.text('sha'),
    url: pullRequest.text('html_url'),
    labels: labelNames(pullRequest),
    createdAt: pullRequest.requireIso('created_at'),
    updatedAt: pullRequest.requireIso('updated_at'),
    closedAt: pullRequest.iso('closed_at'),
    mergedAt: pullRequest.iso('merged_at'),
    mergedBy: accountRef(pullRequest.obj('merged_by')),
    additions: pullRequest.int('additions'),
    deletions: pullRequest.int('deletions'),
    changedFiles: pullRequest.int('changed_files'),
    commitsCount: pullRequest.int('commits'),
    mergeCommitSha: isMerged(pullRequest) ? pullRequest.text('merge_commit_sha') : undefined,
    // Only users: requested teams (requested_teams) are not people.
    requestedReviewers:
      requestedReviewers === undefined
        ? undefined
        : accountRefs(pullRequest.objects('requested_reviewers')),
  });
}

function pullRequestAction(action: string | undefined, merged: boolean): PullRequestAction {
  switch (action) {
    case 'opened':
    case 'edited':
    case 'synchronize':
    case 'ready_for_review':
    case 'converted_to_draft':
    case 'review_requested':
    case 'reopened':
    case 'labeled':
      return action;
    case 'closed':
      return merged ? 'merged' : 'closed';
    case undefined:
    default:
      return 'other';
  }
}

function normalizePullRequest(payload: PayloadReader): DomainEvent[] {
  const repository = repositoryRef(payload);
  const pullRequest = payload.requireObj('pull_request');
  const data = pullRequestData(pullRequest, payload.int('number'));
  const event: PullRequestEvent = omitUndefined({
    kind: 'pull_request' as const,
    repository,
    action: pullRequestAction(payload.text('action'), isMerged(pullRequest)),
    actor: accountRef(payload.obj('sender')),
    pullRequest: data,
    occurredAt: data.updatedAt,
  });
  return [event];
}

function reviewState(review: PayloadReader): ReviewState | 'pending' {
  const state = review.requireText('state');
  // Webhooks send lower case, the REST API upper case; accept both.
  const normalized = state.toLowerCase();
  switch (normalized) {
    case 'approved':
    case 'changes_requested':
    case 'commented':
    case 'dismissed':
    case 'pending':
      return normalized;
    default:
      return review.fail(`is "${state}", not a known review state`, 'state');
  }
}

function normalizeReview(payload: PayloadReader): DomainEvent[] {
  const repository = repositoryRef(payload);
  const review = payload.requireObj('review');
  const state = reviewState(review);
  const submittedAt = review.iso('submitted_at');
  // A pending review is a draft only its author sees; it becomes an event once submitted.
  if (state === 'pending' || submittedAt === undefined) return [];
  const event: ReviewEvent = {
    kind: 'review',
    repository,
    pullRequest: pullRequestData(payload.requireObj('pull_request')),
    review: omitUndefined({
      externalId: review.requireId('id'),
      state,
      body: review.str('body'),
      author: accountRef(review.obj('user')),
      submittedAt,
      commitSha: review.text('commit_id'),
      url: review.text('html_url'),
    }),
    occurredAt: submittedAt,
  };
  return [event];
}

type CommentAction = CommentEvent['action'];
type CommentTarget = CommentEvent['target'];

function commentAction(action: string | undefined): CommentAction | undefined {
  switch (action) {
    case 'created':
    case 'edited':
    case 'deleted':
      return action;
    case undefined:
    default:
      return undefined;
  }
}

interface CommentShape {
  target: CommentTarget;
  /** Diff comments have a file path and line. */
  withPosition: boolean;
  actionWhenAbsent?: CommentAction;
}

function commentEvent(payload: PayloadReader, shape: CommentShape): DomainEvent[] {
  const repository = repositoryRef(payload);
  const comment = payload.requireObj('comment');
  const action = commentAction(payload.text('action') ?? shape.actionWhenAbsent);
  if (action === undefined) return [];
  const { target, withPosition } = shape;
  const createdAt = comment.requireIso('created_at');
  const updatedAt = comment.iso('updated_at') ?? createdAt;
  const event: CommentEvent = {
    kind: 'comment',
    repository,
    target,
    comment: omitUndefined({
      externalId: comment.requireId('id'),
      body: comment.requireStr('body'),
      author: accountRef(comment.obj('user')),
      createdAt,
      updatedAt,
      path: withPosition ? comment.text('path') : undefined,
      line: withPosition ? comment.int('line') : undefined,
      url: comment.text('html_url'),
    }),
    action,
    occurredAt: updatedAt,
  };
  return [event];
}

function normalizeReviewComment(payload: PayloadReader): DomainEvent[] {
  const pullRequest = payload.requireObj('pull_request');
  return commentEvent(payload, {
    target: { type: 'pull_request', number: pullRequest.requireInt('number') },
    withPosition: true,
  });
}

function normalizeIssueComment(payload: PayloadReader): DomainEvent[] {
  const issue = payload.requireObj('issue');
  // Pull requests are issues to GitHub; `issue.pull_request` marks a comment on one.
  const type = issue.has('pull_request') ? 'pull_request' : 'issue';
  return commentEvent(payload, {
    target: { type, number: issue.requireInt('number') },
    withPosition: false,
  });
}

function normalizeCommitComment(payload: PayloadReader): DomainEvent[] {
  const comment = payload.requireObj('comment');
  return commentEvent(payload, {
    target: { type: 'commit', sha: comment.requireText('commit_id') },
    withPosition: true,
    // Commit comments can only be created; early payloads carry no action at all.
    actionWhenAbsent: 'created',
  });
}

function issueAction(action: string | undefined): IssueAction {
  switch (action) {
    case 'opened':
    case 'edited':
    case 'closed':
    case 'reopened':
    case 'labeled':
      return action;
    case undefined:
    default:
      return 'other';
  }
}

function normalizeIssue(payload: PayloadReader): DomainEvent[] {
  const repository = repositoryRef(payload);
  const issue = payload.requireObj('issue');
  // Pull requests are issues to GitHub and some `issues` actions (e.g. milestoned) fire for them;
  // the pull request itself is recorded from pull_request events.
  if (issue.has('pull_request')) return [];
  const closedAt = issue.iso('closed_at');
  const updatedAt = issue.requireIso('updated_at');
  const event: IssueEvent = omitUndefined({
    kind: 'issue' as const,
    repository,
    action: issueAction(payload.text('action')),
    actor: accountRef(payload.obj('sender')),
    issue: omitUndefined({
      externalId: issue.requireId('id'),
      number: issue.requireInt('number'),
      title: issue.requireStr('title'),
      body: issue.str('body'),
      // pinned/unpinned payloads omit `state`; closed_at is set exactly when an issue is closed.
      state: openOrClosed(issue) ?? (closedAt === undefined ? 'open' : 'closed'),
      author: accountRef(issue.obj('user')),
      labels: labelNames(issue),
      url: issue.text('html_url'),
      createdAt: issue.requireIso('created_at'),
      updatedAt,
      closedAt,
    }),
    occurredAt: updatedAt,
  });
  return [event];
}

const CI_CONCLUSIONS: ReadonlySet<string> = new Set<CiConclusion>([
  'success',
  'failure',
  'cancelled',
  'skipped',
  'timed_out',
  'neutral',
  'action_required',
  'stale',
]);

function ciConclusion(record: PayloadReader): CiConclusion | undefined {
  const conclusion = record.text('conclusion');
  if (conclusion === undefined) return undefined;
  // A workflow file that cannot start is a failed run.
  if (conclusion === 'startup_failure') return 'failure';
  return CI_CONCLUSIONS.has(conclusion) ? (conclusion as CiConclusion) : undefined;
}

function ciStatus(record: PayloadReader): CiStatus {
  const status = record.text('status');
  switch (status) {
    case 'queued':
    case 'waiting':
    case 'requested':
    case 'pending':
      return 'queued';
    case 'in_progress':
      return 'in_progress';
    case 'completed':
      return 'completed';
    case undefined:
      // check_suite.status is nullable; a conclusion only exists once it has completed.
      return ciConclusion(record) === undefined ? 'queued' : 'completed';
    default:
      return record.fail(`is "${status}", not a known CI status`, 'status');
  }
}

function pullRequestNumbers(record: PayloadReader): number[] {
  return record
    .objects('pull_requests')
    .map((pullRequest) => pullRequest.int('number'))
    .filter((number): number is number => number !== undefined);
}

function normalizeWorkflowRun(payload: PayloadReader): DomainEvent[] {
  const repository = repositoryRef(payload);
  const run = payload.requireObj('workflow_run');
  const status = ciStatus(run);
  const updatedAt = run.requireIso('updated_at');
  const event: CiRunEvent = {
    kind: 'ci_run',
    repository,
    run: omitUndefined({
      externalId: run.requireId('id'),
      source: 'workflow_run',
      name: run.text('name') ?? run.text('display_title'),
      status,
      conclusion: ciConclusion(run),
      headSha: run.requireText('head_sha'),
      headBranch: run.text('head_branch'),
      trigger: run.text('event'),
      runNumber: run.int('run_number'),
      attempt: run.int('run_attempt'),
      url: run.text('html_url'),
      actor: accountRef(run.obj('triggering_actor')) ?? accountRef(run.obj('actor')),
      pullRequestNumbers: pullRequestNumbers(run),
      createdAt: run.requireIso('created_at'),
      startedAt: run.iso('run_started_at'),
      // A run has no completed_at: its last update is the moment it completed.
      completedAt: status === 'completed' ? updatedAt : undefined,
      updatedAt,
    }),
    occurredAt: updatedAt,
  };
  return [event];
}

function normalizeCheckSuite(payload: PayloadReader): DomainEvent[] {
  const repository = repositoryRef(payload);
  const suite = payload.requireObj('check_suite');
  const status = ciStatus(suite);
  const updatedAt = suite.requireIso('updated_at');
  const event: CiRunEvent = {
    kind: 'ci_run',
    repository,
    run: omitUndefined({
      externalId: suite.requireId('id'),
      source: 'check_suite',
      name: suite.obj('app')?.text('name'),
      status,
      conclusion: ciConclusion(suite),
      headSha: suite.requireText('head_sha'),
      headBranch: suite.text('head_branch'),
      pullRequestNumbers: pullRequestNumbers(suite),
      createdAt: suite.requireIso('created_at'),
      // Like a workflow run, a suite has no completed_at of its own.
      completedAt: status === 'completed' ? updatedAt : undefined,
      updatedAt,
    }),
    occurredAt: updatedAt,
  };
  return [event];
}

interface JobTimes {
  createdAt: string;
  startedAt?: string;
  completedAt?: string;
  updatedAt: string;
}

function jobTimes(job: PayloadReader): JobTimes {
  const startedAt = job.iso('started_at');
  const completedAt = job.iso('completed_at');
  // Check runs have no created_at, and some workflow_job payloads omit it: started_at is the
  // earliest time they give.
  const createdAt =
    job.iso('created_at') ?? startedAt ?? job.fail('has neither created_at nor started_at');
  return omitUndefined({
    createdAt,
    startedAt,
    completedAt,
    updatedAt: completedAt ?? startedAt ?? createdAt,
  });
}

function normalizeWorkflowJob(payload: PayloadReader): DomainEvent[] {
  const repository = repositoryRef(payload);
  const job = payload.requireObj('workflow_job');
  const times = jobTimes(job);
  const event: CiJobEvent = {
    kind: 'ci_job',
    repository,
    job: omitUndefined({
      externalId: job.requireId('id'),
      runExternalId: job.id('run_id'),
      source: 'workflow_job',
      name: job.requireStr('name'),
      status: ciStatus(job),
      conclusion: ciConclusion(job),
      headSha: job.requireText('head_sha'),
      headBranch: job.text('head_branch'),
      url: job.text('html_url'),
      runnerName: job.text('runner_name'),
      ...times,
    }),
    occurredAt: times.updatedAt,
  };
  return [event];
}

function normalizeCheckRun(payload: PayloadReader): DomainEvent[] {
  const repository = repositoryRef(payload);
  const checkRun = payload.requireObj('check_run');
  const suite = checkRun.obj('check_suite');
  const times = jobTimes(checkRun);
  const event: CiJobEvent = {
    kind: 'ci_job',
    repository,
    job: omitUndefined({
      externalId: checkRun.requireId('id'),
      runExternalId: suite?.id('id'),
      source: 'check_run',
      name: checkRun.requireStr('name'),
      status: ciStatus(checkRun),
      conclusion: ciConclusion(checkRun),
      headSha: checkRun.requireText('head_sha'),
      headBranch: suite?.text('head_branch'),
      url: checkRun.text('html_url'),
      ...times,
    }),
    occurredAt: times.updatedAt,
  };
  return [event];
}

function deploymentState(status: PayloadReader): DeploymentState {
  const state = status.requireText('state');
  switch (state) {
    case 'pending':
    case 'queued':
    case 'in_progress':
    case 'success':
    case 'failure':
    case 'error':
    case 'inactive':
    case 'cancelled':
      return state;
    default:
      return status.fail(`is "${state}", not a known deployment state`, 'state');
  }
}

function normalizeDeployment(payload: PayloadReader, isStatusEvent: boolean): DomainEvent[] {
  const repository = repositoryRef(payload);
  const deployment = payload.requireObj('deployment');
  const updatedAt = deployment.requireIso('updated_at');
  const status = isStatusEvent ? payload.requireObj('deployment_status') : undefined;
  const statusCreatedAt = status?.requireIso('created_at');
  const event: DeploymentEvent = omitUndefined({
    kind: 'deployment' as const,
    repository,
    deployment: omitUndefined({
      externalId: deployment.requireId('id'),
      environment: deployment.requireText('environment'),
      ref: deployment.text('ref'),
      sha: deployment.requireText('sha'),
      creator: accountRef(deployment.obj('creator')),
      production: deployment.bool('production_environment'),
      createdAt: deployment.requireIso('created_at'),
      updatedAt,
    }),
    status:
      status === undefined || statusCreatedAt === undefined
        ? undefined
        : omitUndefined({
            externalId: status.id('id'),
            state: deploymentState(status),
            description: status.text('description'),
            // log_url replaced target_url; older statuses only have the latter.
            url: status.text('log_url') ?? status.text('target_url'),
            createdAt: statusCreatedAt,
          }),
    occurredAt: status?.iso('updated_at') ?? statusCreatedAt ?? updatedAt,
  });
  return [event];
}

function releaseAction(action: string | undefined): ReleaseEvent['action'] {
  switch (action) {
    case 'published':
    case 'created':
    case 'edited':
    case 'deleted':
      return action;
    case undefined:
    default:
      return 'other';
  }
}

function normalizeRelease(payload: PayloadReader): DomainEvent[] {
  const repository = repositoryRef(payload);
  const release = payload.requireObj('release');
  const createdAt = release.requireIso('created_at');
  const publishedAt = release.iso('published_at');
  const updatedAt = publishedAt ?? createdAt;
  const event: ReleaseEvent = {
    kind: 'release',
    repository,
    action: releaseAction(payload.text('action')),
    release: omitUndefined({
      externalId: release.requireId('id'),
      tagName: release.requireText('tag_name'),
      name: release.text('name'),
      body: release.str('body'),
      draft: release.bool('draft') ?? false,
      prerelease: release.bool('prerelease') ?? false,
      author: accountRef(release.obj('author')),
      url: release.text('html_url'),
      createdAt,
      publishedAt,
      updatedAt,
    }),
    occurredAt: updatedAt,
  };
  return [event];
}
