import type {
  DomainEvent,
  PullRequestAction,
  PullRequestData,
  PullRequestEvent,
  ReviewEvent,
  ReviewState,
} from '../../../activity/domain-events';
import { textsOf } from '../forge-readers';
import { omitUndefined, type PayloadReader } from '../payload-reader';
import { actorAt, openOrClosed, repositoryOf, userActor } from './gitea-readers';

/**
 * Review deliveries by their X-Gitea-Event name. Careful: `pull_request_comment` here is a
 * review comment; a plain comment on a pull request arrives as `issue_comment` (whose
 * X-Gitea-Event-Type is also `pull_request_comment`), so the event type header is matched
 * only against the `pull_request_review_*` names below.
 */
export const REVIEW_EVENTS: Readonly<Record<string, ReviewState>> = {
  pull_request_approved: 'approved',
  pull_request_rejected: 'changes_requested',
  pull_request_comment: 'commented',
};

/** Review deliveries by X-Gitea-Event-Type (and by `review.type` in the payload). */
export const REVIEW_EVENT_TYPES: Readonly<Record<string, ReviewState>> = {
  pull_request_review_approved: 'approved',
  pull_request_review_rejected: 'changes_requested',
  pull_request_review_comment: 'commented',
};

// Gitea's default WORK_IN_PROGRESS_PREFIXES plus Forgejo's "Draft:" spellings.
const DRAFT_TITLE = /^\s*(?:wip:|\[wip\]|draft:|\[draft\])/i;

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

export function pullRequestOrReviewEvent(root: PayloadReader): DomainEvent {
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

export function reviewEvent(root: PayloadReader, state: ReviewState): ReviewEvent {
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
