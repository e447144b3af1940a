import type { DomainEvent } from '../../../activity/domain-events';
import type { WebhookHeaders } from '../forge-readers';
import { PayloadReader } from '../payload-reader';
import { jobEvent, pipelineEvent } from './ci';
import { deploymentEvent } from './deployments';
import { issueEvent } from './issues';
import { mergeRequestEvents } from './pull-requests';
import { noteEvents } from './comments';
import { pushEvent } from './push';
import { releaseEvent } from './releases';

/**
 * GitLab webhooks (X-Gitlab-Event) as domain events. `headers` is optional: only the Standard
 * Webhooks `webhook-timestamp` (GitLab >= 19) is read, as the time of pushes without commits.
 */
export function normalizeGitLab(
  event: string,
  payload: unknown,
  headers: WebhookHeaders = {},
): DomainEvent[] {
  const read = () => PayloadReader.root(payload, `GitLab ${event} payload`);
  switch (event) {
    case 'Push Hook':
    case 'Tag Push Hook':
      return [pushEvent(read(), event, headers)];
    case 'Merge Request Hook':
      return mergeRequestEvents(read());
    case 'Note Hook':
    case 'Confidential Note Hook':
      return noteEvents(read());
    case 'Issue Hook':
    case 'Confidential Issue Hook':
      return [issueEvent(read())];
    case 'Pipeline Hook':
      return [pipelineEvent(read())];
    case 'Job Hook':
      return [jobEvent(read())];
    case 'Deployment Hook':
      return [deploymentEvent(read())];
    case 'Release Hook':
      return [releaseEvent(read())];
    default:
      // System, wiki, emoji, member, feature flag, project and token hooks are not modelled.
      return [];
  }
}
