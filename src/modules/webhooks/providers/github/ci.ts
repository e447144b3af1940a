import type {
  CiConclusion,
  CiJobEvent,
  CiRunEvent,
  CiStatus,
  DomainEvent,
} from '../../../activity/domain-events';
import { omitUndefined, type PayloadReader } from '../payload-reader';
import { accountRef, repositoryRef } from './github-readers';

const CI_CONCLUSIONS: ReadonlySet<string> = new Set<CiConclusion>([
  'success',
  'failure',
  'cancelled',
  'skipped',
  'timed_out',
  'neutral',
  'action_required',
  'stale',
]);

function ciConclusion(record: PayloadReader): CiConclusion | undefined {
  const conclusion = record.text('conclusion');
  if (conclusion === undefined) return undefined;
  // A workflow file that cannot start is a failed run.
  if (conclusion === 'startup_failure') return 'failure';
  return CI_CONCLUSIONS.has(conclusion) ? (conclusion as CiConclusion) : undefined;
}

function ciStatus(record: PayloadReader): CiStatus {
  const status = record.text('status');
  switch (status) {
    case 'queued':
    case 'waiting':
    case 'requested':
    case 'pending':
      return 'queued';
    case 'in_progress':
      return 'in_progress';
    case 'completed':
      return 'completed';
    case undefined:
      // check_suite.status is nullable; a conclusion only exists once it has completed.
      return ciConclusion(record) === undefined ? 'queued' : 'completed';
    default:
      return record.fail(`is "${status}", not a known CI status`, 'status');
  }
}

function pullRequestNumbers(record: PayloadReader): number[] {
  return record
    .objects('pull_requests')
    .map((pullRequest) => pullRequest.int('number'))
    .filter((number): number is number => number !== undefined);
}

export function normalizeWorkflowRun(payload: PayloadReader): DomainEvent[] {
  const repository = repositoryRef(payload);
  const run = payload.requireObj('workflow_run');
  const status = ciStatus(run);
  const updatedAt = run.requireIso('updated_at');
  const event: CiRunEvent = {
    kind: 'ci_run',
    repository,
    run: omitUndefined({
      externalId: run.requireId('id'),
      source: 'workflow_run',
      name: run.text('name') ?? run.text('display_title'),
      status,
      conclusion: ciConclusion(run),
      headSha: run.requireText('head_sha'),
      headBranch: run.text('head_branch'),
      trigger: run.text('event'),
      runNumber: run.int('run_number'),
      attempt: run.int('run_attempt'),
      url: run.text('html_url'),
      actor: accountRef(run.obj('triggering_actor')) ?? accountRef(run.obj('actor')),
      pullRequestNumbers: pullRequestNumbers(run),
      createdAt: run.requireIso('created_at'),
      startedAt: run.iso('run_started_at'),
      // A run has no completed_at: its last update is the moment it completed.
      completedAt: status === 'completed' ? updatedAt : undefined,
      updatedAt,
    }),
    occurredAt: updatedAt,
  };
  return [event];
}

export function normalizeCheckSuite(payload: PayloadReader): DomainEvent[] {
  const repository = repositoryRef(payload);
  const suite = payload.requireObj('check_suite');
  const status = ciStatus(suite);
  const updatedAt = suite.requireIso('updated_at');
  const event: CiRunEvent = {
    kind: 'ci_run',
    repository,
    run: omitUndefined({
      externalId: suite.requireId('id'),
      source: 'check_suite',
      name: suite.obj('app')?.text('name'),
      status,
      conclusion: ciConclusion(suite),
      headSha: suite.requireText('head_sha'),
      headBranch: suite.text('head_branch'),
      pullRequestNumbers: pullRequestNumbers(suite),
      createdAt: suite.requireIso('created_at'),
      // Like a workflow run, a suite has no completed_at of its own.
      completedAt: status === 'completed' ? updatedAt : undefined,
      updatedAt,
    }),
    occurredAt: updatedAt,
  };
  return [event];
}

interface JobTimes {
  createdAt: string;
  startedAt?: string;
  completedAt?: string;
  updatedAt: string;
}

function jobTimes(job: PayloadReader): JobTimes {
  const startedAt = job.iso('started_at');
  const completedAt = job.iso('completed_at');
  // Check runs have no created_at, and some workflow_job payloads omit it: started_at is the
  // earliest time they give.
  const createdAt =
    job.iso('created_at') ?? startedAt ?? job.fail('has neither created_at nor started_at');
  return omitUndefined({
    createdAt,
    startedAt,
    completedAt,
    updatedAt: completedAt ?? startedAt ?? createdAt,
  });
}

export function normalizeWorkflowJob(payload: PayloadReader): DomainEvent[] {
  const repository = repositoryRef(payload);
  const job = payload.requireObj('workflow_job');
  const times = jobTimes(job);
  const event: CiJobEvent = {
    kind: 'ci_job',
    repository,
    job: omitUndefined({
      externalId: job.requireId('id'),
      runExternalId: job.id('run_id'),
      source: 'workflow_job',
      name: job.requireStr('name'),
      status: ciStatus(job),
      conclusion: ciConclusion(job),
      headSha: job.requireText('head_sha'),
      headBranch: job.text('head_branch'),
      url: job.text('html_url'),
      runnerName: job.text('runner_name'),
      ...times,
    }),
    occurredAt: times.updatedAt,
  };
  return [event];
}

export function normalizeCheckRun(payload: PayloadReader): DomainEvent[] {
  const repository = repositoryRef(payload);
  const checkRun = payload.requireObj('check_run');
  const suite = checkRun.obj('check_suite');
  const times = jobTimes(checkRun);
  const event: CiJobEvent = {
    kind: 'ci_job',
    repository,
    job: omitUndefined({
      externalId: checkRun.requireId('id'),
      runExternalId: suite?.id('id'),
      source: 'check_run',
      name: checkRun.requireStr('name'),
      status: ciStatus(checkRun),
      conclusion: ciConclusion(checkRun),
      headSha: checkRun.requireText('head_sha'),
      headBranch: suite?.text('head_branch'),
      url: checkRun.text('html_url'),
      ...times,
    }),
    occurredAt: times.updatedAt,
  };
  return [event];
}
