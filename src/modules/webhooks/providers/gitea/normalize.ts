import type {
  ActorRef,
  CommentEvent,
  CommitData,
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
import {
  EVENT_TIME_UNKNOWN,
  isZeroSha,
  latestTimestamp,
  presentActor,
  textsOf,
  type WebhookHeaders,
} from '../forge-readers';
import { omitUndefined, PayloadReader } from '../payload-reader';
import { headerValue } from '../signatures';

const EVENT_TYPE_HEADERS = ['x-gitea-event-type', 'x-forgejo-event-type', 'x-gogs-event-type'];

/**
 * Review deliveries by their X-Gitea-Event name. Careful: `pull_request_comment` here is a
 * review comment; a plain comment on a pull request arrives as `issue_comment` (whose
 * X-Gitea-Event-Type is also `pull_request_comment`), so the event type header is matched
 * only against the `pull_request_review_*` names below.
 */
const REVIEW_EVENTS: Readonly<Record<string, ReviewState>> = {
  pull_request_approved: 'approved',
  pull_request_rejected: 'changes_requested',
  pull_request_comment: 'commented',
};

/** Review deliveries by X-Gitea-Event-Type (and by `review.type` in the payload). */
const REVIEW_EVENT_TYPES: Readonly<Record<string, ReviewState>> = {
  pull_request_review_approved: 'approved',
  pull_request_review_rejected: 'changes_requested',
  pull_request_review_comment: 'commented',
};

// Gitea's default WORK_IN_PROGRESS_PREFIXES plus Forgejo's "Draft:" spellings.
const DRAFT_TITLE = /^\s*(?:wip:|\[wip\]|draft:|\[draft\])/i;

/** Gitea, Forgejo and Gogs webhooks (X-Gitea-Event, X-Forgejo-Event, X-Gogs-Event). */
export function normalizeGitea(
  event: string,
  payload: unknown,
  headers: WebhookHeaders,
): DomainEvent[] {
  const read = () => PayloadReader.root(payload, `Gitea ${event} payload`);
  const eventType = headerValue(headers, ...EVENT_TYPE_HEADERS);
  const reviewState =
    REVIEW_EVENTS[event] ??
    REVIEW_EVENT_TYPES[event] ??
    (eventType === undefined ? undefined : REVIEW_EVENT_TYPES[eventType]);
  if (reviewState !== undefined) return [reviewEvent(read(), reviewState)];
  switch (event) {
    case 'push':
      return [pushEvent(read())];
    case 'pull_request':
      return [pullRequestOrReviewEvent(read())];
    case 'issues':
      return issueEvents(read());
    case 'issue_comment':
      return commentEvents(read());
    case 'release':
      return [releaseEvent(read())];
    default:
      // create, delete, fork, repository, wiki, package and status are not modelled.
      return [];
  }
}

function repositoryOf(root: PayloadReader): RepositoryRef {
  const repository = root.requireObj('repository');
  return omitUndefined({
    externalId: repository.requireId('id'),
    fullName: repository.requireText('full_name'),
    name: repository.requireText('name'),
    defaultBranch: repository.text('default_branch'),
    url: repository.text('html_url'),
    private: repository.bool('private'),
  });
}

function userActor(user: PayloadReader): ActorRef {
  return omitUndefined({
    externalId: user.id('id'),
    login: user.text('login') ?? user.text('username'),
    name: user.text('full_name'),
    email: user.text('email'),
    avatarUrl: user.text('avatar_url'),
  });
}

function actorAt(reader: PayloadReader, key: string): ActorRef | undefined {
  const user = reader.obj(key);
  return user ? userActor(user) : undefined;
}

function pushEvent(root: PayloadReader): PushEvent {
  const after = root.text('after');
  const commits = root.objects('commits').map(commitData);
  const headCommit = root.obj('head_commit');
  return omitUndefined({
    kind: 'push',
    repository: repositoryOf(root),
    ref: root.requireText('ref'),
    before: root.text('before'),
    after,
    pusher: actorAt(root, 'pusher') ?? actorAt(root, 'sender'),
    commits,
    deleted: isZeroSha(after),
    // A push without commits (a deletion) has no time of its own; Gitea bumps the
    // repository's updated_at on every push, so that is the next best.
    occurredAt:
      headCommit?.iso('timestamp') ??
      latestTimestamp(...commits.map((commit) => commit.timestamp)) ??
      root.obj('repository')?.iso('updated_at') ??
      EVENT_TIME_UNKNOWN,
  });
}

function commitData(commit: PayloadReader): CommitData {
  return omitUndefined({
    sha: commit.requireText('id'),
    message: commit.str('message') ?? '',
    author: gitIdentity(commit.obj('author')) ?? {},
    committer: gitIdentity(commit.obj('committer')),
    timestamp: commit.requireIso('timestamp'),
    url: commit.text('url'),
    added: commit.strings('added'),
    modified: commit.strings('modified'),
    removed: commit.strings('removed'),
  });
}

/** A commit author or committer: name and e-mail from git, `username` when Gitea knows them. */
function gitIdentity(identity: PayloadReader | undefined): ActorRef | undefined {
  if (!identity) return undefined;
  return presentActor({
    login: identity.text('username'),
    name: identity.text('name'),
    email: identity.text('email'),
  });
}

function openOrClosed(reader: PayloadReader): 'open' | 'closed' {
  const state = reader.requireText('state');
  return state === 'open' || state === 'closed'
    ? state
    : reader.fail('is not a known state', 'state');
}

function pullRequestData(root: PayloadReader): PullRequestData {
  const pullRequest = root.requireObj('pull_request');
  const merged = pullRequest.bool('merged') === true;
  const giteaState = openOrClosed(pullRequest);
  const title = pullRequest.requireStr('title');
  const requestedReviewers = pullRequest.arr('requested_reviewers');
  return omitUndefined({
    externalId: pullRequest.requireId('id'),
    number: pullRequest.requireInt('number'),
    title,
    body: pullRequest.text('body'),
    state: merged ? 'merged' : giteaState,
    // Gitea marks drafts by title prefix; newer versions also send the flag.
    draft: pullRequest.bool('draft') ?? DRAFT_TITLE.test(title),
    author: actorAt(pullRequest, 'user'),
    headRef: pullRequest.requireObj('head').requireText('ref'),
    baseRef: pullRequest.requireObj('base').requireText('ref'),
    headSha: pullRequest.obj('head')?.text('sha'),
    url: pullRequest.text('html_url'),
    labels: textsOf(pullRequest.objects('labels'), 'name'),
    createdAt: pullRequest.requireIso('created_at'),
    updatedAt: pullRequest.requireIso('updated_at'),
    closedAt: pullRequest.iso('closed_at'),
    mergedAt: merged ? pullRequest.iso('merged_at') : undefined,
    mergedBy: merged ? actorAt(pullRequest, 'merged_by') : undefined,
    additions: pullRequest.int('additions'),
    deletions: pullRequest.int('deletions'),
    changedFiles: pullRequest.int('changed_files'),
    requestedReviewers:
      requestedReviewers === undefined
        ? undefined
        : pullRequest.objects('requested_reviewers').map(userActor),
  });
}

const PULL_REQUEST_ACTIONS: Readonly<Record<string, PullRequestAction>> = {
  opened: 'opened',
  edited: 'edited',
  closed: 'closed',
  reopened: 'reopened',
  synchronized: 'synchronize',
  label_updated: 'labeled',
  label_cleared: 'labeled',
  review_requested: 'review_requested',
};

function pullRequestOrReviewEvent(root: PayloadReader): DomainEvent {
  // Older Gitea sent reviews as `pull_request` deliveries with action `reviewed`.
  const reviewType = root.obj('review')?.text('type');
  const reviewState = reviewType === undefined ? undefined : REVIEW_EVENT_TYPES[reviewType];
  if (root.text('action') === 'reviewed' && reviewState !== undefined) {
    return reviewEvent(root, reviewState);
  }
  const pullRequest = pullRequestData(root);
  const giteaAction = root.text('action');
  const action =
    giteaAction === 'closed' && pullRequest.state === 'merged'
      ? 'merged'
      : ((giteaAction === undefined ? undefined : PULL_REQUEST_ACTIONS[giteaAction]) ?? 'other');
  const pullRequestEvent: PullRequestEvent = omitUndefined({
    kind: 'pull_request',
    repository: repositoryOf(root),
    action,
    actor: actorAt(root, 'sender'),
    pullRequest,
    occurredAt: pullRequest.updatedAt,
  });
  return pullRequestEvent;
}

function reviewEvent(root: PayloadReader, state: ReviewState): ReviewEvent {
  const pullRequest = pullRequestData(root);
  const review = root.obj('review');
  const sender = root.obj('sender');
  // Gitea's review payload has no id; a review bumps the PR's updated_at, so the PR, the
  // verdict, the reviewer and that time name this review, the same on every retry and in
  // both the old (`pull_request` + `reviewed`) and the new delivery shapes.
  const externalId =
    review?.id('id') ??
    [pullRequest.externalId, state, sender?.id('id') ?? 'unknown', pullRequest.updatedAt].join(':');
  return {
    kind: 'review',
    repository: repositoryOf(root),
    pullRequest,
    review: omitUndefined({
      externalId,
      state,
      body: review?.text('content'),
      author: sender ? userActor(sender) : undefined,
      submittedAt: pullRequest.updatedAt,
      commitSha: pullRequest.headSha,
      url: pullRequest.url,
    }),
    occurredAt: pullRequest.updatedAt,
  };
}

const ISSUE_ACTIONS: Readonly<Record<string, IssueAction>> = {
  opened: 'opened',
  edited: 'edited',
  closed: 'closed',
  reopened: 'reopened',
  label_updated: 'labeled',
  label_cleared: 'labeled',
};

function issueEvents(root: PayloadReader): DomainEvent[] {
  const issue = root.requireObj('issue');
  // Pull requests travel as `pull_request` deliveries; an issue view of one adds nothing.
  if (issue.has('pull_request')) return [];
  const giteaState = openOrClosed(issue);
  const updatedAt = issue.requireIso('updated_at');
  const giteaAction = root.text('action');
  const event: IssueEvent = omitUndefined({
    kind: 'issue',
    repository: repositoryOf(root),
    action: (giteaAction === undefined ? undefined : ISSUE_ACTIONS[giteaAction]) ?? 'other',
    actor: actorAt(root, 'sender'),
    issue: omitUndefined({
      externalId: issue.requireId('id'),
      number: issue.requireInt('number'),
      title: issue.requireStr('title'),
      body: issue.text('body'),
      state: giteaState,
      author: actorAt(issue, 'user'),
      labels: textsOf(issue.objects('labels'), 'name'),
      url: issue.text('html_url'),
      createdAt: issue.requireIso('created_at'),
      updatedAt,
      closedAt: issue.iso('closed_at'),
    }),
    occurredAt: updatedAt,
  });
  return [event];
}

const COMMENT_ACTIONS: Readonly<Record<string, CommentEvent['action']>> = {
  created: 'created',
  edited: 'edited',
  deleted: 'deleted',
};

function commentEvents(root: PayloadReader): DomainEvent[] {
  const giteaAction = root.text('action');
  const action = giteaAction === undefined ? undefined : COMMENT_ACTIONS[giteaAction];
  if (action === undefined) return [];
  const issue = root.requireObj('issue');
  const comment = root.requireObj('comment');
  const isPull = root.bool('is_pull') ?? issue.has('pull_request');
  const createdAt = comment.requireIso('created_at');
  const updatedAt = comment.iso('updated_at') ?? createdAt;
  const event: CommentEvent = {
    kind: 'comment',
    repository: repositoryOf(root),
    target: { type: isPull ? 'pull_request' : 'issue', number: issue.requireInt('number') },
    comment: omitUndefined({
      externalId: comment.requireId('id'),
      body: comment.requireStr('body'),
      author: actorAt(comment, 'user'),
      createdAt,
      updatedAt,
      url: comment.text('html_url'),
    }),
    action,
    occurredAt: updatedAt,
  };
  return [event];
}

const RELEASE_ACTIONS: Readonly<Record<string, ReleaseEvent['action']>> = {
  published: 'published',
  updated: 'edited',
  deleted: 'deleted',
};

function releaseEvent(root: PayloadReader): ReleaseEvent {
  const release = root.requireObj('release');
  const createdAt = release.requireIso('created_at');
  const publishedAt = release.iso('published_at');
  // Releases have no updated_at; publishing a draft is the only later time Gitea sends.
  const updatedAt = latestTimestamp(createdAt, publishedAt) ?? createdAt;
  const giteaAction = root.text('action');
  return {
    kind: 'release',
    repository: repositoryOf(root),
    action: (giteaAction === undefined ? undefined : RELEASE_ACTIONS[giteaAction]) ?? 'other',
    release: omitUndefined({
      externalId: release.requireId('id'),
      tagName: release.requireText('tag_name'),
      name: release.text('name'),
      body: release.text('body'),
      draft: release.bool('draft') ?? false,
      prerelease: release.bool('prerelease') ?? false,
      author: actorAt(release, 'author'),
      url: release.text('html_url'),
      createdAt,
      publishedAt,
      updatedAt,
    }),
    occurredAt: updatedAt,
  };
}
