import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { QueryFailedError, Repository } from 'typeorm';
import { AppConfig } from '../../../config/config';
import { signingKeyProblem } from '../../../config/signing-key';
import { AppError, ErrorCode } from '../../../core/http/app-error';
import { adapterFor } from '../providers';
import {
  ALL_PROVIDERS,
  Provider,
  SECRET_KINDS,
  SecretKind,
  SourceSecrets,
} from '../providers/provider-adapter';
import { compileRepositoryFilter } from './glob';
import { SecretCipher } from './secret-cipher';
import {
  ChangeSecretsDto,
  CreateSourceDto,
  MAX_SECRETS,
  SOURCE_SLUG,
  SourceView,
  UpdateSourceDto,
} from './source.dto';
import { SealedSecret, SourceEntity } from './source.entity';

export const DEFAULT_SOURCE = 'default';

/** What ingestion needs to know about a source. */
export interface ResolvedSource {
  slug: string;
  enabled: boolean;
  secrets: SourceSecrets;
  /** Compiled repository filter; undefined accepts every repository. */
  accepts?: (repository: string | undefined) => boolean;
  /** Webhooks accepted per minute; undefined: no ceiling (and no Redis call). */
  rateLimitPerMinute?: number;
}

const CACHE_TTL_MS = 5000;

/** The kind the provider's adapter stores this secret as; 400 when it can never verify. */
function kindFor(provider: Provider, secret: string): SecretKind {
  const kind = adapterFor(provider).secrets.kindOf(secret);
  if (typeof kind === 'string') return kind;
  throw new AppError(ErrorCode.ValidationFailed, kind.problem);
}

/**
 * Webhook sources: the default one per provider (secrets from the environment) and named ones
 * (secrets encrypted in the database, administered through the API).
 */
@Injectable()
export class SourcesService {
  private readonly defaults: Record<Provider, ResolvedSource>;
  private readonly cache = new Map<string, { at: number; source: ResolvedSource | undefined }>();

  constructor(
    config: AppConfig,
    private readonly cipher: SecretCipher,
    @InjectRepository(SourceEntity) private readonly sources: Repository<SourceEntity>,
  ) {
    const defaults = {} as Record<Provider, ResolvedSource>;
    for (const provider of ALL_PROVIDERS) {
      defaults[provider] = {
        slug: DEFAULT_SOURCE,
        enabled: true,
        secrets: config.secrets[provider],
        rateLimitPerMinute: config.rateLimit.webhookDefaults[provider],
      };
    }
    this.defaults = defaults;
  }

  /** The source a webhook URL names, or undefined. Cached briefly: this is on the ingest path. */
  async resolve(provider: Provider, slug: string | undefined): Promise<ResolvedSource | undefined> {
    if (slug === undefined || slug === DEFAULT_SOURCE) return this.defaults[provider];
    // A name no source can have (a URL segment of any length or bytes): no look-up, no cache.
    if (!SOURCE_SLUG.test(slug)) return undefined;
    const key = `${provider}/${slug}`;
    const cached = this.cache.get(key);
    if (cached && Date.now() - cached.at < CACHE_TTL_MS) return cached.source;
    const entity = await this.sources.findOne({ where: { provider, slug } });
    const source = entity ? this.toResolved(entity) : undefined;
    this.cache.set(key, { at: Date.now(), source });
    return source;
  }

  async create(dto: CreateSourceDto): Promise<SourceView> {
    const secrets = (dto.secrets ?? []).map((s, i) => this.seal(dto.provider, s, `secrets[${i}]`));
    try {
      const entity = await this.sources.save(
        this.sources.create({
          provider: dto.provider,
          slug: dto.slug,
          description: dto.description ?? null,
          secrets,
          secretsRotatedAt: secrets.length > 0 ? new Date() : null,
          repositoryFilter: dto.repositoryFilter ?? [],
          enabled: dto.enabled ?? true,
          rateLimitPerMinute: dto.rateLimitPerMinute ?? null,
        }),
      );
      return this.view(entity);
    } catch (error) {
      if (
        error instanceof QueryFailedError &&
        (error.driverError as { code?: string }).code === '23505'
      ) {
        throw new AppError(
          ErrorCode.Conflict,
          `A ${dto.provider} source named "${dto.slug}" already exists`,
        );
      }
      throw error;
    }
  }

  async list(): Promise<SourceView[]> {
    const entities = await this.sources.find({ order: { provider: 'ASC', slug: 'ASC' } });
    return entities.map((e) => this.view(e));
  }

  async get(id: string): Promise<SourceView> {
    return this.view(await this.find(id));
  }

  async update(id: string, dto: UpdateSourceDto): Promise<SourceView> {
    const entity = await this.find(id);
    if (dto.description !== undefined) entity.description = dto.description;
    if (dto.repositoryFilter !== undefined) entity.repositoryFilter = dto.repositoryFilter;
    if (dto.enabled !== undefined) entity.enabled = dto.enabled;
    // null removes the ceiling; absent leaves it as it is.
    if (dto.rateLimitPerMinute !== undefined) entity.rateLimitPerMinute = dto.rateLimitPerMinute;
    return this.saved(entity);
  }

  async remove(id: string): Promise<void> {
    const entity = await this.find(id);
    await this.sources.remove(entity);
    this.cache.delete(`${entity.provider}/${entity.slug}`);
  }

  async changeSecrets(id: string, dto: ChangeSecretsDto): Promise<SourceView> {
    const entity = await this.find(id);
    const provider = entity.provider as Provider;
    switch (dto.action) {
      case 'add': {
        const secret = dto.secret ?? '';
        if (entity.secrets.length >= MAX_SECRETS) {
          throw new AppError(
            ErrorCode.Conflict,
            `This source already has ${MAX_SECRETS} secrets, the most it can hold; revoke one first`,
          );
        }
        if (entity.secrets.some((s) => this.cipher.decrypt(s.ciphertext) === secret)) {
          throw new AppError(ErrorCode.Conflict, 'This source already has that secret', {
            field: 'secret',
          });
        }
        entity.secrets = [...entity.secrets, this.seal(provider, secret, 'secret')];
        break;
      }
      case 'rotate':
        entity.secrets = [this.seal(provider, dto.secret ?? '', 'secret')];
        break;
      case 'revoke': {
        const remaining = entity.secrets.filter((s) => s.id !== dto.secretId);
        if (remaining.length === entity.secrets.length) {
          throw new AppError(
            ErrorCode.NotFound,
            `Secret ${dto.secretId} is not a secret of this source`,
          );
        }
        entity.secrets = remaining;
        break;
      }
    }
    entity.secretsRotatedAt = new Date();
    return this.saved(entity);
  }

  private async saved(entity: SourceEntity): Promise<SourceView> {
    const saved = await this.sources.save(entity);
    this.cache.delete(`${saved.provider}/${saved.slug}`);
    return this.view(saved);
  }

  private async find(id: string): Promise<SourceEntity> {
    const entity = await this.sources.findOne({ where: { id } });
    if (!entity) throw new AppError(ErrorCode.NotFound, `Source ${id} does not exist`);
    return entity;
  }

  /** Encrypts a secret; a GitLab signing key that could never verify is refused (400). */
  private seal(provider: Provider, secret: string, field: string): SealedSecret {
    const kind = kindFor(provider, secret);
    const problem = kind === 'signing' ? signingKeyProblem(secret) : undefined;
    if (problem) {
      throw new AppError(ErrorCode.ValidationFailed, `${field}: a signing token ${problem}`, {
        field,
      });
    }
    return {
      id: randomUUID(),
      kind,
      ciphertext: this.cipher.encrypt(secret),
      createdAt: new Date().toISOString(),
    };
  }

  private toResolved(entity: SourceEntity): ResolvedSource {
    const secrets = {} as Record<SecretKind, string[]>;
    for (const kind of SECRET_KINDS) secrets[kind] = [];
    for (const sealed of entity.secrets) {
      secrets[sealed.kind].push(this.cipher.decrypt(sealed.ciphertext));
    }
    return {
      slug: entity.slug,
      enabled: entity.enabled,
      secrets,
      accepts: compileRepositoryFilter(entity.repositoryFilter),
      rateLimitPerMinute: entity.rateLimitPerMinute ?? undefined,
    };
  }

  private view(entity: SourceEntity): SourceView {
    return {
      id: entity.id,
      provider: entity.provider,
      slug: entity.slug,
      webhookPath: `/webhooks/${entity.provider}/${entity.slug}`,
      description: entity.description,
      enabled: entity.enabled,
      repositoryFilter: entity.repositoryFilter,
      rateLimitPerMinute: entity.rateLimitPerMinute,
      secretConfigured: entity.secrets.length > 0,
      secretCount: entity.secrets.length,
      secretsRotatedAt: entity.secretsRotatedAt?.toISOString() ?? null,
      secrets: entity.secrets.map(({ id, kind, createdAt }) => ({ id, kind, createdAt })),
      createdAt: entity.createdAt.toISOString(),
      updatedAt: entity.updatedAt.toISOString(),
    };
  }
}
