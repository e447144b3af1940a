import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

export interface IndexSettingsRow {
  branches: string[];
  updatedAt: Date | null;
}

/** The SQL of the per-repository index settings (branches indexed besides the default one). */
@Injectable()
export class IndexSettingsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Undefined for an unknown repository; no branches while nothing was set. */
  async get(repositoryId: string): Promise<IndexSettingsRow | undefined> {
    const [row] = await this.dataSource.query<
      { branches: string[] | null; updated_at: Date | null }[]
    >(
      `SELECT s.branches, s.updated_at
       FROM repositories r LEFT JOIN code_index_settings s ON s.repository_id = r.id
       WHERE r.id = $1`,
      [repositoryId],
    );
    return row ? { branches: row.branches ?? [], updatedAt: row.updated_at } : undefined;
  }

  async setBranches(repositoryId: string, branches: readonly string[]): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO code_index_settings (repository_id, branches, updated_at)
       VALUES ($1, $2::text[], now())
       ON CONFLICT (repository_id) DO UPDATE SET branches = excluded.branches, updated_at = now()`,
      [repositoryId, branches],
    );
  }

  /** The branch patterns of those of `repositoryIds` that have any. */
  async branchesOf(repositoryIds: readonly string[]): Promise<Map<string, string[]>> {
    if (repositoryIds.length === 0) return new Map();
    const rows = await this.dataSource.query<{ repository_id: string; branches: string[] }[]>(
      `SELECT repository_id, branches FROM code_index_settings
       WHERE repository_id = ANY($1::uuid[]) AND cardinality(branches) > 0`,
      [repositoryIds],
    );
    return new Map(rows.map((r) => [r.repository_id, r.branches]));
  }
}
