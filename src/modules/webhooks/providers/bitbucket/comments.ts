import type { CommentEvent } from '../../../activity/domain-events';
import { omitUndefined, type PayloadReader } from '../payload-reader';
import { actorAt, htmlUrl, repositoryOf } from './bitbucket-readers';

const COMMENT_ACTIONS: Readonly<Record<string, CommentEvent['action']>> = {
  'pullrequest:comment_created': 'created',
  'pullrequest:comment_updated': 'edited',
  'pullrequest:comment_deleted': 'deleted',
  'issue:comment_created': 'created',
  'repo:commit_comment_created': 'created',
};

export function commentEvent(root: PayloadReader, event: string): CommentEvent {
  const comment = root.requireObj('comment');
  const action = COMMENT_ACTIONS[event] ?? root.fail(`${event} is not a comment event`);
  const createdAt = comment.requireIso('created_on');
  const updatedAt = comment.iso('updated_on') ?? createdAt;
  const inline = comment.obj('inline');
  return {
    kind: 'comment',
    repository: repositoryOf(root),
    target: commentTarget(root, event),
    comment: omitUndefined({
      externalId: comment.requireId('id'),
      body: comment.obj('content')?.str('raw') ?? '',
      // Older payloads omit comment.user; on creation the actor is the author.
      author:
        actorAt(comment, 'user') ?? (action === 'created' ? actorAt(root, 'actor') : undefined),
      createdAt,
      updatedAt,
      path: inline?.text('path'),
      line: inline?.int('to') ?? inline?.int('from'),
      url: htmlUrl(comment),
    }),
    action,
    occurredAt: updatedAt,
  };
}

function commentTarget(root: PayloadReader, event: string): CommentEvent['target'] {
  if (event.startsWith('pullrequest:')) {
    return { type: 'pull_request', number: root.requireObj('pullrequest').requireInt('id') };
  }
  if (event.startsWith('issue:')) {
    return { type: 'issue', number: root.requireObj('issue').requireInt('id') };
  }
  return { type: 'commit', sha: root.requireObj('commit').requireText('hash') };
}
