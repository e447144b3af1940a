import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { CommentView } from './comments.dto';
import { IdentityRefView } from './read.dto';
import { identityJson } from './sql';

interface CommentRow {
  id: string;
  external_id: string;
  body: string;
  author: IdentityRefView | null;
  path: string | null;
  line: number | null;
  url: string | null;
  created_at: Date;
  updated_at: Date;
}

/** Reads of comments, which belong to a pull request or issue by its number. */
@Injectable()
export class CommentsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Comments on one pull request or issue, oldest first; deleted ones are left out. */
  async onTarget(
    repositoryId: string,
    targetType: 'pull_request' | 'issue',
    number: number,
  ): Promise<CommentView[]> {
    const rows = await this.dataSource.query<CommentRow[]>(
      `SELECT c.id, c.external_id, c.body, ${identityJson('ai')} AS author, c.path, c.line, c.url,
         c.created_at, c.updated_at
       FROM comments c LEFT JOIN identities ai ON ai.id = c.author_identity_id
       WHERE c.repository_id = $1 AND c.target_type = $2 AND c.target_number = $3 AND NOT c.deleted
       ORDER BY c.created_at, c.id`,
      [repositoryId, targetType, number],
    );
    return rows.map((row) => ({
      id: row.id,
      externalId: row.external_id,
      body: row.body,
      author: row.author,
      path: row.path,
      line: row.line,
      url: row.url,
      createdAt: row.created_at.toISOString(),
      updatedAt: row.updated_at.toISOString(),
    }));
  }
}
