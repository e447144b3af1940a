import type {
  PullRequestAction,
  PullRequestData,
  PullRequestEvent,
  PullRequestState,
  ReviewEvent,
  ReviewState,
} from '../../../activity/domain-events';
import { omitUndefined, type PayloadReader } from '../payload-reader';
import {
  millisIso,
  requireMillisIso,
  selfLink,
  serverRepository,
  serverUser,
  userAt,
  type ServerEnvelope,
} from './server-readers';

const PULL_REQUEST_STATES: Readonly<Record<string, PullRequestState>> = {
  OPEN: 'open',
  MERGED: 'merged',
  DECLINED: 'closed',
};

const PULL_REQUEST_ACTIONS: Readonly<Record<string, PullRequestAction>> = {
  'pr:opened': 'opened',
  'pr:from_ref_updated': 'synchronize',
  'pr:modified': 'edited',
  'pr:reviewer:updated': 'review_requested',
  'pr:merged': 'merged',
  'pr:declined': 'closed',
};

/** The pull request a `pr:*` payload describes; the event is authoritative for its end state. */
export function pullRequestData(root: PayloadReader, event: string): PullRequestData {
  const pullRequest = root.requireObj('pullRequest');
  const id = pullRequest.requireInt('id');
  const state: PullRequestState =
    event === 'pr:merged'
      ? 'merged'
      : event === 'pr:declined'
        ? 'closed'
        : (PULL_REQUEST_STATES[pullRequest.requireText('state')] ??
          pullRequest.fail('is not a known state', 'state'));
  const createdAt = requireMillisIso(pullRequest, 'createdDate');
  const updatedAt = millisIso(pullRequest, 'updatedDate') ?? createdAt;
  const closedAt =
    state === 'open' ? undefined : (millisIso(pullRequest, 'closedDate') ?? updatedAt);
  const fromRef = pullRequest.requireObj('fromRef');
  return omitUndefined({
    externalId: String(id),
    number: id,
    title: pullRequest.requireStr('title'),
    body: pullRequest.text('description'),
    state,
    draft: pullRequest.bool('draft') ?? false,
    author: userAt(pullRequest.obj('author'), 'user'),
    headRef: fromRef.requireText('displayId'),
    baseRef: pullRequest.requireObj('toRef').requireText('displayId'),
    headSha: fromRef.text('latestCommit'),
    url: selfLink(pullRequest),
    labels: [],
    createdAt,
    updatedAt,
    closedAt,
    mergedAt: state === 'merged' ? closedAt : undefined,
    mergedBy: event === 'pr:merged' ? userAt(root, 'actor') : undefined,
    requestedReviewers: pullRequest.has('reviewers')
      ? pullRequest
          .objects('reviewers')
          .map((reviewer) => userAt(reviewer, 'user'))
          .filter((user) => user !== undefined)
      : undefined,
  });
}

/** The repository a pull request is merged into. */
export function pullRequestRepository(root: PayloadReader) {
  return serverRepository(
    root.requireObj('pullRequest').requireObj('toRef').requireObj('repository'),
  );
}

export function pullRequestEvent({ root }: ServerEnvelope, event: string): PullRequestEvent {
  const pullRequest = pullRequestData(root, event);
  return omitUndefined({
    kind: 'pull_request',
    repository: pullRequestRepository(root),
    action: PULL_REQUEST_ACTIONS[event] ?? 'other',
    actor: userAt(root, 'actor'),
    pullRequest,
    occurredAt: pullRequest.updatedAt,
  });
}

/** A participant status that is a verdict, and the review it is. */
const VERDICTS: Readonly<Record<string, { key: string; state: ReviewState }>> = {
  APPROVED: { key: 'approved', state: 'approved' },
  NEEDS_WORK: { key: 'needs_work', state: 'changes_requested' },
};

/**
 * `pr:reviewer:approved`, `:needs_work` and `:unapproved`. Reviews have no ids: a reviewer's
 * approval is one review and their "needs work" another; withdrawing one (the previous status)
 * dismisses it. Verdicts carry no time of their own, so the event's time is theirs.
 */
export function reviewEvent({ root, raisedAt }: ServerEnvelope, event: string): ReviewEvent[] {
  const repository = pullRequestRepository(root);
  const pullRequest = pullRequestData(root, event);
  const participant = root.requireObj('participant');
  const user = participant.requireObj('user');
  const status =
    event === 'pr:reviewer:unapproved'
      ? root.text('previousStatus')
      : participant.requireText('status');
  const verdict = status === undefined ? undefined : VERDICTS[status];
  // Withdrawing from "unapproved" (no verdict) leaves nothing to dismiss.
  if (!verdict) return [];
  return [
    {
      kind: 'review',
      repository,
      pullRequest,
      review: omitUndefined({
        externalId: [
          repository.externalId,
          pullRequest.externalId,
          user.requireId('id'),
          verdict.key,
        ].join(':'),
        state: event === 'pr:reviewer:unapproved' ? 'dismissed' : verdict.state,
        author: serverUser(user),
        submittedAt: raisedAt,
        commitSha: participant.text('lastReviewedCommit') ?? pullRequest.headSha,
        url: pullRequest.url,
      }),
      occurredAt: raisedAt,
    },
  ];
}
