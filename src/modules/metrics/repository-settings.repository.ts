import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppError, ErrorCode } from '../../core/http/app-error';
import { sqlStateOf } from '../../core/database/transient-errors';
import { DEFAULT_INCIDENT_LABEL_PATTERN, DEFAULT_PRODUCTION_PATTERN } from './definitions';
import { RepositorySettingsView, UpdateRepositorySettingsDto } from './repository-settings.dto';

interface SettingsRow {
  repository_id: string;
  production_pattern: string | null;
  incident_label_pattern: string | null;
  ci_deployment_pattern: string | null;
  updated_at: Date | null;
}

/** SQLSTATE of an invalid regular expression. */
const INVALID_REGEX = '2201B';

/** Per-repository metric settings. */
@Injectable()
export class RepositorySettingsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async get(repositoryId: string): Promise<RepositorySettingsView> {
    const [row] = await this.dataSource.query<SettingsRow[]>(
      `SELECT r.id AS repository_id, s.production_pattern, s.incident_label_pattern,
              s.ci_deployment_pattern, s.updated_at
       FROM repositories r LEFT JOIN repository_metric_settings s ON s.repository_id = r.id
       WHERE r.id = $1`,
      [repositoryId],
    );
    if (!row) throw new AppError(ErrorCode.NotFound, `Repository ${repositoryId} does not exist`);
    return {
      repositoryId: row.repository_id,
      productionPattern: row.production_pattern ?? DEFAULT_PRODUCTION_PATTERN,
      incidentLabelPattern: row.incident_label_pattern ?? DEFAULT_INCIDENT_LABEL_PATTERN,
      ciDeploymentPattern: row.ci_deployment_pattern,
      customized: row.updated_at !== null,
      updatedAt: row.updated_at ? row.updated_at.toISOString() : null,
    };
  }

  /** PostgreSQL is the regex engine of the rollups: it decides what a valid pattern is. */
  private async checkPattern(field: string, pattern: string | null | undefined): Promise<void> {
    if (pattern === undefined || pattern === null) return;
    if (pattern.includes('\u0000')) {
      throw new AppError(ErrorCode.ValidationFailed, `${field} must not contain NUL characters`);
    }
    try {
      await this.dataSource.query(`SELECT '' ~* $1`, [pattern]);
    } catch (error) {
      if (sqlStateOf(error) === INVALID_REGEX) {
        throw new AppError(
          ErrorCode.ValidationFailed,
          `${field} is not a valid regular expression`,
          {
            [field]: pattern,
          },
        );
      }
      throw error;
    }
  }

  async update(
    repositoryId: string,
    dto: UpdateRepositorySettingsDto,
  ): Promise<RepositorySettingsView> {
    await this.checkPattern('productionPattern', dto.productionPattern);
    await this.checkPattern('incidentLabelPattern', dto.incidentLabelPattern);
    await this.checkPattern('ciDeploymentPattern', dto.ciDeploymentPattern);
    const current = await this.get(repositoryId);
    await this.dataSource.query(
      `INSERT INTO repository_metric_settings (repository_id, production_pattern, incident_label_pattern,
         ci_deployment_pattern, updated_at)
       VALUES ($1, $2, $3, $4, now())
       ON CONFLICT (repository_id) DO UPDATE SET production_pattern = excluded.production_pattern,
         incident_label_pattern = excluded.incident_label_pattern,
         ci_deployment_pattern = excluded.ci_deployment_pattern, updated_at = now()`,
      [
        repositoryId,
        dto.productionPattern ?? current.productionPattern,
        dto.incidentLabelPattern ?? current.incidentLabelPattern,
        dto.ciDeploymentPattern === undefined
          ? current.ciDeploymentPattern
          : dto.ciDeploymentPattern,
      ],
    );
    return this.get(repositoryId);
  }
}
