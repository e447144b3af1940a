import type { ReleaseEvent } from '../../../activity/domain-events';
import { latestTimestamp } from '../forge-readers';
import { omitUndefined, type PayloadReader } from '../payload-reader';
import { actorAt, repositoryOf } from './gitea-readers';

const RELEASE_ACTIONS: Readonly<Record<string, ReleaseEvent['action']>> = {
  published: 'published',
  updated: 'edited',
  deleted: 'deleted',
};

export function releaseEvent(root: PayloadReader): ReleaseEvent {
  const release = root.requireObj('release');
  const createdAt = release.requireIso('created_at');
  const publishedAt = release.iso('published_at');
  // Releases have no updated_at; publishing a draft is the only later time Gitea sends.
  const updatedAt = latestTimestamp(createdAt, publishedAt) ?? createdAt;
  const giteaAction = root.text('action');
  return {
    kind: 'release',
    repository: repositoryOf(root),
    action: (giteaAction === undefined ? undefined : RELEASE_ACTIONS[giteaAction]) ?? 'other',
    release: omitUndefined({
      externalId: release.requireId('id'),
      tagName: release.requireText('tag_name'),
      name: release.text('name'),
      body: release.text('body'),
      draft: release.bool('draft') ?? false,
      prerelease: release.bool('prerelease') ?? false,
      author: actorAt(release, 'author'),
      url: release.text('html_url'),
      createdAt,
      publishedAt,
      updatedAt,
    }),
    occurredAt: updatedAt,
  };
}
