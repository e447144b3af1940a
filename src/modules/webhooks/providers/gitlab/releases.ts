import type { ReleaseEvent } from '../../../activity/domain-events';
import { omitUndefined, type PayloadReader } from '../payload-reader';
import { repositoryOf } from './gitlab-readers';

const RELEASE_ACTIONS: Readonly<Record<string, ReleaseEvent['action']>> = {
  create: 'created',
  update: 'edited',
  delete: 'deleted',
};

export function releaseEvent(root: PayloadReader): ReleaseEvent {
  const createdAt = root.requireIso('created_at');
  const gitlabAction = root.text('action');
  return {
    kind: 'release',
    repository: repositoryOf(root),
    action: (gitlabAction === undefined ? undefined : RELEASE_ACTIONS[gitlabAction]) ?? 'other',
    release: omitUndefined({
      externalId: root.requireId('id'),
      tagName: root.requireText('tag'),
      name: root.text('name'),
      body: root.text('description'),
      // GitLab releases are never drafts, and it has no prerelease flag.
      draft: false,
      prerelease: false,
      url: root.text('url'),
      createdAt,
      publishedAt: root.iso('released_at'),
      // No update time is sent; released_at may lie in the future (upcoming releases).
      updatedAt: createdAt,
    }),
    occurredAt: createdAt,
  };
}
