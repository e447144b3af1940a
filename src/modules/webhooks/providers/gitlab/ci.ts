import type {
  CiConclusion,
  CiJobEvent,
  CiRunEvent,
  CiStatus,
} from '../../../activity/domain-events';
import { earliestTimestamp, latestTimestamp } from '../forge-readers';
import { omitUndefined, type PayloadReader } from '../payload-reader';
import { repositoryOf, userActor } from './gitlab-readers';

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

export function pipelineEvent(root: PayloadReader): CiRunEvent {
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

export function jobEvent(root: PayloadReader): CiJobEvent {
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
      allowFailure: root.bool('build_allow_failure'),
      createdAt,
      startedAt,
      completedAt: progress.status === 'completed' ? finishedAt : undefined,
      updatedAt,
    }),
    occurredAt: updatedAt,
  };
}
