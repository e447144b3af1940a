import type { DomainEvent } from '../../../activity/domain-events';
import type { WebhookHeaders } from '../forge-readers';
import { PayloadReader } from '../payload-reader';
import { headerValue } from '../signatures';
import { workflowJobEvents, workflowRunEvents } from './ci';
import { commentEvents } from './comments';
import { issueEvents } from './issues';
import {
  REVIEW_EVENTS,
  REVIEW_EVENT_TYPES,
  pullRequestOrReviewEvent,
  reviewEvent,
} from './pull-requests';
import { pushEvent } from './push';
import { releaseEvent } from './releases';

const EVENT_TYPE_HEADERS = ['x-gitea-event-type', 'x-forgejo-event-type', 'x-gogs-event-type'];

/** Gitea, Forgejo and Gogs webhooks (X-Gitea-Event, X-Forgejo-Event, X-Gogs-Event). */
export function normalizeGitea(
  event: string,
  payload: unknown,
  headers: WebhookHeaders,
): DomainEvent[] {
  const read = () => PayloadReader.root(payload, `Gitea ${event} payload`);
  const eventType = headerValue(headers, ...EVENT_TYPE_HEADERS);
  const reviewState =
    REVIEW_EVENTS[event] ??
    REVIEW_EVENT_TYPES[event] ??
    (eventType === undefined ? undefined : REVIEW_EVENT_TYPES[eventType]);
  if (reviewState !== undefined) return [reviewEvent(read(), reviewState)];
  switch (event) {
    case 'push':
      return [pushEvent(read())];
    case 'pull_request':
      return [pullRequestOrReviewEvent(read())];
    case 'issues':
      return issueEvents(read());
    case 'issue_comment':
      return commentEvents(read());
    case 'release':
      return [releaseEvent(read())];
    case 'workflow_run':
      return workflowRunEvents(read());
    case 'workflow_job':
      return workflowJobEvents(read());
    default:
      // create, delete, fork, repository, wiki, package and status are not modelled; nor are
      // Forgejo's action_run_* events (a run, without the ids of its jobs).
      return [];
  }
}
