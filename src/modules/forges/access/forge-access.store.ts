import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { SealedForgeCredentials } from './forge-access.entity';

export interface NamedSourceAccessRow {
  source_id: string;
  enabled: boolean;
  web_url: string | null;
  api_url: string | null;
  credentials: SealedForgeCredentials | null;
  feedback: string[] | null;
  updated_at: Date | null;
}

export interface RepositoryRow {
  id: string;
  provider: string;
  full_name: string;
  external_id: string;
  source: string | null;
  feedback: string[] | null;
}

/** SQL of forge access: named sources' API settings and repositories' sources. */
@Injectable()
export class ForgeAccessStore {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async namedSource(provider: string, slug: string): Promise<NamedSourceAccessRow | undefined> {
    const [row] = await this.dataSource.query<NamedSourceAccessRow[]>(
      `SELECT s.id AS source_id, s.enabled, a.web_url, a.api_url, a.credentials, a.feedback,
              a.updated_at
       FROM webhook_sources s LEFT JOIN forge_access a ON a.source_id = s.id
       WHERE s.provider = $1 AND s.slug = $2`,
      [provider, slug],
    );
    return row;
  }

  /** A repository, the source its newest delivery came through, and its feedback override. */
  async repository(id: string): Promise<RepositoryRow | undefined> {
    const [row] = await this.dataSource.query<RepositoryRow[]>(
      `SELECT r.id, r.provider, r.full_name, r.external_id, f.feedback,
              (SELECT d.source FROM deliveries d
               WHERE d.provider = r.provider AND d.repository = r.full_name
               ORDER BY d.received_at DESC LIMIT 1) AS source
       FROM repositories r LEFT JOIN forge_repository_feedback f ON f.repository_id = r.id
       WHERE r.id = $1`,
      [id],
    );
    return row;
  }

  async upsertAccess(
    sourceId: string,
    webUrl: string,
    apiUrl: string,
    credentials: SealedForgeCredentials,
    feedback: string[],
  ): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO forge_access (source_id, web_url, api_url, credentials, feedback)
       VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (source_id) DO UPDATE SET web_url = EXCLUDED.web_url,
         api_url = EXCLUDED.api_url, credentials = EXCLUDED.credentials,
         feedback = EXCLUDED.feedback, updated_at = clock_timestamp()`,
      [sourceId, webUrl, apiUrl, JSON.stringify(credentials), feedback],
    );
  }

  async accessOf(sourceId: string): Promise<
    | {
        provider: string;
        slug: string;
        web_url: string | null;
        api_url: string | null;
        credentials: SealedForgeCredentials | null;
        feedback: string[] | null;
        updated_at: Date | null;
      }
    | undefined
  > {
    const [row] = await this.dataSource.query<
      {
        provider: string;
        slug: string;
        web_url: string | null;
        api_url: string | null;
        credentials: SealedForgeCredentials | null;
        feedback: string[] | null;
        updated_at: Date | null;
      }[]
    >(
      `SELECT s.provider, s.slug, a.web_url, a.api_url, a.credentials, a.feedback, a.updated_at
       FROM webhook_sources s LEFT JOIN forge_access a ON a.source_id = s.id WHERE s.id = $1`,
      [sourceId],
    );
    return row;
  }

  async deleteAccess(sourceId: string): Promise<void> {
    await this.dataSource.query('DELETE FROM forge_access WHERE source_id = $1', [sourceId]);
  }

  /** Returns false when the repository does not exist. */
  async setRepositoryFeedback(repositoryId: string, feedback: string[] | null): Promise<boolean> {
    const [exists] = await this.dataSource.query<unknown[]>(
      'SELECT 1 FROM repositories WHERE id = $1',
      [repositoryId],
    );
    if (!exists) return false;
    if (feedback === null) {
      await this.dataSource.query(
        'DELETE FROM forge_repository_feedback WHERE repository_id = $1',
        [repositoryId],
      );
    } else {
      await this.dataSource.query(
        `INSERT INTO forge_repository_feedback (repository_id, feedback) VALUES ($1, $2)
         ON CONFLICT (repository_id) DO UPDATE SET feedback = EXCLUDED.feedback, updated_at = now()`,
        [repositoryId, feedback],
      );
    }
    return true;
  }
}
