import { Injectable } from '@nestjs/common';
import { namedInsert } from '../../../core/database/sql';
import { IdentityResolver } from '../../users/identity-resolver';
import { ReleaseEvent } from '../domain-events';
import { incomingIsAsNew, takeIfNewer } from './newest-wins';
import { RecordContext } from './record-context';

const UPSERT = namedInsert(
  'releases',
  [
    'repository_id',
    'external_id',
    'tag_name',
    'name',
    'body',
    'draft',
    'prerelease',
    'author_identity_id',
    'url',
    'deleted',
    'created_at',
    'published_at',
    'updated_at',
  ],
  `ON CONFLICT ON CONSTRAINT releases_repository_id_external_id_key DO UPDATE SET
     ${takeIfNewer('releases', incomingIsAsNew('releases'), ['tag_name', 'name', 'body', 'draft', 'prerelease', 'url'])},
     published_at = coalesce(releases.published_at, excluded.published_at),
     deleted = releases.deleted OR excluded.deleted,
     updated_at = greatest(releases.updated_at, excluded.updated_at)`,
);

/** Releases (table `releases`). */
@Injectable()
export class ReleaseWriter {
  constructor(private readonly identities: IdentityResolver) {}

  async write(ctx: RecordContext, repositoryId: string, event: ReleaseEvent): Promise<void> {
    const r = event.release;
    const author = await this.identities.resolve(ctx.identities, r.author);
    ctx.session.defer(
      'releases',
      UPSERT.sql,
      UPSERT.paramsOf({
        repository_id: repositoryId,
        external_id: r.externalId,
        tag_name: r.tagName,
        name: r.name ?? null,
        body: r.body ?? null,
        draft: r.draft,
        prerelease: r.prerelease,
        author_identity_id: author?.identityId ?? null,
        url: r.url ?? null,
        deleted: event.action === 'deleted',
        created_at: r.createdAt,
        published_at: r.publishedAt ?? null,
        updated_at: r.updatedAt,
      }),
    );
  }
}
