import type { CommentEvent, DomainEvent } from '../../../activity/domain-events';
import { omitUndefined, type PayloadReader } from '../payload-reader';
import { actorAt, repositoryOf } from './gitea-readers';

const COMMENT_ACTIONS: Readonly<Record<string, CommentEvent['action']>> = {
  created: 'created',
  edited: 'edited',
  deleted: 'deleted',
};

export function commentEvents(root: PayloadReader): DomainEvent[] {
  const giteaAction = root.text('action');
  const action = giteaAction === undefined ? undefined : COMMENT_ACTIONS[giteaAction];
  if (action === undefined) return [];
  const issue = root.requireObj('issue');
  const comment = root.requireObj('comment');
  const isPull = root.bool('is_pull') ?? issue.has('pull_request');
  const createdAt = comment.requireIso('created_at');
  const updatedAt = comment.iso('updated_at') ?? createdAt;
  const event: CommentEvent = {
    kind: 'comment',
    repository: repositoryOf(root),
    target: { type: isPull ? 'pull_request' : 'issue', number: issue.requireInt('number') },
    comment: omitUndefined({
      externalId: comment.requireId('id'),
      body: comment.requireStr('body'),
      author: actorAt(comment, 'user'),
      createdAt,
      updatedAt,
      url: comment.text('html_url'),
    }),
    action,
    occurredAt: updatedAt,
  };
  return [event];
}
