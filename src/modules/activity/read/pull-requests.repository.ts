import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppError, ErrorCode } from '../../../core/http/app-error';
import { CommentsRepository } from './comments.repository';
import { keysetCursor, PositionedRow } from '../../../core/database/keyset-cursor';
import {
  ListPullRequestsQuery,
  PullRequestDetailView,
  PullRequestEventView,
  PullRequestPageView,
  PullRequestView,
  ReviewView,
} from './pull-requests.dto';
import { IdentityRefView } from './read.dto';
import { SqlQuery } from '../../../core/database/sql';
import { identityJson, isoOrNull, utcTime } from './sql';

interface PullRequestRow {
  id: string;
  repository_id: string;
  repository_full_name: string;
  number: number;
  title: string;
  state: string;
  draft: boolean;
  author: IdentityRefView | null;
  head_ref: string;
  base_ref: string;
  head_sha: string | null;
  url: string | null;
  labels: string[];
  additions: number | null;
  deletions: number | null;
  changed_files: number | null;
  commits_count: number | null;
  created_at: Date;
  updated_at: Date;
  closed_at: Date | null;
  merged_at: Date | null;
  merged_by: IdentityRefView | null;
}

interface DetailRow extends PullRequestRow {
  body: string | null;
}

interface ReviewRow {
  id: string;
  external_id: string;
  state: string;
  body: string | null;
  author: IdentityRefView | null;
  submitted_at: Date;
  commit_sha: string | null;
  url: string | null;
}

interface EventRow {
  id: string;
  action: string;
  actor: IdentityRefView | null;
  occurred_at: Date;
  delivery_id: string;
}

const COLUMNS = `pr.id, pr.repository_id, r.full_name AS repository_full_name, pr.number, pr.title,
  pr.state, pr.draft, ${identityJson('ai')} AS author, pr.head_ref, pr.base_ref, pr.head_sha,
  pr.url, pr.labels, pr.additions, pr.deletions, pr.changed_files, pr.commits_count,
  pr.created_at, pr.updated_at, pr.closed_at, pr.merged_at, ${identityJson('mi')} AS merged_by`;

const FROM = `pull_requests pr
  JOIN repositories r ON r.id = pr.repository_id
  LEFT JOIN identities ai ON ai.id = pr.author_identity_id
  LEFT JOIN identities mi ON mi.id = pr.merged_by_identity_id`;

const cursor = keysetCursor({
  name: 'pull-requests',
  keys: [{ sql: 'pr.updated_at', type: 'timestamptz' }],
  id: 'pr.id',
  direction: 'desc',
});

function view(row: PullRequestRow): PullRequestView {
  return {
    id: row.id,
    repositoryId: row.repository_id,
    repositoryFullName: row.repository_full_name,
    number: row.number,
    title: row.title,
    state: row.state,
    draft: row.draft,
    author: row.author,
    headRef: row.head_ref,
    baseRef: row.base_ref,
    headSha: row.head_sha,
    url: row.url,
    labels: row.labels,
    additions: row.additions,
    deletions: row.deletions,
    changedFiles: row.changed_files,
    commitsCount: row.commits_count,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    closedAt: isoOrNull(row.closed_at),
    mergedAt: isoOrNull(row.merged_at),
    mergedBy: row.merged_by,
  };
}

function reviewView(row: ReviewRow): ReviewView {
  return {
    id: row.id,
    externalId: row.external_id,
    state: row.state,
    body: row.body,
    author: row.author,
    submittedAt: row.submitted_at.toISOString(),
    commitSha: row.commit_sha,
    url: row.url,
  };
}

function eventView(row: EventRow): PullRequestEventView {
  return {
    id: row.id,
    action: row.action,
    actor: row.actor,
    occurredAt: row.occurred_at.toISOString(),
    deliveryId: row.delivery_id,
  };
}

/** Reads of pull requests with their reviews, timeline and comments. */
@Injectable()
export class PullRequestsRepository {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly comments: CommentsRepository,
  ) {}

  async page(query: ListPullRequestsQuery, limit: number): Promise<PullRequestPageView> {
    const parts = new SqlQuery()
      .whereIf(query.repositoryId, 'pr.repository_id = ?')
      .whereIf(query.state, 'pr.state = ?')
      .whereIf(query.authorPersonId, 'ai.person_id = ?')
      .whereIf(utcTime(query.mergedFrom), 'pr.merged_at >= ?::timestamptz')
      .whereIf(utcTime(query.mergedTo), 'pr.merged_at < ?::timestamptz');
    if (query.cursor) parts.where(cursor.after(query.cursor, parts.param));
    const rows = await this.dataSource.query<(PullRequestRow & PositionedRow)[]>(
      `SELECT ${COLUMNS}, ${cursor.select} FROM ${FROM}
       WHERE ${parts.whereSql} ORDER BY ${cursor.orderBy} LIMIT ${parts.param(limit + 1)}`,
      parts.params,
    );
    const page = cursor.page(rows, limit);
    return { items: page.rows.map(view), nextCursor: page.nextCursor };
  }

  async detail(id: string): Promise<PullRequestDetailView> {
    const [row] = await this.dataSource.query<DetailRow[]>(
      `SELECT ${COLUMNS}, pr.body FROM ${FROM} WHERE pr.id = $1`,
      [id],
    );
    if (!row) throw new AppError(ErrorCode.NotFound, `Pull request ${id} does not exist`);
    const [reviews, timeline, comments] = await Promise.all([
      this.dataSource.query<ReviewRow[]>(
        `SELECT rv.id, rv.external_id, rv.state, rv.body, ${identityJson('ai')} AS author,
           rv.submitted_at, rv.commit_sha, rv.url
         FROM reviews rv LEFT JOIN identities ai ON ai.id = rv.author_identity_id
         WHERE rv.pull_request_id = $1 ORDER BY rv.submitted_at, rv.id`,
        [id],
      ),
      this.dataSource.query<EventRow[]>(
        `SELECT e.id, e.action, ${identityJson('ai')} AS actor, e.occurred_at, e.delivery_id
         FROM pull_request_events e LEFT JOIN identities ai ON ai.id = e.actor_identity_id
         WHERE e.pull_request_id = $1 ORDER BY e.occurred_at, e.id`,
        [id],
      ),
      this.comments.onTarget(row.repository_id, 'pull_request', row.number),
    ]);
    return {
      ...view(row),
      body: row.body,
      reviews: reviews.map(reviewView),
      timeline: timeline.map(eventView),
      comments,
    };
  }
}
