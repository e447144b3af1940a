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
  PullRequestState,
  PushEvent,
  ReleaseEvent,
  RepositoryRef,
  ReviewEvent,
  ReviewState,
} from '../../../activity/domain-events';
import {
  EVENT_TIME_UNKNOWN,
  earliestTimestamp,
  isZeroSha,
  latestTimestamp,
  presentActor,
  shaFromUrl,
  textsOf,
  type WebhookHeaders,
} from '../forge-readers';
import { omitUndefined, PayloadReader, toIsoTimestamp } from '../payload-reader';
import { headerValue } from '../signatures';

const PUBLIC_VISIBILITY_LEVEL = 20;
// GitLab replaces hidden e-mail addresses with this marker instead of leaving them out.
const REDACTED = '[REDACTED]';

/**
 * GitLab webhooks (X-Gitlab-Event) as domain events. `headers` is optional: only the Standard
 * Webhooks `webhook-timestamp` (GitLab >= 19) is read, as the time of pushes without commits.
 */
export function normalizeGitLab(
  event: string,
  payload: unknown,
  headers: WebhookHeaders = {},
): DomainEvent[] {
  const read = () => PayloadReader.root(payload, `GitLab ${event} payload`);
  switch (event) {
    case 'Push Hook':
    case 'Tag Push Hook':
      return [pushEvent(read(), event, headers)];
    case 'Merge Request Hook':
      return mergeRequestEvents(read());
    case 'Note Hook':
    case 'Confidential Note Hook':
      return noteEvents(read());
    case 'Issue Hook':
    case 'Confidential Issue Hook':
      return [issueEvent(read())];
    case 'Pipeline Hook':
      return [pipelineEvent(read())];
    case 'Job Hook':
      return [jobEvent(read())];
    case 'Deployment Hook':
      return [deploymentEvent(read())];
    case 'Release Hook':
      return [releaseEvent(read())];
    default:
      // System, wiki, emoji, member, feature flag, project and token hooks are not modelled.
      return [];
  }
}

function repositoryOf(root: PayloadReader): RepositoryRef {
  const project = root.obj('project');
  if (project) {
    const visibility = project.int('visibility_level');
    return omitUndefined({
      externalId: projectId(root, project),
      fullName: project.requireText('path_with_namespace'),
      name: project.requireText('name'),
      defaultBranch: project.text('default_branch'),
      url: project.text('web_url'),
      private: visibility === undefined ? undefined : visibility !== PUBLIC_VISIBILITY_LEVEL,
    });
  }
  return legacyJobRepository(root);
}

/** Older GitLab sent no `project.id`; the id then sits beside the project object. */
function projectId(root: PayloadReader, project: PayloadReader): string {
  const attributes = root.obj('object_attributes');
  return (
    project.id('id') ??
    root.id('project_id') ??
    attributes?.id('target_project_id') ??
    attributes?.id('project_id') ??
    project.requireId('id')
  );
}

/**
 * Job Hooks from older GitLab have no `project` object; `project_name` there is the display
 * name ("Group / Project"), so the path comes from the repository homepage instead.
 */
function legacyJobRepository(root: PayloadReader): RepositoryRef {
  const repository = root.obj('repository') ?? root.fail('is missing or not an object', 'project');
  const homepage = repository.requireText('homepage');
  let fullName: string;
  try {
    fullName = new URL(homepage).pathname.replace(/^\/+|\/+$/g, '');
  } catch {
    return repository.fail('is not a URL', 'homepage');
  }
  if (fullName === '') repository.fail('has no project path', 'homepage');
  return {
    externalId: root.requireId('project_id'),
    fullName,
    name: repository.text('name') ?? fullName.split('/').pop() ?? fullName,
    url: homepage,
  };
}

/** A GitLab user object (`user`, `assignees[]`, `reviewers[]`). */
function userActor(user: PayloadReader): ActorRef {
  return omitUndefined({
    externalId: user.id('id'),
    login: user.text('username'),
    name: user.text('name'),
    email: emailOf(user.text('email')),
    avatarUrl: user.text('avatar_url'),
  });
}

function emailOf(email: string | undefined): string | undefined {
  return email === REDACTED ? undefined : email;
}

function pushEvent(root: PayloadReader, event: string, headers: WebhookHeaders): PushEvent {
  const after = root.text('after');
  const commits = root.objects('commits').map(commitData);
  const ref = root.requireText('ref');
  const prefix = event === 'Tag Push Hook' ? 'refs/tags/' : 'refs/heads/';
  return omitUndefined({
    kind: 'push',
    repository: repositoryOf(root),
    ref: ref.startsWith('refs/') ? ref : `${prefix}${ref}`,
    before: root.text('before'),
    after,
    pusher: presentActor({
      externalId: root.id('user_id'),
      login: root.text('user_username'),
      name: root.text('user_name'),
      email: emailOf(root.text('user_email')),
      avatarUrl: root.text('user_avatar'),
    }),
    commits,
    deleted: isZeroSha(after),
    occurredAt:
      commits.find((commit) => commit.sha === after)?.timestamp ??
      latestTimestamp(...commits.map((commit) => commit.timestamp)) ??
      toIsoTimestamp(Number(headerValue(headers, 'webhook-timestamp'))) ??
      EVENT_TIME_UNKNOWN,
  });
}

function commitData(commit: PayloadReader): CommitData {
  const author = commit.obj('author');
  return omitUndefined({
    sha: commit.requireText('id'),
    message: commit.str('message') ?? '',
    author: author
      ? omitUndefined({ name: author.text('name'), email: emailOf(author.text('email')) })
      : {},
    timestamp: commit.requireIso('timestamp'),
    url: commit.text('url'),
    added: commit.strings('added'),
    modified: commit.strings('modified'),
    removed: commit.strings('removed'),
  });
}

function labelsOf(root: PayloadReader, attributes: PayloadReader): string[] {
  const labels =
    root.arr('labels') !== undefined ? root.objects('labels') : attributes.objects('labels');
  return textsOf(labels, 'title');
}

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

function mergeRequestEvents(root: PayloadReader): DomainEvent[] {
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

function noteEvents(root: PayloadReader): DomainEvent[] {
  const attributes = root.requireObj('object_attributes');
  // System notes ("added 1 commit", "changed the title") are GitLab's activity log, not people.
  if (attributes.bool('system') === true) return [];
  const target = noteTarget(root, attributes);
  if (target === undefined) return [];
  const createdAt = attributes.requireIso('created_at');
  const updatedAt = attributes.iso('updated_at') ?? createdAt;
  const position = attributes.obj('position');
  const user = root.obj('user');
  const event: CommentEvent = {
    kind: 'comment',
    repository: repositoryOf(root),
    target,
    comment: omitUndefined({
      externalId: attributes.requireId('id'),
      body: attributes.requireStr('note'),
      author: user ? userActor(user) : undefined,
      createdAt,
      updatedAt,
      path: position?.text('new_path') ?? attributes.obj('st_diff')?.text('new_path'),
      line: position?.int('new_line') ?? position?.int('old_line'),
      url: attributes.text('url'),
    }),
    action: attributes.text('action') === 'update' ? 'edited' : 'created',
    occurredAt: updatedAt,
  };
  return [event];
}

function noteTarget(
  root: PayloadReader,
  attributes: PayloadReader,
): CommentEvent['target'] | undefined {
  const noteableType = attributes.requireText('noteable_type');
  switch (noteableType) {
    case 'MergeRequest':
      return { type: 'pull_request', number: root.requireObj('merge_request').requireInt('iid') };
    case 'Issue':
      return { type: 'issue', number: root.requireObj('issue').requireInt('iid') };
    case 'Commit': {
      const sha = root.obj('commit')?.text('id') ?? attributes.requireText('commit_id');
      return { type: 'commit', sha };
    }
    default:
      // Snippets, epics, designs and anything newer have no place in the record.
      return undefined;
  }
}

const ISSUE_STATES: Readonly<Record<string, 'open' | 'closed'>> = {
  opened: 'open',
  closed: 'closed',
};

function issueEvent(root: PayloadReader): IssueEvent {
  const attributes = root.requireObj('object_attributes');
  const user = root.obj('user');
  const actor = user ? userActor(user) : undefined;
  const gitlabAction = attributes.text('action');
  const updatedAt = attributes.requireIso('updated_at');
  const authorId = attributes.id('author_id');
  const state =
    ISSUE_STATES[attributes.requireText('state')] ??
    attributes.fail('is not a known state', 'state');
  return omitUndefined({
    kind: 'issue',
    repository: repositoryOf(root),
    action: issueAction(gitlabAction, root.obj('changes')),
    actor,
    issue: omitUndefined({
      externalId: attributes.requireId('id'),
      number: attributes.requireInt('iid'),
      title: attributes.requireStr('title'),
      body: attributes.text('description'),
      state,
      author:
        gitlabAction === 'open' && actor !== undefined
          ? actor
          : authorId === undefined
            ? undefined
            : { externalId: authorId },
      labels: labelsOf(root, attributes),
      url: attributes.text('url'),
      createdAt: attributes.requireIso('created_at'),
      updatedAt,
      closedAt:
        state === 'closed'
          ? (attributes.iso('closed_at') ?? (gitlabAction === 'close' ? updatedAt : undefined))
          : undefined,
    }),
    occurredAt: updatedAt,
  });
}

function issueAction(
  gitlabAction: string | undefined,
  changes: PayloadReader | undefined,
): IssueAction {
  switch (gitlabAction ?? '') {
    case 'open':
      return 'opened';
    case 'close':
      return 'closed';
    case 'reopen':
      return 'reopened';
    case 'update':
      return changes?.has('labels') ? 'labeled' : 'edited';
    default:
      return 'other';
  }
}

interface CiProgress {
  status: CiStatus;
  conclusion?: CiConclusion;
}

const CI_PROGRESS: Readonly<Record<string, CiProgress>> = {
  created: { status: 'queued' },
  waiting_for_resource: { status: 'queued' },
  waiting_for_callback: { status: 'queued' },
  preparing: { status: 'queued' },
  pending: { status: 'queued' },
  scheduled: { status: 'queued' },
  running: { status: 'in_progress' },
  canceling: { status: 'in_progress' },
  success: { status: 'completed', conclusion: 'success' },
  failed: { status: 'completed', conclusion: 'failure' },
  canceled: { status: 'completed', conclusion: 'cancelled' },
  skipped: { status: 'completed', conclusion: 'skipped' },
  manual: { status: 'completed', conclusion: 'action_required' },
};

function ciProgress(reader: PayloadReader, key: string): CiProgress {
  return CI_PROGRESS[reader.requireText(key)] ?? reader.fail('is not a known CI status', key);
}

function pipelineEvent(root: PayloadReader): CiRunEvent {
  const attributes = root.requireObj('object_attributes');
  const progress = ciProgress(attributes, 'status');
  const createdAt = attributes.requireIso('created_at');
  const finishedAt = attributes.iso('finished_at');
  const builds = root.objects('builds');
  const buildStarts = builds.map((build) => build.iso('started_at'));
  // The hook has no updated_at; the newest time anything in the pipeline changed orders it.
  const updatedAt =
    latestTimestamp(
      createdAt,
      finishedAt,
      ...buildStarts,
      ...builds.map((build) => build.iso('finished_at')),
    ) ?? createdAt;
  const mergeRequest = root.obj('merge_request');
  const user = root.obj('user');
  const isTag = attributes.bool('tag') === true;
  const iid = mergeRequest?.int('iid');
  return {
    kind: 'ci_run',
    repository: repositoryOf(root),
    run: omitUndefined({
      externalId: attributes.requireId('id'),
      source: 'pipeline',
      name: attributes.text('name'),
      status: progress.status,
      conclusion: progress.conclusion,
      headSha: attributes.requireText('sha'),
      // Merge request pipelines run on refs/merge-requests/N/head; the branch is the source.
      headBranch:
        mergeRequest?.text('source_branch') ?? (isTag ? undefined : attributes.text('ref')),
      trigger: attributes.text('source'),
      runNumber: attributes.int('iid'),
      url: attributes.text('url'),
      actor: user ? userActor(user) : undefined,
      pullRequestNumbers: iid === undefined ? [] : [iid],
      createdAt,
      startedAt: earliestTimestamp(...buildStarts),
      completedAt: progress.status === 'completed' ? finishedAt : undefined,
      updatedAt,
    }),
    occurredAt: updatedAt,
  };
}

function jobEvent(root: PayloadReader): CiJobEvent {
  const progress = ciProgress(root, 'build_status');
  const startedAt = root.iso('build_started_at');
  const finishedAt = root.iso('build_finished_at');
  const createdAt =
    root.iso('build_created_at') ??
    startedAt ??
    finishedAt ??
    root.fail('has no build_created_at, build_started_at or build_finished_at time');
  const updatedAt = latestTimestamp(createdAt, startedAt, finishedAt) ?? createdAt;
  const isTag = root.bool('tag') === true;
  return {
    kind: 'ci_job',
    repository: repositoryOf(root),
    job: omitUndefined({
      externalId: root.requireId('build_id'),
      runExternalId: root.id('pipeline_id'),
      source: 'pipeline',
      name: root.requireText('build_name'),
      status: progress.status,
      conclusion: progress.conclusion,
      headSha: root.requireText('sha'),
      headBranch: isTag ? undefined : root.text('ref'),
      stage: root.text('build_stage'),
      runnerName: root.obj('runner')?.text('description'),
      createdAt,
      startedAt,
      completedAt: progress.status === 'completed' ? finishedAt : undefined,
      updatedAt,
    }),
    occurredAt: updatedAt,
  };
}

const DEPLOYMENT_STATES: Readonly<Record<string, DeploymentState>> = {
  created: 'pending',
  // Waiting for a deployment approval.
  blocked: 'pending',
  running: 'in_progress',
  success: 'success',
  failed: 'failure',
  canceled: 'cancelled',
  // Never deployed (e.g. an outdated deployment job GitLab skipped).
  skipped: 'cancelled',
};

function deploymentEvent(root: PayloadReader): DeploymentEvent {
  const state =
    DEPLOYMENT_STATES[root.requireText('status')] ??
    root.fail('is not a known deployment status', 'status');
  const changedAt = root.requireIso('status_changed_at');
  // Only the short sha is a field; the commit URL ends with the full one.
  const sha = shaFromUrl(root.text('commit_url')) ?? root.requireText('short_sha');
  const user = root.obj('user');
  const tier = root.text('environment_tier');
  return {
    kind: 'deployment',
    repository: repositoryOf(root),
    deployment: omitUndefined({
      externalId: root.requireId('deployment_id'),
      environment: root.requireText('environment'),
      ref: root.text('ref'),
      sha,
      creator: user ? userActor(user) : undefined,
      url: root.text('deployable_url'),
      production: tier === undefined ? undefined : tier === 'production',
      // The hook carries no creation time; the status change is the only time it has.
      createdAt: changedAt,
      updatedAt: changedAt,
    }),
    status: omitUndefined({
      state,
      url: root.text('environment_external_url'),
      createdAt: changedAt,
    }),
    occurredAt: changedAt,
  };
}

const RELEASE_ACTIONS: Readonly<Record<string, ReleaseEvent['action']>> = {
  create: 'created',
  update: 'edited',
  delete: 'deleted',
};

function releaseEvent(root: PayloadReader): ReleaseEvent {
  const createdAt = root.requireIso('created_at');
  const gitlabAction = root.text('action');
  return {
    kind: 'release',
    repository: repositoryOf(root),
    action: (gitlabAction === undefined ? undefined : RELEASE_ACTIONS[gitlabAction]) ?? 'other',
    release: omitUndefined({
      externalId: root.requireId('id'),
      tagName: root.requireText('tag'),
      name: root.text('name'),
      body: root.text('description'),
      // GitLab releases are never drafts, and it has no prerelease flag.
      draft: false,
      prerelease: false,
      url: root.text('url'),
      createdAt,
      publishedAt: root.iso('released_at'),
      // No update time is sent; released_at may lie in the future (upcoming releases).
      updatedAt: createdAt,
    }),
    occurredAt: createdAt,
  };
}
