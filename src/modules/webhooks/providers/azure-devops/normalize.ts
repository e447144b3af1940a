import type { DomainEvent } from '../../../activity/domain-events';
import { envelopeOf } from './azure-readers';
import { buildEvents } from './builds';
import { deploymentEvents } from './deployments';
import { pullRequestEvents } from './pull-requests';
import { pushEvents } from './push';
import { workItemEvents } from './work-items';

/** Azure DevOps service hooks, by the body's `eventType`. */
export function normalizeAzureDevOps(event: string, payload: unknown): DomainEvent[] {
  switch (event) {
    case 'git.push':
      return pushEvents(envelopeOf(payload, event));
    case 'git.pullrequest.created':
    case 'git.pullrequest.updated':
    case 'git.pullrequest.merged':
      return pullRequestEvents(envelopeOf(payload, event), event);
    case 'build.complete':
      return buildEvents(envelopeOf(payload, event));
    case 'ms.vss-release.deployment-completed-event':
      return deploymentEvents(envelopeOf(payload, event));
    case 'workitem.created':
    case 'workitem.updated':
      return workItemEvents(envelopeOf(payload, event), event);
    default:
      // Comments, work item deletions, release approvals, TFVC check-ins and the like.
      return [];
  }
}
