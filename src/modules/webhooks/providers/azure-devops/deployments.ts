import type { DeploymentEvent, DeploymentState } from '../../../activity/domain-events';
import { isPayloadRecord, omitUndefined, PayloadReader } from '../payload-reader';
import { actorAt, branchName, webLink, type AzureEnvelope } from './azure-readers';

/** Release environment and deployment statuses as deployment states. */
const DEPLOYMENT_STATES: Readonly<Record<string, DeploymentState>> = {
  succeeded: 'success',
  // Some tasks failed but were allowed to: the change did not fully reach the environment.
  partiallySucceeded: 'failure',
  failed: 'failure',
  rejected: 'failure',
  canceled: 'cancelled',
  notDeployed: 'cancelled',
  inProgress: 'in_progress',
  queued: 'queued',
  scheduled: 'queued',
  notStarted: 'pending',
  undefined: 'pending',
};

const FULL_SHA = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/i;

/**
 * `ms.vss-release.deployment-completed-event`: a release deployed to an environment (stage).
 * The commit comes from the release's primary artifact: a build of an Azure Repos Git repository
 * names the repository and the commit it built. A release of anything else cannot be placed in
 * the record (ignored).
 */
export function deploymentEvents({ resource, raisedAt }: AzureEnvelope): DeploymentEvent[] {
  const environment = resource.requireObj('environment');
  const deployment = resource.obj('deployment');
  const release = resource.obj('release') ?? deployment?.obj('release');
  const artifact = primaryGitArtifact(release);
  if (!artifact) return [];
  const source = artifact.requireObj('definitionReference');
  const repository = source.requireObj('repository');
  const sha = source.requireObj('sourceVersion').requireText('id');
  if (!FULL_SHA.test(sha)) return source.fail('is not a full commit id', 'sourceVersion.id');
  const project = source.obj('project')?.text('name') ?? resource.obj('project')?.text('name');
  const repositoryName = repository.requireText('name');
  const statusName = deployment?.text('deploymentStatus') ?? environment.requireText('status');
  const state =
    DEPLOYMENT_STATES[statusName] ?? environment.fail('is not a known deployment status', 'status');
  const completedAt =
    deployment?.iso('completedOn') ??
    deployment?.iso('lastModifiedOn') ??
    environment.iso('modifiedOn') ??
    raisedAt;
  const createdAt = deployment?.iso('queuedOn') ?? deployment?.iso('startedOn') ?? completedAt;
  const releaseId = release?.id('id') ?? environment.requireId('releaseId');
  // One deployment per attempt of a release on an environment; redeploying is a new attempt.
  const attempt = deployment?.id('id') ?? String(environment.int('attempt') ?? 1);
  const url = webLink(release) ?? release?.text('url');
  return [
    {
      kind: 'deployment',
      repository: omitUndefined({
        externalId: repository.requireId('id'),
        fullName: project === undefined ? repositoryName : `${project}/${repositoryName}`,
        name: repositoryName,
      }),
      deployment: omitUndefined({
        externalId: `${releaseId}:${environment.requireId('id')}:${attempt}`,
        environment: environment.requireText('name'),
        ref: branchName(source.obj('branch')?.text('id') ?? source.obj('branch')?.text('name')),
        sha,
        creator:
          actorAt(deployment, 'requestedFor') ??
          actorAt(deployment, 'requestedBy') ??
          actorAt(release, 'createdBy'),
        url,
        createdAt,
        updatedAt: completedAt,
      }),
      status: omitUndefined({
        externalId: deployment?.id('id'),
        state,
        description: `${statusName} (release ${release?.text('name') ?? releaseId})`,
        url,
        createdAt: completedAt,
      }),
      occurredAt: completedAt,
    },
  ];
}

/** The primary artifact (else the first) when it is a build from an Azure Repos Git repository. */
function primaryGitArtifact(release: PayloadReader | undefined): PayloadReader | undefined {
  const artifacts = release?.objects('artifacts') ?? [];
  const artifact = artifacts.find((a) => a.bool('isPrimary') === true) ?? artifacts[0];
  const source = artifact?.obj('definitionReference');
  if (!source?.has('repository') || !source.has('sourceVersion')) return undefined;
  const provider = source.obj('repository.provider')?.text('id');
  return provider === undefined || provider === 'TfsGit' ? artifact : undefined;
}

/** `project/repository` of a deployment's primary artifact, for the delivery list and filters. */
export function deployedRepositoryName(payload: unknown): string | undefined {
  if (!isPayloadRecord(payload)) return undefined;
  const resource = PayloadReader.root(payload, 'Azure DevOps payload').obj('resource');
  const release = resource?.obj('release') ?? resource?.obj('deployment')?.obj('release');
  const source = primaryGitArtifact(release)?.obj('definitionReference');
  const name = source?.obj('repository')?.text('name');
  if (name === undefined) return undefined;
  const project = source?.obj('project')?.text('name') ?? resource?.obj('project')?.text('name');
  return project === undefined ? name : `${project}/${name}`;
}
