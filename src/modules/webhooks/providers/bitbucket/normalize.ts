import type { DomainEvent } from '../../../activity/domain-events';
import { PayloadReader } from '../payload-reader';
import { commentEvent } from './comments';
import { commitStatusEvent } from './ci';
import { issueEvent } from './issues';
import { pullRequestEvent, reviewEvent } from './pull-requests';
import { pushEvents } from './push';

/** Bitbucket Cloud webhooks (X-Event-Key). */
export function normalizeBitbucket(event: string, payload: unknown): DomainEvent[] {
  const read = () => PayloadReader.root(payload, `Bitbucket ${event} payload`);
  switch (event) {
    case 'repo:push':
      return pushEvents(read());
    case 'pullrequest:created':
    case 'pullrequest:updated':
    case 'pullrequest:fulfilled':
    case 'pullrequest:rejected':
      return [pullRequestEvent(read(), event)];
    case 'pullrequest:approved':
    case 'pullrequest:unapproved':
    case 'pullrequest:changes_request_created':
    case 'pullrequest:changes_request_removed':
      return [reviewEvent(read(), event)];
    case 'pullrequest:comment_created':
    case 'pullrequest:comment_updated':
    case 'pullrequest:comment_deleted':
    case 'issue:comment_created':
    case 'repo:commit_comment_created':
      return [commentEvent(read(), event)];
    case 'issue:created':
    case 'issue:updated':
      return [issueEvent(read(), event)];
    case 'repo:commit_status_created':
    case 'repo:commit_status_updated':
      return [commitStatusEvent(read())];
    default:
      // Forks, repository updates, comment resolution and the like are not modelled.
      return [];
  }
}
