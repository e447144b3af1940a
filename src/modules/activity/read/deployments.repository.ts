import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppError, ErrorCode } from '../../../core/http/app-error';
import { keysetCursor, PositionedRow } from '../../../core/database/keyset-cursor';
import {
  DeploymentDetailView,
  DeploymentPageView,
  DeploymentView,
  ListDeploymentsQuery,
} from './deployments.dto';
import { IdentityRefView } from './read.dto';
import { SqlQuery } from '../../../core/database/sql';
import { identityJson, isoOrNull } from './sql';

interface DeploymentRow {
  id: string;
  repository_id: string;
  repository_full_name: string;
  external_id: string;
  environment: string;
  ref: string | null;
  sha: string;
  creator: IdentityRefView | null;
  url: string | null;
  latest_state: string | null;
  latest_state_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

interface StatusRow {
  id: string;
  external_id: string | null;
  state: string;
  description: string | null;
  url: string | null;
  created_at: Date;
}

const COLUMNS = `d.id, d.repository_id, r.full_name AS repository_full_name, d.external_id,
  d.environment, d.ref, d.sha, ${identityJson('ai')} AS creator, d.url, d.latest_state,
  d.latest_state_at, d.created_at, d.updated_at`;

const FROM = `deployments d
  JOIN repositories r ON r.id = d.repository_id
  LEFT JOIN identities ai ON ai.id = d.creator_identity_id`;

const cursor = keysetCursor({
  name: 'deployments',
  keys: [{ sql: 'd.created_at', type: 'timestamptz' }],
  id: 'd.id',
  direction: 'desc',
});

function view(row: DeploymentRow): DeploymentView {
  return {
    id: row.id,
    repositoryId: row.repository_id,
    repositoryFullName: row.repository_full_name,
    externalId: row.external_id,
    environment: row.environment,
    ref: row.ref,
    sha: row.sha,
    creator: row.creator,
    url: row.url,
    latestState: row.latest_state,
    latestStateAt: isoOrNull(row.latest_state_at),
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

/** Reads of deployments and their status history. */
@Injectable()
export class DeploymentsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async page(query: ListDeploymentsQuery, limit: number): Promise<DeploymentPageView> {
    const parts = new SqlQuery()
      .whereIf(query.repositoryId, 'd.repository_id = ?')
      .whereIf(query.environment, 'd.environment = ?')
      .whereIf(query.state, 'd.latest_state = ?');
    if (query.cursor) parts.where(cursor.after(query.cursor, parts.param));
    const rows = await this.dataSource.query<(DeploymentRow & PositionedRow)[]>(
      `SELECT ${COLUMNS}, ${cursor.select} FROM ${FROM}
       WHERE ${parts.whereSql} ORDER BY ${cursor.orderBy} LIMIT ${parts.param(limit + 1)}`,
      parts.params,
    );
    const page = cursor.page(rows, limit);
    return { items: page.rows.map(view), nextCursor: page.nextCursor };
  }

  async detail(id: string): Promise<DeploymentDetailView> {
    const [row] = await this.dataSource.query<DeploymentRow[]>(
      `SELECT ${COLUMNS} FROM ${FROM} WHERE d.id = $1`,
      [id],
    );
    if (!row) throw new AppError(ErrorCode.NotFound, `Deployment ${id} does not exist`);
    const statuses = await this.dataSource.query<StatusRow[]>(
      `SELECT id, external_id, state, description, url, created_at FROM deployment_statuses
       WHERE deployment_id = $1 ORDER BY created_at, id`,
      [id],
    );
    return {
      ...view(row),
      statuses: statuses.map((s) => ({
        id: s.id,
        externalId: s.external_id,
        state: s.state,
        description: s.description,
        url: s.url,
        createdAt: s.created_at.toISOString(),
      })),
    };
  }
}
