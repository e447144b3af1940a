import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { keysetCursor, PositionedRow } from '../../../core/database/keyset-cursor';
import { IdentityRefView } from './read.dto';
import { ListReleasesQuery, ReleasePageView, ReleaseView } from './releases.dto';
import { SqlQuery } from '../../../core/database/sql';
import { identityJson, isoOrNull } from './sql';

interface ReleaseRow {
  id: string;
  repository_id: string;
  repository_full_name: string;
  external_id: string;
  tag_name: string;
  name: string | null;
  body: string | null;
  draft: boolean;
  prerelease: boolean;
  author: IdentityRefView | null;
  url: string | null;
  created_at: Date;
  published_at: Date | null;
  updated_at: Date;
}

const cursor = keysetCursor({
  name: 'releases',
  keys: [{ sql: 'coalesce(rl.published_at, rl.created_at)', type: 'timestamptz' }],
  id: 'rl.id',
  direction: 'desc',
});

function view(row: ReleaseRow): ReleaseView {
  return {
    id: row.id,
    repositoryId: row.repository_id,
    repositoryFullName: row.repository_full_name,
    externalId: row.external_id,
    tagName: row.tag_name,
    name: row.name,
    body: row.body,
    draft: row.draft,
    prerelease: row.prerelease,
    author: row.author,
    url: row.url,
    createdAt: row.created_at.toISOString(),
    publishedAt: isoOrNull(row.published_at),
    updatedAt: row.updated_at.toISOString(),
  };
}

/** Reads of releases; ones deleted on the forge are kept in the table but not listed. */
@Injectable()
export class ReleasesRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async page(query: ListReleasesQuery, limit: number): Promise<ReleasePageView> {
    const parts = new SqlQuery()
      .where('NOT rl.deleted')
      .whereIf(query.repositoryId, 'rl.repository_id = ?');
    if (query.cursor) parts.where(cursor.after(query.cursor, parts.param));
    const rows = await this.dataSource.query<(ReleaseRow & PositionedRow)[]>(
      `SELECT rl.id, rl.repository_id, r.full_name AS repository_full_name, rl.external_id,
         rl.tag_name, rl.name, rl.body, rl.draft, rl.prerelease, ${identityJson('ai')} AS author,
         rl.url, rl.created_at, rl.published_at, rl.updated_at, ${cursor.select}
       FROM releases rl
       JOIN repositories r ON r.id = rl.repository_id
       LEFT JOIN identities ai ON ai.id = rl.author_identity_id
       WHERE ${parts.whereSql} ORDER BY ${cursor.orderBy} LIMIT ${parts.param(limit + 1)}`,
      parts.params,
    );
    const page = cursor.page(rows, limit);
    return { items: page.rows.map(view), nextCursor: page.nextCursor };
  }
}
