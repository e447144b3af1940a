import type {
  DeploymentEvent,
  DeploymentState,
  DomainEvent,
} from '../../../activity/domain-events';
import { omitUndefined, type PayloadReader } from '../payload-reader';
import { accountRef, repositoryRef } from './github-readers';

function deploymentState(status: PayloadReader): DeploymentState {
  const state = status.requireText('state');
  switch (state) {
    case 'pending':
    case 'queued':
    case 'in_progress':
    case 'success':
    case 'failure':
    case 'error':
    case 'inactive':
    case 'cancelled':
      return state;
    default:
      return status.fail(`is "${state}", not a known deployment state`, 'state');
  }
}

export function normalizeDeployment(payload: PayloadReader, isStatusEvent: boolean): DomainEvent[] {
  const repository = repositoryRef(payload);
  const deployment = payload.requireObj('deployment');
  const updatedAt = deployment.requireIso('updated_at');
  const status = isStatusEvent ? payload.requireObj('deployment_status') : undefined;
  const statusCreatedAt = status?.requireIso('created_at');
  const event: DeploymentEvent = omitUndefined({
    kind: 'deployment' as const,
    repository,
    deployment: omitUndefined({
      externalId: deployment.requireId('id'),
      environment: deployment.requireText('environment'),
      ref: deployment.text('ref'),
      sha: deployment.requireText('sha'),
      creator: accountRef(deployment.obj('creator')),
      production: deployment.bool('production_environment'),
      createdAt: deployment.requireIso('created_at'),
      updatedAt,
    }),
    status:
      status === undefined || statusCreatedAt === undefined
        ? undefined
        : omitUndefined({
            externalId: status.id('id'),
            state: deploymentState(status),
            description: status.text('description'),
            // log_url replaced target_url; older statuses only have the latter.
            url: status.text('log_url') ?? status.text('target_url'),
            createdAt: statusCreatedAt,
          }),
    occurredAt: status?.iso('updated_at') ?? statusCreatedAt ?? updatedAt,
  });
  return [event];
}
