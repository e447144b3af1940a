import type { DomainEvent, ReleaseEvent } from '../../../activity/domain-events';
import { omitUndefined, type PayloadReader } from '../payload-reader';
import { accountRef, repositoryRef } from './github-readers';

function releaseAction(action: string | undefined): ReleaseEvent['action'] {
  switch (action) {
    case 'published':
    case 'created':
    case 'edited':
    case 'deleted':
      return action;
    case undefined:
    default:
      return 'other';
  }
}

export function normalizeRelease(payload: PayloadReader): DomainEvent[] {
  const repository = repositoryRef(payload);
  const release = payload.requireObj('release');
  const createdAt = release.requireIso('created_at');
  const publishedAt = release.iso('published_at');
  const updatedAt = publishedAt ?? createdAt;
  const event: ReleaseEvent = {
    kind: 'release',
    repository,
    action: releaseAction(payload.text('action')),
    release: omitUndefined({
      externalId: release.requireId('id'),
      tagName: release.requireText('tag_name'),
      name: release.text('name'),
      body: release.str('body'),
      draft: release.bool('draft') ?? false,
      prerelease: release.bool('prerelease') ?? false,
      author: accountRef(release.obj('author')),
      url: release.text('html_url'),
      createdAt,
      publishedAt,
      updatedAt,
    }),
    occurredAt: updatedAt,
  };
  return [event];
}
