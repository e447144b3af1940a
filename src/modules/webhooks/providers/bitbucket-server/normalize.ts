import type { DomainEvent } from '../../../activity/domain-events';
import { commentEvent } from './comments';
import { pullRequestEvent, reviewEvent } from './pull-requests';
import { pushEvents } from './push';
import { envelopeOf } from './server-readers';

/** Bitbucket Data Center / Server webhooks, by X-Event-Key. */
export function normalizeBitbucketServer(event: string, payload: unknown): DomainEvent[] {
  switch (event) {
    case 'repo:refs_changed':
      return pushEvents(envelopeOf(payload, event));
    case 'pr:opened':
    case 'pr:from_ref_updated':
    case 'pr:modified':
    case 'pr:reviewer:updated':
    case 'pr:merged':
    case 'pr:declined':
      return [pullRequestEvent(envelopeOf(payload, event), event)];
    case 'pr:reviewer:approved':
    case 'pr:reviewer:unapproved':
    case 'pr:reviewer:needs_work':
      return reviewEvent(envelopeOf(payload, event), event);
    case 'pr:comment:added':
    case 'pr:comment:edited':
    case 'pr:comment:deleted':
    case 'repo:comment:added':
    case 'repo:comment:edited':
    case 'repo:comment:deleted':
      return [commentEvent(envelopeOf(payload, event), event)];
    default:
      // diagnostics:ping, forks, repository changes, deleted pull requests, mirror syncs.
      return [];
  }
}
