import type {
  DomainEvent,
  PullRequestAction,
  PullRequestData,
  PullRequestEvent,
  ReviewEvent,
  ReviewState,
} from '../../../activity/domain-events';
import { omitUndefined, type PayloadReader } from '../payload-reader';
import { accountRef, accountRefs, labelNames, openOrClosed, repositoryRef } from './github-readers';

function isMerged(pullRequest: PayloadReader): boolean {
  // Review and comment payloads carry a shorter pull request without `merged`; merged_at says it.
  return pullRequest.bool('merged') === true || pullRequest.iso('merged_at') !== undefined;
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

export function normalizePullRequest(payload: PayloadReader): DomainEvent[] {
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

export function normalizeReview(payload: PayloadReader): DomainEvent[] {
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
