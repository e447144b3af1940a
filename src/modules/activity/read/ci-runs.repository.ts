import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { CiRunPageView, CiRunView, ListCiRunsQuery } from './ci-runs.dto';
import { keysetCursor, PositionedRow } from '../../../core/database/keyset-cursor';
import { IdentityRefView } from './read.dto';
import { SqlQuery } from '../../../core/database/sql';
import { identityJson, isoOrNull } from './sql';

interface CiRunRow {
  id: string;
  repository_id: string;
  repository_full_name: string;
  source: string;
  external_id: string;
  name: string | null;
  status: string;
  conclusion: string | null;
  head_sha: string;
  head_branch: string | null;
  trigger: string | null;
  run_number: number | null;
  attempt: number | null;
  url: string | null;
  actor: IdentityRefView | null;
  pull_request_numbers: number[];
  created_at: Date;
  started_at: Date | null;
  completed_at: Date | null;
  updated_at: Date;
}

const cursor = keysetCursor({
  name: 'ci-runs',
  keys: [{ sql: 'cr.created_at', type: 'timestamptz' }],
  id: 'cr.id',
  direction: 'desc',
});

function view(row: CiRunRow): CiRunView {
  return {
    id: row.id,
    repositoryId: row.repository_id,
    repositoryFullName: row.repository_full_name,
    source: row.source,
    externalId: row.external_id,
    name: row.name,
    status: row.status,
    conclusion: row.conclusion,
    headSha: row.head_sha,
    headBranch: row.head_branch,
    trigger: row.trigger,
    runNumber: row.run_number,
    attempt: row.attempt,
    url: row.url,
    actor: row.actor,
    pullRequestNumbers: row.pull_request_numbers,
    createdAt: row.created_at.toISOString(),
    startedAt: isoOrNull(row.started_at),
    completedAt: isoOrNull(row.completed_at),
    updatedAt: row.updated_at.toISOString(),
  };
}

/** Reads of CI runs (workflow runs, pipelines, check suites). */
@Injectable()
export class CiRunsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async page(query: ListCiRunsQuery, limit: number): Promise<CiRunPageView> {
    const parts = new SqlQuery()
      .whereIf(query.repositoryId, 'cr.repository_id = ?')
      .whereIf(query.status, 'cr.status = ?')
      .whereIf(query.conclusion, 'cr.conclusion = ?')
      .whereIf(query.headBranch, 'cr.head_branch = ?')
      // Hex digits only (validated), so the prefix holds no LIKE wildcard.
      .whereIf(
        query.headSha === undefined ? undefined : `${query.headSha.toLowerCase()}%`,
        'cr.head_sha LIKE ?',
      );
    if (query.cursor) parts.where(cursor.after(query.cursor, parts.param));
    const rows = await this.dataSource.query<(CiRunRow & PositionedRow)[]>(
      `SELECT cr.id, cr.repository_id, r.full_name AS repository_full_name, cr.source,
         cr.external_id, cr.name, cr.status, cr.conclusion, cr.head_sha, cr.head_branch,
         cr.trigger, cr.run_number, cr.attempt, cr.url, ${identityJson('ai')} AS actor,
         cr.pull_request_numbers, cr.created_at, cr.started_at, cr.completed_at, cr.updated_at,
         ${cursor.select}
       FROM ci_runs cr
       JOIN repositories r ON r.id = cr.repository_id
       LEFT JOIN identities ai ON ai.id = cr.actor_identity_id
       WHERE ${parts.whereSql} ORDER BY ${cursor.orderBy} LIMIT ${parts.param(limit + 1)}`,
      parts.params,
    );
    const page = cursor.page(rows, limit);
    return { items: page.rows.map(view), nextCursor: page.nextCursor };
  }
}
