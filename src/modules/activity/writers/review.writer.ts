import { Injectable } from '@nestjs/common';
import { namedInsert } from '../../../core/database/sql';
import { IdentityResolver } from '../../users/identity-resolver';
import { ReviewEvent } from '../domain-events';
import { PullRequestWriter } from './pull-request.writer';
import { RecordContext } from './record-context';

const UPSERT = namedInsert(
  'reviews',
  [
    'pull_request_id',
    'external_id',
    'state',
    'body',
    'author_identity_id',
    'submitted_at',
    'commit_sha',
    'url',
  ],
  `ON CONFLICT ON CONSTRAINT reviews_pull_request_id_external_id_key DO UPDATE SET
     state = CASE WHEN reviews.state = 'dismissed' THEN 'dismissed' ELSE excluded.state END,
     body = coalesce(excluded.body, reviews.body),
     submitted_at = least(reviews.submitted_at, excluded.submitted_at),
     commit_sha = coalesce(reviews.commit_sha, excluded.commit_sha)`,
);

/** Reviews (table `reviews`), with the snapshot of the pull request they came with. */
@Injectable()
export class ReviewWriter {
  constructor(
    private readonly identities: IdentityResolver,
    private readonly pullRequests: PullRequestWriter,
  ) {}

  async write(ctx: RecordContext, repositoryId: string, event: ReviewEvent): Promise<void> {
    const pullRequestId = await this.pullRequests.upsert(ctx, repositoryId, event.pullRequest);
    const r = event.review;
    const author = await this.identities.resolve(ctx.identities, r.author);
    ctx.session.defer(
      'reviews',
      UPSERT.sql,
      UPSERT.paramsOf({
        pull_request_id: pullRequestId,
        external_id: r.externalId,
        state: r.state,
        body: r.body ?? null,
        author_identity_id: author?.identityId ?? null,
        submitted_at: r.submittedAt,
        commit_sha: r.commitSha ?? null,
        url: r.url ?? null,
      }),
    );
  }
}
