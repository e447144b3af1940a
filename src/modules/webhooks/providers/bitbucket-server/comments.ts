import type { CommentEvent } from '../../../activity/domain-events';
import { omitUndefined } from '../payload-reader';
import { pullRequestRepository } from './pull-requests';
import {
  millisIso,
  requireMillisIso,
  serverRepository,
  userAt,
  type ServerEnvelope,
} from './server-readers';

const COMMENT_ACTIONS: Readonly<Record<string, CommentEvent['action']>> = {
  'pr:comment:added': 'created',
  'pr:comment:edited': 'edited',
  'pr:comment:deleted': 'deleted',
  'repo:comment:added': 'created',
  'repo:comment:edited': 'edited',
  'repo:comment:deleted': 'deleted',
};

/** Comments on a pull request (`pr:comment:*`) or on a commit (`repo:comment:*`). */
export function commentEvent({ root, raisedAt }: ServerEnvelope, event: string): CommentEvent {
  const action = COMMENT_ACTIONS[event] ?? root.fail(`${event} is not a comment event`);
  const comment = root.requireObj('comment');
  const onPullRequest = event.startsWith('pr:');
  const createdAt = requireMillisIso(comment, 'createdDate');
  // A deletion is the newest state there is, whatever the comment's own times say.
  const updatedAt =
    action === 'deleted' ? raisedAt : (millisIso(comment, 'updatedDate') ?? createdAt);
  const anchor = comment.obj('anchor') ?? root.obj('commentAnchor');
  return {
    kind: 'comment',
    repository: onPullRequest
      ? pullRequestRepository(root)
      : serverRepository(root.requireObj('repository')),
    target: onPullRequest
      ? { type: 'pull_request', number: root.requireObj('pullRequest').requireInt('id') }
      : { type: 'commit', sha: root.requireText('commit') },
    comment: omitUndefined({
      externalId: comment.requireId('id'),
      body: comment.str('text') ?? '',
      author: userAt(comment, 'author'),
      createdAt,
      updatedAt,
      path: anchor?.text('path'),
      line: anchor?.int('line'),
    }),
    action,
    occurredAt: updatedAt,
  };
}
