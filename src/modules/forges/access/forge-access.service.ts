import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../../config/config';
import { AppError, ErrorCode } from '../../../core/http/app-error';
import { SecretCipher } from '../../webhooks/sources/secret-cipher';
import { apiForgeOf, ForgesService } from '../forges.service';
import { ForgeAccessView, RepositoryFeedbackView, SetForgeAccessDto } from './forge-access.dto';
import { SealedForgeCredentials } from './forge-access.entity';
import { ForgeAccessStore } from './forge-access.store';

/** Administration of named sources' API access; secrets go in sealed and never come out. */
@Injectable()
export class ForgeAccessService {
  constructor(
    private readonly store: ForgeAccessStore,
    private readonly cipher: SecretCipher,
    private readonly forges: ForgesService,
    private readonly config: AppConfig,
  ) {}

  async get(sourceId: string): Promise<ForgeAccessView> {
    const row = await this.store.accessOf(sourceId);
    if (!row) throw new AppError(ErrorCode.NotFound, `Source ${sourceId} does not exist`);
    const credentials = row.credentials ?? {};
    const kind =
      credentials.appId !== undefined ? 'github-app' : credentials.token ? 'token' : 'none';
    return {
      sourceId,
      provider: row.provider,
      slug: row.slug,
      webUrl: row.web_url,
      apiUrl: row.api_url,
      credentials: kind,
      apiAvailable: kind !== 'none' && apiForgeOf(row.provider) !== undefined,
      feedback: row.feedback ?? this.config.forgeApi.feedback,
      updatedAt: row.updated_at?.toISOString() ?? null,
    };
  }

  async set(sourceId: string, dto: SetForgeAccessDto): Promise<ForgeAccessView> {
    const row = await this.store.accessOf(sourceId);
    if (!row) throw new AppError(ErrorCode.NotFound, `Source ${sourceId} does not exist`);
    const forge = apiForgeOf(row.provider);
    if (forge === undefined) {
      throw new AppError(
        ErrorCode.ValidationFailed,
        `Hookyard has no API client for ${row.provider}`,
      );
    }
    if ((dto.appId === undefined) !== (dto.appPrivateKey === undefined)) {
      throw new AppError(ErrorCode.ValidationFailed, 'appId and appPrivateKey go together');
    }
    if (dto.appId !== undefined && forge !== 'github') {
      throw new AppError(ErrorCode.ValidationFailed, 'Only GitHub sources can use an App');
    }
    if (dto.appId !== undefined && dto.apiToken !== undefined) {
      throw new AppError(ErrorCode.ValidationFailed, 'Give either apiToken or an App, not both');
    }
    const defaults = this.forges.defaultEndpoints(forge);
    const webUrl = (dto.webUrl ?? row.web_url ?? defaults?.webUrl)?.replace(/\/+$/, '');
    const derived =
      dto.webUrl === undefined
        ? undefined
        : forge === 'gitlab'
          ? `${webUrl}/api/v4`
          : forge === 'gitea'
            ? `${webUrl}/api/v1`
            : forge === 'github' && webUrl !== 'https://github.com'
              ? `${webUrl}/api/v3`
              : undefined;
    const apiUrl = (dto.apiUrl ?? derived ?? row.api_url ?? defaults?.apiUrl)?.replace(/\/+$/, '');
    if (webUrl === undefined || apiUrl === undefined) {
      throw new AppError(ErrorCode.ValidationFailed, 'webUrl (and apiUrl) are needed here');
    }
    let credentials: SealedForgeCredentials = dto.clearCredentials ? {} : (row.credentials ?? {});
    if (dto.apiToken !== undefined) credentials = { token: this.cipher.encrypt(dto.apiToken) };
    if (dto.appId !== undefined && dto.appPrivateKey !== undefined) {
      credentials = {
        appId: this.cipher.encrypt(dto.appId),
        appPrivateKey: this.cipher.encrypt(dto.appPrivateKey),
      };
    }
    const feedback = dto.feedback ?? row.feedback ?? this.config.forgeApi.feedback;
    await this.store.upsertAccess(sourceId, webUrl, apiUrl, credentials, [...new Set(feedback)]);
    return this.get(sourceId);
  }

  async remove(sourceId: string): Promise<void> {
    await this.get(sourceId);
    await this.store.deleteAccess(sourceId);
  }

  async setRepositoryFeedback(
    repositoryId: string,
    feedback: string[] | null,
  ): Promise<RepositoryFeedbackView> {
    const unique = feedback === null ? null : [...new Set(feedback)];
    if (!(await this.store.setRepositoryFeedback(repositoryId, unique))) {
      throw new AppError(ErrorCode.NotFound, `Repository ${repositoryId} does not exist`);
    }
    const access = await this.forges.forRepository(repositoryId);
    if (!access) {
      throw new AppError(ErrorCode.NotFound, `Repository ${repositoryId} has no forge source`);
    }
    return {
      repositoryId,
      source: access.source,
      api: access.api.status === 'available' ? 'available' : access.api.message,
      feedback: access.feedback,
    };
  }
}
