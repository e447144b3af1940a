import { Injectable } from '@nestjs/common';
import { namedInsert } from '../../../core/database/sql';
import { IdentityResolver } from '../../users/identity-resolver';
import { IssueEvent } from '../domain-events';
import { closedAt, incomingIsNewer, ISSUE_STATES, takeIfNewer } from './newest-wins';
import { RecordContext } from './record-context';

const NEWER = incomingIsNewer('issues', ISSUE_STATES);

const UPSERT = namedInsert(
  'issues',
  [
    'repository_id',
    'external_id',
    'number',
    'title',
    'body',
    'state',
    'author_identity_id',
    'labels',
    'url',
    'created_at',
    'updated_at',
    'closed_at',
  ],
  `ON CONFLICT ON CONSTRAINT issues_repository_id_number_key DO UPDATE SET
     ${takeIfNewer('issues', NEWER, ['title', 'body', 'state', 'labels'])},
     ${closedAt('issues', NEWER)},
     author_identity_id = coalesce(issues.author_identity_id, excluded.author_identity_id),
     created_at = least(issues.created_at, excluded.created_at),
     updated_at = greatest(issues.updated_at, excluded.updated_at)`,
);

/** Issues (table `issues`, newest state wins). */
@Injectable()
export class IssueWriter {
  constructor(private readonly identities: IdentityResolver) {}

  async write(ctx: RecordContext, repositoryId: string, event: IssueEvent): Promise<void> {
    const issue = event.issue;
    const author = await this.identities.resolve(ctx.identities, issue.author);
    ctx.session.defer(
      'issues',
      UPSERT.sql,
      UPSERT.paramsOf({
        repository_id: repositoryId,
        external_id: issue.externalId,
        number: issue.number,
        title: issue.title,
        body: issue.body ?? null,
        state: issue.state,
        author_identity_id: author?.identityId ?? null,
        labels: issue.labels,
        url: issue.url ?? null,
        created_at: issue.createdAt,
        updated_at: issue.updatedAt,
        closed_at: issue.closedAt ?? null,
      }),
    );
  }
}
