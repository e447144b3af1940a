import { Injectable } from '@nestjs/common';
import { IdentityResolver } from '../../users/identity-resolver';
import { PushEvent } from '../domain-events';
import { RecordContext } from './record-context';

/**
 * All commits of a push in one statement, as a JSON array whose keys name the columns. A commit
 * seen in an earlier push stays as it was (constraint commits_repository_id_sha_key).
 */
const INSERT_COMMITS = `INSERT INTO commits (repository_id, sha, message, author_identity_id,
    committer_identity_id, committed_at, url, files_added, files_modified, files_removed, first_ref)
  SELECT $1, c.sha, c.message, c.author, c.committer, c.committed_at, c.url,
         c.added, c.modified, c.removed, $2
  FROM jsonb_to_recordset($3::jsonb) AS c(sha text, message text, author uuid, committer uuid,
       committed_at timestamptz, url text, added text[], modified text[], removed text[])
  ON CONFLICT ON CONSTRAINT commits_repository_id_sha_key DO NOTHING`;

/**
 * The push as a link of the branch's history (before → after, with the commits it brought), so
 * that metrics can tell which commits a deployed sha contains.
 */
const INSERT_PUSH = `INSERT INTO pushes (repository_id, ref, before_sha, after_sha, commit_shas,
    first_commit_at, forced, occurred_at)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING`;

/** One element of INSERT_COMMITS' array. */
interface CommitRecord {
  sha: string;
  message: string;
  author: string | null;
  committer: string | null;
  committed_at: string;
  url: string | null;
  added: string[];
  modified: string[];
  removed: string[];
}

/** Pushes: their commits (table `commits`) and the people who pushed and wrote them. */
@Injectable()
export class PushWriter {
  constructor(private readonly identities: IdentityResolver) {}

  async write(ctx: RecordContext, repositoryId: string, event: PushEvent): Promise<void> {
    // The pusher is a person of the record even when the push carries no commits.
    await this.identities.resolve(ctx.identities, event.pusher);
    this.recordPushLink(ctx, repositoryId, event);
    if (event.commits.length === 0) return;
    const commits: CommitRecord[] = [];
    for (const c of event.commits) {
      const author = await this.identities.resolve(ctx.identities, c.author);
      const committer = await this.identities.resolve(ctx.identities, c.committer);
      commits.push({
        sha: c.sha,
        message: c.message,
        author: author?.identityId ?? null,
        committer: committer?.identityId ?? null,
        committed_at: c.timestamp,
        url: c.url ?? null,
        added: c.added,
        modified: c.modified,
        removed: c.removed,
      });
    }
    ctx.session.defer(
      'commits',
      INSERT_COMMITS,
      [repositoryId, event.ref, JSON.stringify(commits)],
      { insertOrIgnore: true },
    );
  }

  private recordPushLink(ctx: RecordContext, repositoryId: string, event: PushEvent): void {
    if (event.deleted || !event.before || !event.after) return;
    let firstCommitAt: string | null = null;
    for (const commit of event.commits) {
      if (firstCommitAt === null || Date.parse(commit.timestamp) < Date.parse(firstCommitAt)) {
        firstCommitAt = commit.timestamp;
      }
    }
    ctx.session.defer(
      'pushes',
      INSERT_PUSH,
      [
        repositoryId,
        event.ref,
        event.before,
        event.after,
        event.commits.map((c) => c.sha),
        firstCommitAt,
        event.forced ?? false,
        event.occurredAt,
      ],
      { insertOrIgnore: true },
    );
  }
}
