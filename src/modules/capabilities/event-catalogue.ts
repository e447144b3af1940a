import type { DomainEvent } from '../activity/domain-events';
import { Provider } from '../webhooks/providers/provider-adapter';

export type RecordKind = DomainEvent['kind'];

/** What each kind of domain event becomes in the engineering record. */
export const RECORD_OF: Record<RecordKind, string> = {
  push: 'push and its commits',
  pull_request: 'pull request (state, timeline)',
  review: 'review of a pull request',
  comment: 'comment on a pull request, issue or commit',
  issue: 'issue',
  ci_run: 'CI run',
  ci_job: 'CI job of a run',
  deployment: 'deployment',
  release: 'release',
};

export interface ModelledEvent {
  /** The event as the forge names it (header, or Azure DevOps' eventType). */
  event: string;
  becomes: readonly RecordKind[];
}

const e = (event: string, ...becomes: RecordKind[]): ModelledEvent => ({ event, becomes });

/**
 * The events each adapter turns into the record; every other event is stored and marked
 * ignored. The capabilities endpoint and the README's tables come from this list, and a test
 * checks it against the adapters (a listed event is normalized, an unlisted one is not).
 */
export const MODELLED_EVENTS: Record<Provider, readonly ModelledEvent[]> = {
  [Provider.GitHub]: [
    e('push', 'push'),
    e('pull_request', 'pull_request'),
    e('pull_request_review', 'review'),
    e('pull_request_review_comment', 'comment'),
    e('issue_comment', 'comment'),
    e('commit_comment', 'comment'),
    e('issues', 'issue'),
    e('workflow_run', 'ci_run'),
    e('check_suite', 'ci_run'),
    e('workflow_job', 'ci_job'),
    e('check_run', 'ci_job'),
    e('deployment', 'deployment'),
    e('deployment_status', 'deployment'),
    e('release', 'release'),
  ],
  [Provider.GitLab]: [
    e('Push Hook', 'push'),
    e('Tag Push Hook', 'push'),
    e('Merge Request Hook', 'pull_request', 'review'),
    e('Note Hook', 'comment'),
    e('Confidential Note Hook', 'comment'),
    e('Issue Hook', 'issue'),
    e('Confidential Issue Hook', 'issue'),
    e('Pipeline Hook', 'ci_run'),
    e('Job Hook', 'ci_job'),
    e('Deployment Hook', 'deployment'),
    e('Release Hook', 'release'),
  ],
  [Provider.Gitea]: [
    e('push', 'push'),
    e('pull_request', 'pull_request', 'review'),
    e('pull_request_approved', 'review'),
    e('pull_request_rejected', 'review'),
    e('pull_request_comment', 'review'),
    e('issues', 'issue'),
    e('issue_comment', 'comment'),
    e('release', 'release'),
    e('workflow_run', 'ci_run'),
    e('workflow_job', 'ci_job'),
  ],
  [Provider.Bitbucket]: [
    e('repo:push', 'push'),
    e('pullrequest:created', 'pull_request'),
    e('pullrequest:updated', 'pull_request'),
    e('pullrequest:fulfilled', 'pull_request'),
    e('pullrequest:rejected', 'pull_request'),
    e('pullrequest:approved', 'review'),
    e('pullrequest:unapproved', 'review'),
    e('pullrequest:changes_request_created', 'review'),
    e('pullrequest:changes_request_removed', 'review'),
    e('pullrequest:comment_created', 'comment'),
    e('pullrequest:comment_updated', 'comment'),
    e('pullrequest:comment_deleted', 'comment'),
    e('issue:comment_created', 'comment'),
    e('repo:commit_comment_created', 'comment'),
    e('issue:created', 'issue'),
    e('issue:updated', 'issue'),
    e('repo:commit_status_created', 'ci_run'),
    e('repo:commit_status_updated', 'ci_run'),
  ],
  [Provider.AzureDevOps]: [
    e('git.push', 'push'),
    e('git.pullrequest.created', 'pull_request', 'review'),
    e('git.pullrequest.updated', 'pull_request', 'review'),
    e('git.pullrequest.merged', 'pull_request', 'review'),
    e('build.complete', 'ci_run'),
    e('ms.vss-release.deployment-completed-event', 'deployment'),
    e('workitem.created', 'issue'),
    e('workitem.updated', 'issue'),
  ],
  [Provider.BitbucketServer]: [
    e('repo:refs_changed', 'push'),
    e('pr:opened', 'pull_request'),
    e('pr:from_ref_updated', 'pull_request'),
    e('pr:modified', 'pull_request'),
    e('pr:reviewer:updated', 'pull_request'),
    e('pr:merged', 'pull_request'),
    e('pr:declined', 'pull_request'),
    e('pr:reviewer:approved', 'review'),
    e('pr:reviewer:unapproved', 'review'),
    e('pr:reviewer:needs_work', 'review'),
    e('pr:comment:added', 'comment'),
    e('pr:comment:edited', 'comment'),
    e('pr:comment:deleted', 'comment'),
    e('repo:comment:added', 'comment'),
    e('repo:comment:edited', 'comment'),
    e('repo:comment:deleted', 'comment'),
  ],
};

/** Features built on outbound forge access, and what each needs a credential for. */
export const FORGE_FEATURES = {
  analysis: "fetch failed CI jobs' logs",
  feedback: 'post the sticky PR comment and commit status',
  reconciliation: "list the forge's deliveries and redeliver missed ones",
  indexing: 'git fetch into a mirror',
} as const;

export type ForgeFeature = keyof typeof FORGE_FEATURES;
