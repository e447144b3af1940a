import type {
  PullRequestAction,
  PullRequestData,
  PullRequestEvent,
  PullRequestState,
  RepositoryRef,
  ReviewEvent,
  ReviewState,
} from '../../../activity/domain-events';
import { latestTimestamp, textsOf } from '../forge-readers';
import { omitUndefined } from '../payload-reader';
import {
  actorAt,
  branchName,
  gitRepository,
  identityActor,
  type AzureEnvelope,
} from './azure-readers';

const PULL_REQUEST_STATES: Readonly<Record<string, PullRequestState>> = {
  active: 'open',
  abandoned: 'closed',
  // Azure DevOps completes a pull request by merging it.
  completed: 'merged',
};

/**
 * `git.pullrequest.created`, `.updated` and `.merged`: the pull request, then one review per
 * reviewer who has voted. `merged` means "merge attempted" (its status may still be active);
 * the status, not the event, says whether it is merged.
 */
export function pullRequestEvents(
  envelope: AzureEnvelope,
  event: string,
): Array<PullRequestEvent | ReviewEvent> {
  const { resource } = envelope;
  const repository = gitRepository(resource.requireObj('repository'));
  const pullRequest = pullRequestData(envelope, repository);
  const pullRequestEvent: PullRequestEvent = omitUndefined({
    kind: 'pull_request',
    repository,
    action: pullRequestAction(event, pullRequest.state),
    actor: event === 'git.pullrequest.created' ? pullRequest.author : undefined,
    pullRequest,
    occurredAt: pullRequest.updatedAt,
  });
  return [pullRequestEvent, ...reviewEvents(envelope, repository, pullRequest)];
}

function pullRequestAction(event: string, state: PullRequestState): PullRequestAction {
  if (event === 'git.pullrequest.created') return 'opened';
  if (state === 'merged') return 'merged';
  if (state === 'closed') return 'closed';
  // An update says what changed only in its human-readable message.
  return event === 'git.pullrequest.updated' ? 'edited' : 'other';
}

function pullRequestData(
  { resource, raisedAt }: AzureEnvelope,
  repository: RepositoryRef,
): PullRequestData {
  const id = resource.requireInt('pullRequestId');
  const state =
    PULL_REQUEST_STATES[resource.requireText('status')] ??
    resource.fail('is not a known pull request status', 'status');
  const createdAt = resource.requireIso('creationDate');
  const closedDate = state === 'open' ? undefined : resource.iso('closedDate');
  // Pull requests carry no "last changed" time: the event's own time orders their states.
  const updatedAt = latestTimestamp(raisedAt, closedDate, createdAt) ?? createdAt;
  const closedAt = state === 'open' ? undefined : (closedDate ?? updatedAt);
  return omitUndefined({
    externalId: String(id),
    number: id,
    title: resource.requireStr('title'),
    body: resource.text('description'),
    state,
    draft: resource.bool('isDraft') ?? false,
    author: actorAt(resource, 'createdBy'),
    headRef: branchName(resource.requireText('sourceRefName')),
    baseRef: branchName(resource.requireText('targetRefName')),
    headSha: resource.obj('lastMergeSourceCommit')?.text('commitId'),
    url: repository.url === undefined ? undefined : `${repository.url}/pullrequest/${id}`,
    labels: textsOf(
      resource.objects('labels').filter((label) => label.bool('active') !== false),
      'name',
    ),
    createdAt,
    updatedAt,
    closedAt,
    mergedAt: state === 'merged' ? closedAt : undefined,
    mergedBy: state === 'merged' ? actorAt(resource, 'closedBy') : undefined,
    requestedReviewers: resource.has('reviewers')
      ? resource.objects('reviewers').map(identityActor)
      : undefined,
  });
}

interface Verdict {
  state: ReviewState;
  body?: string;
}

/** Votes: 10 approved, 5 approved with suggestions, 0 none, -5 waiting for author, -10 rejected. */
const VOTES: ReadonlyMap<number, Verdict> = new Map([
  [10, { state: 'approved' }],
  [5, { state: 'approved', body: 'Approved with suggestions' }],
  [-5, { state: 'changes_requested', body: 'Waiting for author' }],
  [-10, { state: 'changes_requested', body: 'Rejected' }],
]);

/**
 * Every vote is a review. Azure DevOps has no review ids and no vote times: a review is one
 * reviewer's one vote on the pull request (voting again the same way is the same review), first
 * seen at the time of the event that showed it. Teams (containers) do not vote themselves.
 */
function reviewEvents(
  { resource, raisedAt }: AzureEnvelope,
  repository: RepositoryRef,
  pullRequest: PullRequestData,
): ReviewEvent[] {
  const reviews: ReviewEvent[] = [];
  for (const reviewer of resource.objects('reviewers')) {
    if (reviewer.bool('isContainer') === true) continue;
    const vote = reviewer.int('vote');
    const verdict = vote === undefined ? undefined : VOTES.get(vote);
    if (verdict === undefined) continue;
    reviews.push({
      kind: 'review',
      repository,
      pullRequest,
      review: omitUndefined({
        externalId: [
          repository.externalId,
          pullRequest.externalId,
          reviewer.requireId('id'),
          vote,
        ].join(':'),
        state: verdict.state,
        body: verdict.body,
        author: identityActor(reviewer),
        submittedAt: raisedAt,
        commitSha: pullRequest.headSha,
        url: pullRequest.url,
      }),
      occurredAt: raisedAt,
    });
  }
  return reviews;
}
