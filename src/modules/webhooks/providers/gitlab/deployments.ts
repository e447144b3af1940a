import type { DeploymentEvent, DeploymentState } from '../../../activity/domain-events';
import { shaFromUrl } from '../forge-readers';
import { omitUndefined, type PayloadReader } from '../payload-reader';
import { repositoryOf, userActor } from './gitlab-readers';

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

export function deploymentEvent(root: PayloadReader): DeploymentEvent {
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
