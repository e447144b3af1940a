import type {
  ActorRef,
  DomainEvent,
  PullRequestAction,
  PullRequestData,
  PullRequestEvent,
  PullRequestState,
  ReviewEvent,
  ReviewState,
} from '../../../activity/domain-events';
import { omitUndefined, type PayloadReader } from '../payload-reader';
import { labelsOf, repositoryOf, userActor } from './gitlab-readers';

const MERGE_REQUEST_STATES: Readonly<Record<string, PullRequestState>> = {
  opened: 'open',
  closed: 'closed',
  // `locked` is the short moment while GitLab merges; the merge event that follows says merged.
  locked: 'closed',
  merged: 'merged',
};

// Per-user approvals (`approval`, `unapproval`) and the whole-MR verdicts (`approved`,
// `unapproved`) both become the acting user's review; they share its id, so they collapse.
const APPROVAL_ACTIONS: Readonly<Record<string, ReviewState>> = {
  approval: 'approved',
  approved: 'approved',
  unapproval: 'dismissed',
  unapproved: 'dismissed',
};

export function mergeRequestEvents(root: PayloadReader): DomainEvent[] {
  const attributes = root.requireObj('object_attributes');
  const user = root.obj('user');
  const actor = user ? userActor(user) : undefined;
  const gitlabAction = attributes.text('action');
  const pullRequest = mergeRequestData(root, attributes, gitlabAction, actor);
  const pullRequestEvent: PullRequestEvent = omitUndefined({
    kind: 'pull_request',
    repository: repositoryOf(root),
    action: mergeRequestAction(root, attributes, gitlabAction),
    actor,
    pullRequest,
    occurredAt: pullRequest.updatedAt,
  });
  const reviewState = gitlabAction === undefined ? undefined : APPROVAL_ACTIONS[gitlabAction];
  if (reviewState === undefined) return [pullRequestEvent];
  const reviewer = root.requireObj('user');
  const review: ReviewEvent = {
    kind: 'review',
    repository: pullRequestEvent.repository,
    pullRequest,
    review: omitUndefined({
      // GitLab sends no approval id: one review per MR and user, the newest verdict wins.
      externalId: `${pullRequest.externalId}:${reviewer.requireId('id')}:approval`,
      state: reviewState,
      author: actor,
      // The hook has no approval time; the MR's updated_at is the closest the payload offers.
      submittedAt: pullRequest.updatedAt,
      commitSha: pullRequest.headSha,
      url: pullRequest.url,
    }),
    occurredAt: pullRequest.updatedAt,
  };
  return [pullRequestEvent, review];
}

function mergeRequestData(
  root: PayloadReader,
  attributes: PayloadReader,
  gitlabAction: string | undefined,
  actor: ActorRef | undefined,
): PullRequestData {
  const gitlabState = attributes.requireText('state');
  const state =
    MERGE_REQUEST_STATES[gitlabState] ?? attributes.fail('is not a known state', 'state');
  const updatedAt = attributes.requireIso('updated_at');
  // updated_at moves with every later edit, so it is the merge or close time only on the
  // delivery that merged or closed the MR; other deliveries leave those times unset.
  const mergedAt =
    attributes.iso('merged_at') ?? (gitlabAction === 'merge' ? updatedAt : undefined);
  const closedAt =
    attributes.iso('closed_at') ??
    (gitlabAction === 'close' || gitlabAction === 'merge' ? updatedAt : undefined);
  const authorId = attributes.id('author_id');
  return omitUndefined({
    externalId: attributes.requireId('id'),
    number: attributes.requireInt('iid'),
    title: attributes.requireStr('title'),
    body: attributes.text('description'),
    state,
    draft: attributes.bool('draft') ?? attributes.bool('work_in_progress') ?? false,
    // The payload's user is the one who acted, which is the author only when opening.
    author:
      gitlabAction === 'open' && actor !== undefined
        ? actor
        : authorId === undefined
          ? undefined
          : { externalId: authorId },
    headRef: attributes.requireText('source_branch'),
    baseRef: attributes.requireText('target_branch'),
    headSha: attributes.obj('last_commit')?.text('id'),
    url: attributes.text('url'),
    labels: labelsOf(root, attributes),
    createdAt: attributes.requireIso('created_at'),
    updatedAt,
    closedAt,
    mergedAt: state === 'merged' ? mergedAt : undefined,
    mergedBy: gitlabAction === 'merge' ? actor : undefined,
    mergeCommitSha:
      state === 'merged'
        ? (attributes.text('squash_commit_sha') ?? attributes.text('merge_commit_sha'))
        : undefined,
    requestedReviewers:
      root.arr('reviewers') === undefined ? undefined : root.objects('reviewers').map(userActor),
  });
}

function mergeRequestAction(
  root: PayloadReader,
  attributes: PayloadReader,
  gitlabAction: string | undefined,
): PullRequestAction {
  switch (gitlabAction ?? '') {
    case 'open':
      return 'opened';
    case 'reopen':
      return 'reopened';
    case 'close':
      return 'closed';
    case 'merge':
      return 'merged';
    case 'update':
      return updateAction(root.obj('changes'), attributes.has('oldrev'));
    default:
      return 'other';
  }
}

function updateAction(changes: PayloadReader | undefined, pushed: boolean): PullRequestAction {
  if (pushed) return 'synchronize';
  const draft = changes?.obj('draft')?.bool('current');
  if (draft !== undefined) return draft ? 'converted_to_draft' : 'ready_for_review';
  if (changes?.has('labels')) return 'labeled';
  if (changes?.has('reviewer_ids') || changes?.has('reviewers')) return 'review_requested';
  return 'edited';
}
