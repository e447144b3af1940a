import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { CommitPageView, CommitView, ListCommitsQuery } from './commits.dto';
import { keysetCursor, PositionedRow } from '../../../core/database/keyset-cursor';
import { IdentityRefView } from './read.dto';
import { SqlQuery } from '../../../core/database/sql';
import { identityJson, utcTime } from './sql';

interface CommitRow {
  id: string;
  repository_id: string;
  repository_full_name: string;
  sha: string;
  message: string;
  author: IdentityRefView | null;
  committer: IdentityRefView | null;
  committed_at: Date;
  url: string | null;
  files_added: string[];
  files_modified: string[];
  files_removed: string[];
  first_ref: string | null;
  first_seen_at: Date;
}

const cursor = keysetCursor({
  name: 'commits',
  keys: [{ sql: 'c.committed_at', type: 'timestamptz' }],
  id: 'c.id',
  direction: 'desc',
});

function view(row: CommitRow): CommitView {
  return {
    id: row.id,
    repositoryId: row.repository_id,
    repositoryFullName: row.repository_full_name,
    sha: row.sha,
    message: row.message,
    author: row.author,
    committer: row.committer,
    committedAt: row.committed_at.toISOString(),
    url: row.url,
    filesAdded: row.files_added,
    filesModified: row.files_modified,
    filesRemoved: row.files_removed,
    firstRef: row.first_ref,
    firstSeenAt: row.first_seen_at.toISOString(),
  };
}

/** Reads of commits. */
@Injectable()
export class CommitsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async page(query: ListCommitsQuery, limit: number): Promise<CommitPageView> {
    const parts = new SqlQuery()
      .whereIf(query.repositoryId, 'c.repository_id = ?')
      .whereIf(query.authorPersonId, 'ai.person_id = ?')
      // Hex digits only (validated), so the prefix holds no LIKE wildcard.
      .whereIf(query.sha === undefined ? undefined : `${query.sha.toLowerCase()}%`, 'c.sha LIKE ?')
      .whereIf(utcTime(query.committedFrom), 'c.committed_at >= ?::timestamptz')
      .whereIf(utcTime(query.committedTo), 'c.committed_at < ?::timestamptz');
    if (query.cursor) parts.where(cursor.after(query.cursor, parts.param));
    const rows = await this.dataSource.query<(CommitRow & PositionedRow)[]>(
      `SELECT c.id, c.repository_id, r.full_name AS repository_full_name, c.sha, c.message,
         ${identityJson('ai')} AS author, ${identityJson('ci')} AS committer, c.committed_at,
         c.url, c.files_added, c.files_modified, c.files_removed, c.first_ref, c.first_seen_at,
         ${cursor.select}
       FROM commits c
       JOIN repositories r ON r.id = c.repository_id
       LEFT JOIN identities ai ON ai.id = c.author_identity_id
       LEFT JOIN identities ci ON ci.id = c.committer_identity_id
       WHERE ${parts.whereSql} ORDER BY ${cursor.orderBy} LIMIT ${parts.param(limit + 1)}`,
      parts.params,
    );
    const page = cursor.page(rows, limit);
    return { items: page.rows.map(view), nextCursor: page.nextCursor };
  }
}
