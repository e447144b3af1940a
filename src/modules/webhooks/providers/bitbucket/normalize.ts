import type {
  ActorRef,
  CiConclusion,
  CiRunEvent,
  CiStatus,
  CommentEvent,
  CommitData,
  DomainEvent,
  IssueAction,
  IssueEvent,
  PullRequestAction,
  PullRequestData,
  PullRequestEvent,
  PullRequestState,
  PushEvent,
  RepositoryRef,
  ReviewEvent,
  ReviewState,
} from '../../../activity/domain-events';
import {
  EVENT_TIME_UNKNOWN,
  latestTimestamp,
  parseNameAndEmail,
  presentActor,
  shaFromUrl,
} from '../forge-readers';
import { omitUndefined, PayloadReader } from '../payload-reader';

/** Bitbucket Cloud webhooks (X-Event-Key). */
export function normalizeBitbucket(event: string, payload: unknown): DomainEvent[] {
  const read = () => PayloadReader.root(payload, `Bitbucket ${event} payload`);
  switch (event) {
    case 'repo:push':
      return pushEvents(read());
    case 'pullrequest:created':
    case 'pullrequest:updated':
    case 'pullrequest:fulfilled':
    case 'pullrequest:rejected':
      return [pullRequestEvent(read(), event)];
    case 'pullrequest:approved':
    case 'pullrequest:unapproved':
    case 'pullrequest:changes_request_created':
    case 'pullrequest:changes_request_removed':
      return [reviewEvent(read(), event)];
    case 'pullrequest:comment_created':
    case 'pullrequest:comment_updated':
    case 'pullrequest:comment_deleted':
    case 'issue:comment_created':
    case 'repo:commit_comment_created':
      return [commentEvent(read(), event)];
    case 'issue:created':
    case 'issue:updated':
      return [issueEvent(read(), event)];
    case 'repo:commit_status_created':
    case 'repo:commit_status_updated':
      return [commitStatusEvent(read())];
    default:
      // Forks, repository updates, comment resolution and the like are not modelled.
      return [];
  }
}

function repositoryOf(root: PayloadReader): RepositoryRef {
  const repository = root.requireObj('repository');
  return omitUndefined({
    externalId: repository.requireId('uuid'),
    fullName: repository.requireText('full_name'),
    name: repository.requireText('name'),
    defaultBranch: repository.obj('mainbranch')?.text('name'),
    url: htmlUrl(repository),
    private: repository.bool('is_private'),
  });
}

function htmlUrl(reader: PayloadReader): string | undefined {
  return reader.obj('links')?.obj('html')?.text('href');
}

/** A Bitbucket account (`actor`, `author`, `user`, …). */
function accountActor(account: PayloadReader): ActorRef {
  const type = account.text('type');
  return omitUndefined({
    externalId: account.id('uuid') ?? account.id('account_id'),
    login: account.text('nickname') ?? account.text('username'),
    name: account.text('display_name'),
    avatarUrl: account.obj('links')?.obj('avatar')?.text('href'),
    bot: type === 'app_user' ? true : type === 'user' ? false : undefined,
  });
}

function actorAt(reader: PayloadReader, key: string): ActorRef | undefined {
  const account = reader.obj(key);
  return account ? accountActor(account) : undefined;
}

const REF_PREFIXES: Readonly<Record<string, string>> = {
  branch: 'refs/heads/',
  tag: 'refs/tags/',
  annotated_tag: 'refs/tags/',
};

/** One push event per changed ref, as Bitbucket batches several refs into one delivery. */
function pushEvents(root: PayloadReader): DomainEvent[] {
  const repository = repositoryOf(root);
  const pusher = actorAt(root, 'actor');
  const events: PushEvent[] = [];
  for (const change of root.requireObj('push').objects('changes')) {
    const newRef = change.obj('new');
    const oldRef = change.obj('old');
    const ref = newRef ?? oldRef;
    if (!ref) continue;
    const prefix = REF_PREFIXES[ref.requireText('type')];
    // Mercurial bookmarks and named branches have no git ref.
    if (prefix === undefined) continue;
    const headTarget = newRef?.obj('target');
    const commits = change.objects('commits').map((commit) => commitData(commit, headTarget));
    events.push(
      omitUndefined({
        kind: 'push',
        repository,
        ref: `${prefix}${ref.requireText('name')}`,
        before: oldRef?.obj('target')?.text('hash'),
        after: headTarget?.text('hash'),
        pusher,
        commits,
        deleted: newRef === undefined,
        forced: change.bool('forced'),
        // A deletion has no new head; the old head's date is the latest time it carries.
        occurredAt:
          latestTimestamp(headTarget?.iso('date'), ...commits.map((commit) => commit.timestamp)) ??
          oldRef?.obj('target')?.iso('date') ??
          EVENT_TIME_UNKNOWN,
      }),
    );
  }
  return events;
}

function commitData(commit: PayloadReader, headTarget: PayloadReader | undefined): CommitData {
  const sha = commit.requireText('hash');
  // Bitbucket's documented example omits commit dates; the pushed head's date stands in.
  const timestamp =
    commit.iso('date') ??
    headTarget?.iso('date') ??
    commit.fail('is missing or not a timestamp', 'date');
  return omitUndefined({
    sha,
    message: commit.str('message') ?? '',
    author: commitAuthor(commit.obj('author')),
    timestamp,
    url: htmlUrl(commit),
    // Bitbucket does not list changed files in push payloads.
    added: [],
    modified: [],
    removed: [],
  });
}

/** `author` is `{raw: "Name <email>", user?}`; older payloads put the account there directly. */
function commitAuthor(author: PayloadReader | undefined): ActorRef {
  if (!author) return {};
  const raw = author.text('raw');
  if (raw === undefined) return accountActor(author);
  const user = author.obj('user');
  const account = user ? accountActor(user) : {};
  return (
    presentActor({
      ...account,
      ...parseNameAndEmail(raw),
    }) ?? {}
  );
}

const PULL_REQUEST_STATES: Readonly<Record<string, PullRequestState>> = {
  OPEN: 'open',
  MERGED: 'merged',
  DECLINED: 'closed',
  SUPERSEDED: 'closed',
};

const PULL_REQUEST_ACTIONS: Readonly<Record<string, PullRequestAction>> = {
  'pullrequest:created': 'opened',
  // Bitbucket sends `updated` for edits and new commits alike and does not say which.
  'pullrequest:updated': 'edited',
  'pullrequest:fulfilled': 'merged',
  'pullrequest:rejected': 'closed',
};

function pullRequestData(root: PayloadReader, event: string): PullRequestData {
  const pullRequest = root.requireObj('pullrequest');
  const id = pullRequest.requireInt('id');
  // The event key is authoritative: the state field lags it in some deliveries.
  const state: PullRequestState =
    event === 'pullrequest:fulfilled'
      ? 'merged'
      : event === 'pullrequest:rejected'
        ? 'closed'
        : (PULL_REQUEST_STATES[pullRequest.requireText('state')] ??
          pullRequest.fail('is not a known state', 'state'));
  const updatedAt = pullRequest.requireIso('updated_on');
  const closing = event === 'pullrequest:fulfilled' || event === 'pullrequest:rejected';
  const reviewers = pullRequest.arr('reviewers');
  const source = pullRequest.requireObj('source');
  return omitUndefined({
    externalId: String(id),
    number: id,
    title: pullRequest.requireStr('title'),
    body: pullRequest.text('description'),
    state,
    draft: pullRequest.bool('draft') ?? false,
    author: actorAt(pullRequest, 'author'),
    headRef: source.requireObj('branch').requireText('name'),
    baseRef: pullRequest.requireObj('destination').requireObj('branch').requireText('name'),
    // Bitbucket sends the short (12 character) hash here.
    headSha: source.obj('commit')?.text('hash'),
    url: htmlUrl(pullRequest),
    labels: [],
    createdAt: pullRequest.requireIso('created_on'),
    updatedAt,
    // updated_on is the close time only on the delivery that merged or declined it.
    closedAt: closing ? updatedAt : undefined,
    mergedAt: event === 'pullrequest:fulfilled' ? updatedAt : undefined,
    mergedBy: event === 'pullrequest:fulfilled' ? actorAt(pullRequest, 'closed_by') : undefined,
    requestedReviewers:
      reviewers === undefined ? undefined : pullRequest.objects('reviewers').map(accountActor),
  });
}

function pullRequestEvent(root: PayloadReader, event: string): PullRequestEvent {
  const pullRequest = pullRequestData(root, event);
  return omitUndefined({
    kind: 'pull_request',
    repository: repositoryOf(root),
    action: PULL_REQUEST_ACTIONS[event] ?? 'other',
    actor: actorAt(root, 'actor'),
    pullRequest,
    occurredAt: pullRequest.updatedAt,
  });
}

interface ReviewKind {
  /** The payload key of the approval or change request. */
  key: 'approval' | 'changes_request';
  state: ReviewState;
}

const REVIEW_KINDS: Readonly<Record<string, ReviewKind>> = {
  'pullrequest:approved': { key: 'approval', state: 'approved' },
  'pullrequest:unapproved': { key: 'approval', state: 'dismissed' },
  'pullrequest:changes_request_created': { key: 'changes_request', state: 'changes_requested' },
  'pullrequest:changes_request_removed': { key: 'changes_request', state: 'dismissed' },
};

function reviewEvent(root: PayloadReader, event: string): ReviewEvent {
  const kind = REVIEW_KINDS[event] ?? root.fail(`${event} is not a review event`);
  const repository = repositoryOf(root);
  const pullRequest = pullRequestData(root, event);
  const verdict = root.requireObj(kind.key);
  const user = verdict.requireObj('user');
  const submittedAt = verdict.requireIso('date');
  return {
    kind: 'review',
    repository,
    pullRequest,
    review: omitUndefined({
      // Bitbucket has no review ids. Approving and withdrawing share one id per reviewer, so
      // the newest of them wins; pull request ids are per repository, hence the repository.
      externalId: [
        repository.externalId,
        pullRequest.externalId,
        user.id('uuid') ?? user.requireId('account_id'),
        kind.key,
      ].join(':'),
      state: kind.state,
      author: accountActor(user),
      submittedAt,
      commitSha: pullRequest.headSha,
      url: pullRequest.url,
    }),
    occurredAt: submittedAt,
  };
}

const COMMENT_ACTIONS: Readonly<Record<string, CommentEvent['action']>> = {
  'pullrequest:comment_created': 'created',
  'pullrequest:comment_updated': 'edited',
  'pullrequest:comment_deleted': 'deleted',
  'issue:comment_created': 'created',
  'repo:commit_comment_created': 'created',
};

function commentEvent(root: PayloadReader, event: string): CommentEvent {
  const comment = root.requireObj('comment');
  const action = COMMENT_ACTIONS[event] ?? root.fail(`${event} is not a comment event`);
  const createdAt = comment.requireIso('created_on');
  const updatedAt = comment.iso('updated_on') ?? createdAt;
  const inline = comment.obj('inline');
  return {
    kind: 'comment',
    repository: repositoryOf(root),
    target: commentTarget(root, event),
    comment: omitUndefined({
      externalId: comment.requireId('id'),
      body: comment.obj('content')?.str('raw') ?? '',
      // Older payloads omit comment.user; on creation the actor is the author.
      author:
        actorAt(comment, 'user') ?? (action === 'created' ? actorAt(root, 'actor') : undefined),
      createdAt,
      updatedAt,
      path: inline?.text('path'),
      line: inline?.int('to') ?? inline?.int('from'),
      url: htmlUrl(comment),
    }),
    action,
    occurredAt: updatedAt,
  };
}

function commentTarget(root: PayloadReader, event: string): CommentEvent['target'] {
  if (event.startsWith('pullrequest:')) {
    return { type: 'pull_request', number: root.requireObj('pullrequest').requireInt('id') };
  }
  if (event.startsWith('issue:')) {
    return { type: 'issue', number: root.requireObj('issue').requireInt('id') };
  }
  return { type: 'commit', sha: root.requireObj('commit').requireText('hash') };
}

const OPEN_ISSUE_STATES = new Set(['new', 'open', 'submitted', 'on hold']);
const CLOSED_ISSUE_STATES = new Set(['resolved', 'duplicate', 'invalid', 'wontfix', 'closed']);

function issueState(reader: PayloadReader, key: string): 'open' | 'closed' {
  const state = reader.requireText(key);
  if (OPEN_ISSUE_STATES.has(state)) return 'open';
  if (CLOSED_ISSUE_STATES.has(state)) return 'closed';
  return reader.fail('is not a known issue state', key);
}

function issueEvent(root: PayloadReader, event: string): IssueEvent {
  const issue = root.requireObj('issue');
  const id = issue.requireInt('id');
  const state = issueState(issue, 'state');
  const updatedAt = issue.requireIso('updated_on');
  const action = event === 'issue:created' ? 'opened' : issueUpdateAction(root.obj('changes'));
  return omitUndefined({
    kind: 'issue',
    repository: repositoryOf(root),
    action,
    actor: actorAt(root, 'actor'),
    issue: omitUndefined({
      externalId: String(id),
      number: id,
      title: issue.requireStr('title'),
      body: issue.obj('content')?.text('raw'),
      state,
      author: actorAt(issue, 'reporter'),
      labels: [],
      url: htmlUrl(issue),
      createdAt: issue.requireIso('created_on'),
      updatedAt,
      // Bitbucket sends no close time: the closing update is it.
      closedAt: action === 'closed' ? updatedAt : undefined,
    }),
    occurredAt: updatedAt,
  });
}

/** What an `issue:updated` did, from the state change it lists (`state`, or `status` in older payloads). */
function issueUpdateAction(changes: PayloadReader | undefined): IssueAction {
  const stateChange = changes?.obj('state') ?? changes?.obj('status');
  if (!stateChange) return 'edited';
  const before = stateChange.text('old');
  const after = stateChange.text('new');
  if (before === undefined || after === undefined) return 'edited';
  const wasClosed = CLOSED_ISSUE_STATES.has(before);
  const isClosed = CLOSED_ISSUE_STATES.has(after);
  if (!wasClosed && isClosed) return 'closed';
  if (wasClosed && !isClosed) return 'reopened';
  return 'edited';
}

interface CiProgress {
  status: CiStatus;
  conclusion?: CiConclusion;
}

const COMMIT_STATUS_PROGRESS: Readonly<Record<string, CiProgress>> = {
  INPROGRESS: { status: 'in_progress' },
  SUCCESSFUL: { status: 'completed', conclusion: 'success' },
  FAILED: { status: 'completed', conclusion: 'failure' },
  STOPPED: { status: 'completed', conclusion: 'cancelled' },
};

function commitStatusEvent(root: PayloadReader): CiRunEvent {
  const status = root.requireObj('commit_status');
  const progress =
    COMMIT_STATUS_PROGRESS[status.requireText('state')] ??
    status.fail('is not a known commit status state', 'state');
  const key = status.requireText('key');
  // Older payloads have no commit object; the commit link ends with the full hash.
  const headSha =
    status.obj('commit')?.text('hash') ??
    shaFromUrl(status.obj('links')?.obj('commit')?.text('href')) ??
    status.fail('names no commit (commit.hash or links.commit.href)');
  const createdAt = status.requireIso('created_on');
  const updatedAt = status.iso('updated_on') ?? createdAt;
  return {
    kind: 'ci_run',
    repository: repositoryOf(root),
    run: omitUndefined({
      // A build reports one status per key and commit, updating it in place.
      externalId: `${key}@${headSha}`,
      source: 'commit_status',
      name: status.text('name') ?? key,
      status: progress.status,
      conclusion: progress.conclusion,
      headSha,
      headBranch: status.text('refname'),
      url: status.text('url'),
      actor: actorAt(root, 'actor'),
      pullRequestNumbers: [],
      createdAt,
      completedAt: progress.status === 'completed' ? updatedAt : undefined,
      updatedAt,
    }),
    occurredAt: updatedAt,
  };
}
