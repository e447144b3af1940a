import type { CommentEvent, DomainEvent } from '../../../activity/domain-events';
import { omitUndefined, type PayloadReader } from '../payload-reader';
import { repositoryOf, userActor } from './gitlab-readers';

export function noteEvents(root: PayloadReader): DomainEvent[] {
  const attributes = root.requireObj('object_attributes');
  // System notes ("added 1 commit", "changed the title") are GitLab's activity log, not people.
  if (attributes.bool('system') === true) return [];
  const target = noteTarget(root, attributes);
  if (target === undefined) return [];
  const createdAt = attributes.requireIso('created_at');
  const updatedAt = attributes.iso('updated_at') ?? createdAt;
  const position = attributes.obj('position');
  const user = root.obj('user');
  const event: CommentEvent = {
    kind: 'comment',
    repository: repositoryOf(root),
    target,
    comment: omitUndefined({
      externalId: attributes.requireId('id'),
      body: attributes.requireStr('note'),
      author: user ? userActor(user) : undefined,
      createdAt,
      updatedAt,
      path: position?.text('new_path') ?? attributes.obj('st_diff')?.text('new_path'),
      line: position?.int('new_line') ?? position?.int('old_line'),
      url: attributes.text('url'),
    }),
    action: attributes.text('action') === 'update' ? 'edited' : 'created',
    occurredAt: updatedAt,
  };
  return [event];
}

function noteTarget(
  root: PayloadReader,
  attributes: PayloadReader,
): CommentEvent['target'] | undefined {
  const noteableType = attributes.requireText('noteable_type');
  switch (noteableType) {
    case 'MergeRequest':
      return { type: 'pull_request', number: root.requireObj('merge_request').requireInt('iid') };
    case 'Issue':
      return { type: 'issue', number: root.requireObj('issue').requireInt('iid') };
    case 'Commit': {
      const sha = root.obj('commit')?.text('id') ?? attributes.requireText('commit_id');
      return { type: 'commit', sha };
    }
    default:
      // Snippets, epics, designs and anything newer have no place in the record.
      return undefined;
  }
}
