import { Injectable } from '@nestjs/common';
import { namedInsert } from '../../../core/database/sql';
import { IdentityResolver } from '../../users/identity-resolver';
import { PullRequestData, PullRequestEvent } from '../domain-events';
import { closedAt, incomingIsNewer, PULL_REQUEST_STATES, takeIfNewer } from './newest-wins';
import { RecordContext } from './record-context';

const NEWER = incomingIsNewer('pull_requests', PULL_REQUEST_STATES);

const UPSERT = namedInsert(
  'pull_requests',
  [
    'repository_id',
    'external_id',
    'number',
    'title',
    'body',
    'state',
    'draft',
    'author_identity_id',
    'head_ref',
    'base_ref',
    'head_sha',
    'url',
    'labels',
    'additions',
    'deletions',
    'changed_files',
    'commits_count',
    'created_at',
    'updated_at',
    'closed_at',
    'merged_at',
    'merged_by_identity_id',
    'merge_commit_sha',
  ],
  `ON CONFLICT ON CONSTRAINT pull_requests_repository_id_number_key DO UPDATE SET
     ${takeIfNewer('pull_requests', NEWER, ['title', 'body', 'draft', 'head_ref', 'base_ref', 'labels'])},
     ${closedAt('pull_requests', NEWER)},
     head_sha = CASE WHEN ${NEWER} THEN coalesce(excluded.head_sha, pull_requests.head_sha) ELSE pull_requests.head_sha END,
     additions = coalesce(CASE WHEN ${NEWER} THEN excluded.additions END, pull_requests.additions),
     deletions = coalesce(CASE WHEN ${NEWER} THEN excluded.deletions END, pull_requests.deletions),
     changed_files = coalesce(CASE WHEN ${NEWER} THEN excluded.changed_files END, pull_requests.changed_files),
     commits_count = coalesce(CASE WHEN ${NEWER} THEN excluded.commits_count END, pull_requests.commits_count),
     -- A merge is final: nothing older or newer reopens a merged pull request.
     state = CASE WHEN pull_requests.state = 'merged' THEN 'merged'
                  WHEN ${NEWER} THEN excluded.state ELSE pull_requests.state END,
     merged_at = coalesce(pull_requests.merged_at, excluded.merged_at),
     merged_by_identity_id = coalesce(pull_requests.merged_by_identity_id, excluded.merged_by_identity_id),
     merge_commit_sha = coalesce(pull_requests.merge_commit_sha, excluded.merge_commit_sha),
     author_identity_id = coalesce(pull_requests.author_identity_id, excluded.author_identity_id),
     created_at = least(pull_requests.created_at, excluded.created_at),
     updated_at = greatest(pull_requests.updated_at, excluded.updated_at)
   RETURNING id`,
);

const INSERT_EVENT = namedInsert(
  'pull_request_events',
  ['pull_request_id', 'delivery_id', 'action', 'actor_identity_id', 'occurred_at'],
  'ON CONFLICT ON CONSTRAINT pull_request_events_pull_request_id_delivery_id_action_key DO NOTHING',
);

/** Pull requests (table `pull_requests`, newest state wins) and what happened to them. */
@Injectable()
export class PullRequestWriter {
  constructor(private readonly identities: IdentityResolver) {}

  async write(ctx: RecordContext, repositoryId: string, event: PullRequestEvent): Promise<void> {
    const pullRequestId = await this.upsert(ctx, repositoryId, event.pullRequest);
    const actor = await this.identities.resolve(ctx.identities, event.actor);
    ctx.session.defer(
      'pull_request_events',
      INSERT_EVENT.sql,
      INSERT_EVENT.paramsOf({
        pull_request_id: pullRequestId,
        delivery_id: ctx.deliveryId,
        action: event.action,
        actor_identity_id: actor?.identityId ?? null,
        occurred_at: event.occurredAt,
      }),
      { insertOrIgnore: true },
    );
  }

  /** Writes the pull request's snapshot; answers its id (reviews need it). */
  async upsert(ctx: RecordContext, repositoryId: string, pr: PullRequestData): Promise<string> {
    const author = await this.identities.resolve(ctx.identities, pr.author);
    const mergedBy = await this.identities.resolve(ctx.identities, pr.mergedBy);
    const [row] = await ctx.session.query<{ id: string }>(
      UPSERT.sql,
      UPSERT.paramsOf({
        repository_id: repositoryId,
        external_id: pr.externalId,
        number: pr.number,
        title: pr.title,
        body: pr.body ?? null,
        state: pr.state,
        draft: pr.draft,
        author_identity_id: author?.identityId ?? null,
        head_ref: pr.headRef,
        base_ref: pr.baseRef,
        head_sha: pr.headSha ?? null,
        url: pr.url ?? null,
        labels: pr.labels,
        additions: pr.additions ?? null,
        deletions: pr.deletions ?? null,
        changed_files: pr.changedFiles ?? null,
        commits_count: pr.commitsCount ?? null,
        created_at: pr.createdAt,
        updated_at: pr.updatedAt,
        closed_at: pr.closedAt ?? null,
        merged_at: pr.mergedAt ?? null,
        merged_by_identity_id: mergedBy?.identityId ?? null,
        merge_commit_sha: pr.mergeCommitSha ?? null,
      }),
    );
    return row.id;
  }
}
