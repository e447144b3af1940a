import type {
  PullRequestAction,
  PullRequestData,
  PullRequestEvent,
  PullRequestState,
  ReviewEvent,
  ReviewState,
} from '../../../activity/domain-events';
import { omitUndefined, type PayloadReader } from '../payload-reader';
import { accountActor, actorAt, htmlUrl, repositoryOf } from './bitbucket-readers';

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

export function pullRequestEvent(root: PayloadReader, event: string): PullRequestEvent {
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

export function reviewEvent(root: PayloadReader, event: string): ReviewEvent {
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
