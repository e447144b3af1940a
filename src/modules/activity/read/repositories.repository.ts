import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, Repository } from 'typeorm';
import { RepositoryEntity } from '../entities/repository.entity';
import { AppError, ErrorCode } from '../../../core/http/app-error';
import { keysetCursor, PositionedRow } from '../../../core/database/keyset-cursor';
import {
  ListRepositoriesQuery,
  RepositoryDetailView,
  RepositoryPageView,
  RepositoryView,
} from './repositories.dto';
import { containsPattern, SqlQuery } from '../../../core/database/sql';
import { isoOrNull } from './sql';

interface RepositoryRow {
  id: string;
  provider: string;
  external_id: string;
  full_name: string;
  name: string;
  default_branch: string | null;
  url: string | null;
  private: boolean | null;
  created_at: Date;
  updated_at: Date;
  last_event_at: Date | null;
}

interface CountsRow {
  commit_count: number;
  open_pull_request_count: number;
  merged_pull_request_count: number;
  open_issue_count: number;
  ci_run_count: number;
  deployment_count: number;
  release_count: number;
}

const COLUMNS = `r.id, r.provider, r.external_id, r.full_name, r.name, r.default_branch, r.url,
  r.private, r.created_at, r.updated_at, r.last_event_at`;

const cursor = keysetCursor({
  name: 'repositories',
  keys: [{ sql: 'r.full_name', type: 'text' }],
  id: 'r.id',
  direction: 'asc',
});

function view(row: RepositoryRow): RepositoryView {
  return {
    id: row.id,
    provider: row.provider,
    externalId: row.external_id,
    fullName: row.full_name,
    name: row.name,
    defaultBranch: row.default_branch,
    url: row.url,
    private: row.private,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    lastEventAt: isoOrNull(row.last_event_at),
  };
}

/** Reads of repositories for the activity API. */
@Injectable()
export class RepositoriesRepository {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectRepository(RepositoryEntity) private readonly repositories: Repository<RepositoryEntity>,
  ) {}

  exists(id: string): Promise<boolean> {
    return this.repositories.existsBy({ id });
  }

  async page(query: ListRepositoriesQuery, limit: number): Promise<RepositoryPageView> {
    const parts = new SqlQuery()
      .whereIf(query.provider, 'r.provider = ?')
      .whereIf(query.q === undefined ? undefined : containsPattern(query.q), 'r.full_name ILIKE ?');
    if (query.cursor) parts.where(cursor.after(query.cursor, parts.param));
    const rows = await this.dataSource.query<(RepositoryRow & PositionedRow)[]>(
      `SELECT ${COLUMNS}, ${cursor.select} FROM repositories r
       WHERE ${parts.whereSql} ORDER BY ${cursor.orderBy} LIMIT ${parts.param(limit + 1)}`,
      parts.params,
    );
    const page = cursor.page(rows, limit);
    return { items: page.rows.map(view), nextCursor: page.nextCursor };
  }

  async detail(id: string): Promise<RepositoryDetailView> {
    const [row] = await this.dataSource.query<(RepositoryRow & CountsRow)[]>(
      `SELECT ${COLUMNS},
         (SELECT count(*)::int FROM commits c WHERE c.repository_id = r.id) AS commit_count,
         (SELECT count(*)::int FROM pull_requests p WHERE p.repository_id = r.id AND p.state = 'open')
           AS open_pull_request_count,
         (SELECT count(*)::int FROM pull_requests p WHERE p.repository_id = r.id AND p.state = 'merged')
           AS merged_pull_request_count,
         (SELECT count(*)::int FROM issues i WHERE i.repository_id = r.id AND i.state = 'open')
           AS open_issue_count,
         (SELECT count(*)::int FROM ci_runs ci WHERE ci.repository_id = r.id) AS ci_run_count,
         (SELECT count(*)::int FROM deployments d WHERE d.repository_id = r.id) AS deployment_count,
         (SELECT count(*)::int FROM releases rl WHERE rl.repository_id = r.id AND NOT rl.deleted)
           AS release_count
       FROM repositories r WHERE r.id = $1`,
      [id],
    );
    if (!row) throw new AppError(ErrorCode.NotFound, `Repository ${id} does not exist`);
    return {
      ...view(row),
      counts: {
        commits: row.commit_count,
        pullRequestsOpen: row.open_pull_request_count,
        pullRequestsMerged: row.merged_pull_request_count,
        issuesOpen: row.open_issue_count,
        ciRuns: row.ci_run_count,
        deployments: row.deployment_count,
        releases: row.release_count,
      },
    };
  }
}
