import type { CommentEvent, DomainEvent } from '../../../activity/domain-events';
import { omitUndefined, type PayloadReader } from '../payload-reader';
import { accountRef, repositoryRef } from './github-readers';

type CommentAction = CommentEvent['action'];

type CommentTarget = CommentEvent['target'];

function commentAction(action: string | undefined): CommentAction | undefined {
  switch (action) {
    case 'created':
    case 'edited':
    case 'deleted':
      return action;
    case undefined:
    default:
      return undefined;
  }
}

interface CommentShape {
  target: CommentTarget;
  /** Diff comments have a file path and line. */
  withPosition: boolean;
  actionWhenAbsent?: CommentAction;
}

function commentEvent(payload: PayloadReader, shape: CommentShape): DomainEvent[] {
  const repository = repositoryRef(payload);
  const comment = payload.requireObj('comment');
  const action = commentAction(payload.text('action') ?? shape.actionWhenAbsent);
  if (action === undefined) return [];
  const { target, withPosition } = shape;
  const createdAt = comment.requireIso('created_at');
  const updatedAt = comment.iso('updated_at') ?? createdAt;
  const event: CommentEvent = {
    kind: 'comment',
    repository,
    target,
    comment: omitUndefined({
      externalId: comment.requireId('id'),
      body: comment.requireStr('body'),
      author: accountRef(comment.obj('user')),
      createdAt,
      updatedAt,
      path: withPosition ? comment.text('path') : undefined,
      line: withPosition ? comment.int('line') : undefined,
      url: comment.text('html_url'),
    }),
    action,
    occurredAt: updatedAt,
  };
  return [event];
}

export function normalizeReviewComment(payload: PayloadReader): DomainEvent[] {
  const pullRequest = payload.requireObj('pull_request');
  return commentEvent(payload, {
    target: { type: 'pull_request', number: pullRequest.requireInt('number') },
    withPosition: true,
  });
}

export function normalizeIssueComment(payload: PayloadReader): DomainEvent[] {
  const issue = payload.requireObj('issue');
  // Pull requests are issues to GitHub; `issue.pull_request` marks a comment on one.
  const type = issue.has('pull_request') ? 'pull_request' : 'issue';
  return commentEvent(payload, {
    target: { type, number: issue.requireInt('number') },
    withPosition: false,
  });
}

export function normalizeCommitComment(payload: PayloadReader): DomainEvent[] {
  const comment = payload.requireObj('comment');
  return commentEvent(payload, {
    target: { type: 'commit', sha: comment.requireText('commit_id') },
    withPosition: true,
    // Commit comments can only be created; early payloads carry no action at all.
    actionWhenAbsent: 'created',
  });
}
