import type {
  CiConclusion,
  CiJobEvent,
  CiRunEvent,
  CiStatus,
  DomainEvent,
} from '../../../activity/domain-events';
import { latestTimestamp } from '../forge-readers';
import { omitUndefined, type PayloadReader } from '../payload-reader';
import { actorAt, repositoryOf } from './gitea-readers';

/**
 * Gitea Actions `workflow_job` (Gitea 1.24+) and `workflow_run` (1.25+) webhooks. Their objects
 * are the API's ActionWorkflowRun / ActionWorkflowJob (modules/structs/repo_actions.go): GitHub's
 * vocabulary for status and conclusion, but a run may have no created_at/updated_at, and Go
 * writes an unset time as `0001-01-01T00:00:00Z`, which is read here as absent.
 */

const CONCLUSIONS: Readonly<Record<string, CiConclusion>> = {
  success: 'success',
  failure: 'failure',
  cancelled: 'cancelled',
  skipped: 'skipped',
};

function status(record: PayloadReader): CiStatus {
  const value = record.text('status');
  switch (value) {
    // Gitea says `waiting` for a job blocked by another (GitHub: `waiting` for approval).
    case 'queued':
    case 'waiting':
    case 'pending':
    case 'blocked':
      return 'queued';
    case 'in_progress':
    case 'running':
      return 'in_progress';
    case 'completed':
      return 'completed';
    case undefined:
    default:
      return record.fail(`is "${String(value)}", not a known CI status`, 'status');
  }
}

function conclusion(record: PayloadReader): CiConclusion | undefined {
  const value = record.text('conclusion');
  return value === undefined ? undefined : CONCLUSIONS[value];
}

/** A time Gitea really set (Go's zero time is "not yet"). */
function time(record: PayloadReader, key: string): string | undefined {
  const value = record.iso(key);
  return value === undefined || value.startsWith('0001-') ? undefined : value;
}

/** The pull request a run or job was for, when Gitea names it beside the object. */
function pullRequestNumbers(root: PayloadReader): number[] {
  const number = root.obj('pull_request')?.int('number');
  return number === undefined ? [] : [number];
}

export function workflowRunEvents(root: PayloadReader): DomainEvent[] {
  const run = root.requireObj('workflow_run');
  const runStatus = status(run);
  const startedAt = time(run, 'started_at');
  const completedAt = runStatus === 'completed' ? time(run, 'completed_at') : undefined;
  // created_at/updated_at came later (Gitea #35382); older versions have only the two above.
  const updatedAt = latestTimestamp(time(run, 'updated_at'), startedAt, completedAt);
  // A queued run carries no time at all: nothing to order it by, and nothing to analyse yet.
  if (updatedAt === undefined) return [];
  const event: CiRunEvent = {
    kind: 'ci_run',
    repository: repositoryOf(root),
    run: omitUndefined({
      externalId: run.requireId('id'),
      source: 'workflow_run',
      name: root.obj('workflow')?.text('name') ?? run.text('display_title'),
      status: runStatus,
      conclusion: conclusion(run),
      headSha: run.requireText('head_sha'),
      headBranch: run.text('head_branch'),
      trigger: run.text('event'),
      runNumber: run.int('run_number'),
      attempt: run.int('run_attempt'),
      url: run.text('html_url'),
      actor: actorAt(root, 'sender'),
      pullRequestNumbers: pullRequestNumbers(root),
      createdAt: time(run, 'created_at') ?? startedAt ?? updatedAt,
      startedAt,
      completedAt,
      updatedAt,
    }),
    occurredAt: updatedAt,
  };
  return [event];
}

export function workflowJobEvents(root: PayloadReader): DomainEvent[] {
  const job = root.requireObj('workflow_job');
  const jobStatus = status(job);
  const createdAt = time(job, 'created_at');
  const startedAt = time(job, 'started_at');
  const completedAt = jobStatus === 'completed' ? time(job, 'completed_at') : undefined;
  const updatedAt = latestTimestamp(createdAt, startedAt, completedAt);
  if (updatedAt === undefined) return [];
  const event: CiJobEvent = {
    kind: 'ci_job',
    repository: repositoryOf(root),
    job: omitUndefined({
      externalId: job.requireId('id'),
      runExternalId: job.id('run_id'),
      source: 'workflow_job',
      name: job.requireText('name'),
      status: jobStatus,
      conclusion: conclusion(job),
      headSha: job.requireText('head_sha'),
      headBranch: job.text('head_branch'),
      url: job.text('html_url'),
      runnerName: job.text('runner_name'),
      createdAt: createdAt ?? updatedAt,
      startedAt,
      completedAt,
      updatedAt,
    }),
    occurredAt: updatedAt,
  };
  return [event];
}
