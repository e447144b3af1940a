import type { IssueAction, IssueEvent } from '../../../activity/domain-events';
import { omitUndefined, type PayloadReader } from '../payload-reader';
import { labelsOf, repositoryOf, userActor } from './gitlab-readers';

const ISSUE_STATES: Readonly<Record<string, 'open' | 'closed'>> = {
  opened: 'open',
  closed: 'closed',
};

export function issueEvent(root: PayloadReader): IssueEvent {
  const attributes = root.requireObj('object_attributes');
  const user = root.obj('user');
  const actor = user ? userActor(user) : undefined;
  const gitlabAction = attributes.text('action');
  const updatedAt = attributes.requireIso('updated_at');
  const authorId = attributes.id('author_id');
  const state =
    ISSUE_STATES[attributes.requireText('state')] ??
    attributes.fail('is not a known state', 'state');
  return omitUndefined({
    kind: 'issue',
    repository: repositoryOf(root),
    action: issueAction(gitlabAction, root.obj('changes')),
    actor,
    issue: omitUndefined({
      externalId: attributes.requireId('id'),
      number: attributes.requireInt('iid'),
      title: attributes.requireStr('title'),
      body: attributes.text('description'),
      state,
      author:
        gitlabAction === 'open' && actor !== undefined
          ? actor
          : authorId === undefined
            ? undefined
            : { externalId: authorId },
      labels: labelsOf(root, attributes),
      url: attributes.text('url'),
      createdAt: attributes.requireIso('created_at'),
      updatedAt,
      closedAt:
        state === 'closed'
          ? (attributes.iso('closed_at') ?? (gitlabAction === 'close' ? updatedAt : undefined))
          : undefined,
    }),
    occurredAt: updatedAt,
  });
}

function issueAction(
  gitlabAction: string | undefined,
  changes: PayloadReader | undefined,
): IssueAction {
  switch (gitlabAction ?? '') {
    case 'open':
      return 'opened';
    case 'close':
      return 'closed';
    case 'reopen':
      return 'reopened';
    case 'update':
      return changes?.has('labels') ? 'labeled' : 'edited';
    default:
      return 'other';
  }
}
