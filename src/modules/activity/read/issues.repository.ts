import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppError, ErrorCode } from '../../../core/http/app-error';
import { CommentsRepository } from './comments.repository';
import { keysetCursor, PositionedRow } from '../../../core/database/keyset-cursor';
import { IssueDetailView, IssuePageView, IssueView, ListIssuesQuery } from './issues.dto';
import { IdentityRefView } from './read.dto';
import { SqlQuery } from '../../../core/database/sql';
import { identityJson, isoOrNull } from './sql';

interface IssueRow {
  id: string;
  repository_id: string;
  repository_full_name: string;
  number: number;
  title: string;
  state: string;
  author: IdentityRefView | null;
  labels: string[];
  url: string | null;
  created_at: Date;
  updated_at: Date;
  closed_at: Date | null;
}

interface DetailRow extends IssueRow {
  body: string | null;
}

const COLUMNS = `i.id, i.repository_id, r.full_name AS repository_full_name, i.number, i.title,
  i.state, ${identityJson('ai')} AS author, i.labels, i.url, i.created_at, i.updated_at,
  i.closed_at`;

const FROM = `issues i
  JOIN repositories r ON r.id = i.repository_id
  LEFT JOIN identities ai ON ai.id = i.author_identity_id`;

const cursor = keysetCursor({
  name: 'issues',
  keys: [{ sql: 'i.updated_at', type: 'timestamptz' }],
  id: 'i.id',
  direction: 'desc',
});

function view(row: IssueRow): IssueView {
  return {
    id: row.id,
    repositoryId: row.repository_id,
    repositoryFullName: row.repository_full_name,
    number: row.number,
    title: row.title,
    state: row.state,
    author: row.author,
    labels: row.labels,
    url: row.url,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    closedAt: isoOrNull(row.closed_at),
  };
}

/** Reads of issues and their comments. */
@Injectable()
export class IssuesRepository {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly comments: CommentsRepository,
  ) {}

  async page(query: ListIssuesQuery, limit: number): Promise<IssuePageView> {
    const parts = new SqlQuery()
      .whereIf(query.repositoryId, 'i.repository_id = ?')
      .whereIf(query.state, 'i.state = ?')
      .whereIf(query.authorPersonId, 'ai.person_id = ?');
    if (query.cursor) parts.where(cursor.after(query.cursor, parts.param));
    const rows = await this.dataSource.query<(IssueRow & PositionedRow)[]>(
      `SELECT ${COLUMNS}, ${cursor.select} FROM ${FROM}
       WHERE ${parts.whereSql} ORDER BY ${cursor.orderBy} LIMIT ${parts.param(limit + 1)}`,
      parts.params,
    );
    const page = cursor.page(rows, limit);
    return { items: page.rows.map(view), nextCursor: page.nextCursor };
  }

  async detail(id: string): Promise<IssueDetailView> {
    const [row] = await this.dataSource.query<DetailRow[]>(
      `SELECT ${COLUMNS}, i.body FROM ${FROM} WHERE i.id = $1`,
      [id],
    );
    if (!row) throw new AppError(ErrorCode.NotFound, `Issue ${id} does not exist`);
    const comments = await this.comments.onTarget(row.repository_id, 'issue', row.number);
    return { ...view(row), body: row.body, comments };
  }
}
