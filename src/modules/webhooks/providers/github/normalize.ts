import type { DomainEvent } from '../../../activity/domain-events';
import { PayloadReader } from '../payload-reader';
import {
  normalizeCheckRun,
  normalizeCheckSuite,
  normalizeWorkflowJob,
  normalizeWorkflowRun,
} from './ci';
import { normalizeCommitComment, normalizeIssueComment, normalizeReviewComment } from './comments';
import { normalizeDeployment } from './deployments';
import { normalizeIssue } from './issues';
import { normalizePullRequest, normalizeReview } from './pull-requests';
import { normalizePush } from './push';
import { normalizeRelease } from './releases';

type GitHubNormalizer = (payload: PayloadReader) => DomainEvent[];

// create/delete with ref_type tag are left out on purpose: every tag push also arrives as `push`.
const NORMALIZERS: ReadonlyMap<string, GitHubNormalizer> = new Map<string, GitHubNormalizer>([
  ['push', normalizePush],
  ['pull_request', normalizePullRequest],
  ['pull_request_review', normalizeReview],
  ['pull_request_review_comment', normalizeReviewComment],
  ['issue_comment', normalizeIssueComment],
  ['commit_comment', normalizeCommitComment],
  ['issues', normalizeIssue],
  ['workflow_run', normalizeWorkflowRun],
  ['check_suite', normalizeCheckSuite],
  ['workflow_job', normalizeWorkflowJob],
  ['check_run', normalizeCheckRun],
  ['deployment', (payload) => normalizeDeployment(payload, false)],
  ['deployment_status', (payload) => normalizeDeployment(payload, true)],
  ['release', normalizeRelease],
]);

/**
 * Turns one GitHub webhook (event name from X-GitHub-Event, parsed JSON payload) into domain
 * events. Events Hookyard does not model give an empty list; a modelled event whose payload lacks
 * what it needs throws UnreadablePayloadError.
 */
export function normalizeGitHub(event: string, payload: unknown): DomainEvent[] {
  const normalizer = NORMALIZERS.get(event);
  if (normalizer === undefined) return [];
  return normalizer(PayloadReader.root(payload, `GitHub ${event} payload`));
}
