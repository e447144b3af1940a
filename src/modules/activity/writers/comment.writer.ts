import { Injectable } from '@nestjs/common';
import { namedInsert } from '../../../core/database/sql';
import { IdentityResolver } from '../../users/identity-resolver';
import { CommentEvent } from '../domain-events';
import { incomingIsAsNew } from './newest-wins';
import { RecordContext } from './record-context';

const UPSERT = namedInsert(
  'comments',
  [
    'repository_id',
    'external_id',
    'target_type',
    'target_number',
    'target_sha',
    'body',
    'author_identity_id',
    'path',
    'line',
    'url',
    'deleted',
    'created_at',
    'updated_at',
  ],
  `ON CONFLICT ON CONSTRAINT comments_repository_id_external_id_key DO UPDATE SET
     body = CASE WHEN ${incomingIsAsNew('comments')} THEN excluded.body ELSE comments.body END,
     deleted = comments.deleted OR excluded.deleted,
     updated_at = greatest(comments.updated_at, excluded.updated_at)`,
);

/** Comments on pull requests, issues and commits (table `comments`). */
@Injectable()
export class CommentWriter {
  constructor(private readonly identities: IdentityResolver) {}

  async write(ctx: RecordContext, repositoryId: string, event: CommentEvent): Promise<void> {
    const c = event.comment;
    const author = await this.identities.resolve(ctx.identities, c.author);
    ctx.session.defer(
      'comments',
      UPSERT.sql,
      UPSERT.paramsOf({
        repository_id: repositoryId,
        external_id: c.externalId,
        target_type: event.target.type,
        target_number: event.target.number ?? null,
        target_sha: event.target.sha ?? null,
        body: c.body,
        author_identity_id: author?.identityId ?? null,
        path: c.path ?? null,
        line: c.line ?? null,
        url: c.url ?? null,
        deleted: event.action === 'deleted',
        created_at: c.createdAt,
        updated_at: c.updatedAt,
      }),
    );
  }
}
