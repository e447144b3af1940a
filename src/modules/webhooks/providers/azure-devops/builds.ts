import type { CiConclusion, CiRunEvent } from '../../../activity/domain-events';
import { omitUndefined, type PayloadReader } from '../payload-reader';
import { actorAt, branchName, webLink, type AzureEnvelope } from './azure-readers';

/** Build results (and, in resource version 1.0, final statuses) as CI conclusions. */
export const AZURE_RESULTS: Readonly<Record<string, CiConclusion>> = {
  succeeded: 'success',
  // Some steps failed but were allowed to: not a clean run.
  partiallySucceeded: 'failure',
  failed: 'failure',
  canceled: 'cancelled',
  stopped: 'cancelled',
  none: 'neutral',
};

const FULL_SHA = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/i;
// Resource version 1.0: `LG:<ref>:<sha>` for Git sources.
const LEGACY_GIT_VERSION = /^LG:(.+):([0-9a-f]{40})$/i;

/**
 * `build.complete`: a finished pipeline run. Only builds of an Azure Repos Git repository can be
 * placed in the record; a build of a GitHub or TFVC source, or an old payload that names no
 * repository, is not an event Hookyard models (ignored).
 */
export function buildEvents({ resource, raisedAt }: AzureEnvelope): CiRunEvent[] {
  const repository = resource.obj('repository');
  const type = repository?.text('type');
  if (!repository || (type !== undefined && type !== 'TfsGit')) return [];
  const legacy = LEGACY_GIT_VERSION.exec(resource.text('sourceGetVersion') ?? '');
  const headSha = resource.text('sourceVersion') ?? legacy?.[2];
  if (headSha === undefined || !FULL_SHA.test(headSha)) {
    return resource.fail('names no commit (sourceVersion)');
  }
  const project =
    resource.obj('project')?.text('name') ??
    resource.obj('definition')?.obj('project')?.text('name');
  const name = repository.requireText('name');
  const result = resource.text('result') ?? resource.requireText('status');
  const conclusion =
    AZURE_RESULTS[result] ?? resource.fail('is not a known build result', 'result');
  const finishedAt = resource.iso('finishTime');
  const startedAt = resource.iso('startTime');
  const createdAt = resource.iso('queueTime') ?? startedAt ?? finishedAt ?? raisedAt;
  const updatedAt = finishedAt ?? raisedAt;
  return [
    {
      kind: 'ci_run',
      repository: omitUndefined({
        externalId: repository.requireId('id'),
        fullName: project === undefined ? name : `${project}/${name}`,
        name,
      }),
      run: omitUndefined({
        externalId: resource.requireId('id'),
        source: 'pipeline',
        name: resource.obj('definition')?.text('name') ?? resource.text('buildNumber'),
        status: 'completed',
        conclusion,
        headSha,
        headBranch: branchName(resource.text('sourceBranch') ?? legacy?.[1]),
        trigger: resource.text('reason'),
        url: webLink(resource),
        actor: requester(resource),
        pullRequestNumbers: pullRequestNumbers(resource),
        createdAt,
        startedAt,
        completedAt: updatedAt,
        updatedAt,
      }),
      occurredAt: updatedAt,
    },
  ];
}

function requester(resource: PayloadReader) {
  return (
    actorAt(resource, 'requestedFor') ??
    actorAt(resource.objects('requests')[0], 'requestedFor') ??
    actorAt(resource, 'requestedBy')
  );
}

/** A pull request build names its pull request in `triggerInfo` (`pr.number`). */
function pullRequestNumbers(resource: PayloadReader): number[] {
  const raw = resource.obj('triggerInfo')?.text('pr.number');
  const number = raw === undefined ? NaN : Number(raw);
  return Number.isInteger(number) && number > 0 ? [number] : [];
}
