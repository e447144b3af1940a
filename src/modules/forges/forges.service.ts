import { Injectable, Logger } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { AppConfig, FEEDBACK_KINDS, FeedbackKind } from '../../config/config';
import { SecretCipher } from '../webhooks/sources/secret-cipher';
import { ForgeAccessStore, RepositoryRow } from './access/forge-access.store';
import { SealedForgeCredentials } from './access/forge-access.entity';
import { BitbucketClient } from './clients/bitbucket.client';
import { ForgeClient } from './clients/forge-client';
import { GiteaClient } from './clients/gitea.client';
import { GitHubClient } from './clients/github.client';
import { GitLabClient } from './clients/gitlab.client';
import { ForgeOriginRefusedError, NoApiCredentialsError } from './forge-errors';
import { ForgeMetrics } from './forge-metrics';
import { ForgeCredentials, ForgeEndpoints, ForgeRepositoryRef, ForgeSource } from './forge-types';
import { allowedOrigins, checkOrigin } from './origin-guard';
import { OutboundPolicy } from './outbound-policy';
import { Provider } from '../webhooks/providers/provider-adapter';

export const DEFAULT_SOURCE_SLUG = 'default';
export const NO_API_CREDENTIALS = 'no API credentials for this source';

/** The forges Hookyard has an API client for. */
export type ApiForge = 'github' | 'gitlab' | 'gitea' | 'bitbucket';

export function apiForgeOf(provider: string): ApiForge | undefined {
  switch (provider) {
    case 'github':
    case 'gitlab':
    case 'gitea':
    case 'bitbucket':
      return provider;
    default:
      return undefined;
  }
}

/** Timing of the SDK-level policies (GitHub's plugins); tests shorten them. */
export interface ClientTuning {
  throttleRetries: number;
  retryAfterBaseMs: number;
  writeSpacingMs: number;
  renewTokenBeforeMs: number;
}

export type ApiAccess =
  | { status: 'available' }
  | { status: 'no_credentials'; message: string }
  | { status: 'unsupported'; message: string };

/** What other modules get for one repository: its source's endpoints, API access and guard. */
export interface RepositoryForgeAccess {
  repositoryId: string;
  provider: string;
  /** Slug of the source the repository's deliveries come through. */
  source: string;
  repository: ForgeRepositoryRef;
  endpoints: ForgeEndpoints;
  api: ApiAccess;
  /** Feedback allowed for this repository (source setting, overridden per repository). */
  feedback: FeedbackKind[];
  /** The parsed URL if its origin is configured for the source; refuses (and records) others. */
  assertAllowedOrigin(url: string): URL;
  /** The API client; throws NoApiCredentialsError unless `api.status` is `available`. */
  client(): ForgeClient;
  /** The source's own secrets, for masking text before it is posted. */
  knownSecrets(): string[];
}

function toFeedback(values: readonly string[] | null | undefined): FeedbackKind[] | undefined {
  if (!values) return undefined;
  return FEEDBACK_KINDS.filter((kind) => values.includes(kind));
}

/**
 * Outbound forge access per source: endpoints and credentials (environment for the default
 * sources, the database for named ones), the origin guard, and one cached client per source
 * and credential, every call of which goes through the outbound policy.
 */
@Injectable()
export class ForgesService {
  private readonly logger = new Logger(ForgesService.name);
  private readonly clients = new Map<string, ForgeClient>();
  readonly tuning: ClientTuning = {
    throttleRetries: 3,
    retryAfterBaseMs: 1000,
    writeSpacingMs: 1000,
    renewTokenBeforeMs: 5 * 60_000,
  };

  constructor(
    private readonly config: AppConfig,
    private readonly store: ForgeAccessStore,
    private readonly cipher: SecretCipher,
    private readonly policy: OutboundPolicy,
    private readonly metrics: ForgeMetrics,
  ) {}

  /** Overrides for tests; clients made afterwards use them. */
  tune(changes: Partial<ClientTuning>): void {
    Object.assign(this.tuning, changes);
    this.clients.clear();
  }

  /** The default endpoints of a forge (from the environment). */
  defaultEndpoints(forge: ApiForge): ForgeEndpoints | undefined {
    const c = this.config;
    switch (forge) {
      case 'github':
        return { webUrl: c.githubUrl, apiUrl: c.forgeApi.githubApiUrl };
      case 'gitlab':
        return { webUrl: c.gitlabUrl, apiUrl: `${c.gitlabUrl.replace(/\/+$/, '')}/api/v4` };
      case 'gitea':
        return c.giteaUrl === undefined
          ? undefined
          : { webUrl: c.giteaUrl, apiUrl: `${c.giteaUrl.replace(/\/+$/, '')}/api/v1` };
      case 'bitbucket':
        return { webUrl: c.bitbucketUrl, apiUrl: c.forgeApi.bitbucketApiUrl };
    }
  }

  private defaultCredentials(forge: ApiForge): ForgeCredentials | undefined {
    const f = this.config.forgeApi;
    const token = (value: string | undefined): ForgeCredentials | undefined =>
      value === undefined ? undefined : { kind: 'token', token: value };
    switch (forge) {
      case 'github':
        return f.githubApp ? { kind: 'github-app', app: f.githubApp } : token(f.githubToken);
      case 'gitlab':
        return token(f.gitlabApiToken);
      case 'gitea':
        return token(f.giteaApiToken);
      case 'bitbucket':
        return token(f.bitbucketApiToken);
    }
  }

  private unseal(sealed: SealedForgeCredentials | null): ForgeCredentials | undefined {
    if (!sealed) return undefined;
    if (sealed.appId !== undefined && sealed.appPrivateKey !== undefined) {
      return {
        kind: 'github-app',
        app: {
          appId: this.cipher.decrypt(sealed.appId),
          privateKey: this.cipher.decrypt(sealed.appPrivateKey),
        },
      };
    }
    return sealed.token === undefined
      ? undefined
      : { kind: 'token', token: this.cipher.decrypt(sealed.token) };
  }

  /** A source's outbound settings, or undefined for an unknown source or forge without API. */
  async source(provider: string, slug: string): Promise<ForgeSource | undefined> {
    const forge = apiForgeOf(provider);
    if (forge === undefined) return undefined;
    const fallback = this.defaultEndpoints(forge);
    if (slug === DEFAULT_SOURCE_SLUG) {
      if (!fallback) return undefined;
      return {
        provider: forge as Provider,
        slug,
        endpoints: fallback,
        credentials: this.defaultCredentials(forge),
        feedback: this.config.forgeApi.feedback,
      };
    }
    const row = await this.store.namedSource(provider, slug);
    if (!row) return undefined;
    const endpoints =
      row.web_url !== null && row.api_url !== null
        ? { webUrl: row.web_url, apiUrl: row.api_url }
        : fallback;
    if (!endpoints) return undefined;
    return {
      provider: forge as Provider,
      slug,
      endpoints,
      credentials: this.unseal(row.credentials),
      feedback: toFeedback(row.feedback) ?? this.config.forgeApi.feedback,
    };
  }

  async forRepository(repositoryId: string): Promise<RepositoryForgeAccess | undefined> {
    const row = await this.store.repository(repositoryId);
    if (!row) return undefined;
    return this.access(row);
  }

  private async access(row: RepositoryRow): Promise<RepositoryForgeAccess | undefined> {
    const slug = row.source ?? DEFAULT_SOURCE_SLUG;
    const source = await this.source(row.provider, slug);
    if (!source) return undefined;
    const repository = { fullName: row.full_name, externalId: row.external_id };
    const api: ApiAccess = source.credentials
      ? { status: 'available' }
      : { status: 'no_credentials', message: NO_API_CREDENTIALS };
    return {
      repositoryId: row.id,
      provider: row.provider,
      source: slug,
      repository,
      endpoints: source.endpoints,
      api,
      feedback: toFeedback(row.feedback) ?? source.feedback,
      assertAllowedOrigin: (url) => this.assertAllowedOrigin(source, url),
      client: () => this.clientFor(source),
      knownSecrets: () => secretsOf(source.credentials),
    };
  }

  /** Refuses (and counts, and logs without the URL's query) a URL outside the source's origins. */
  assertAllowedOrigin(source: ForgeSource, url: string): URL {
    const verdict = checkOrigin(url, allowedOrigins(source.endpoints));
    if (verdict.allowed) return verdict.url;
    this.metrics.refusedUrls.inc({ forge: source.provider, reason: verdict.reason });
    this.logger.warn(
      `refused an outbound ${source.provider} URL for source ${source.slug}: ${verdict.reason} (${describe(url)})`,
    );
    throw new ForgeOriginRefusedError(verdict.reason, source.provider);
  }

  /** The API client of a source; throws NoApiCredentialsError when it has none. */
  clientFor(source: ForgeSource): ForgeClient {
    const credentials = source.credentials;
    if (!credentials) throw new NoApiCredentialsError(`${source.provider}/${source.slug}`);
    const fingerprint = createHash('sha256')
      .update(JSON.stringify([source.endpoints, credentials]))
      .digest('hex')
      .slice(0, 16);
    const key = `${source.provider}/${source.slug}/${fingerprint}`;
    let client = this.clients.get(key);
    if (!client) {
      client = this.makeClient(source, credentials, fingerprint);
      this.clients.set(key, client);
    }
    return client;
  }

  private makeClient(
    source: ForgeSource,
    credentials: ForgeCredentials,
    fingerprint: string,
  ): ForgeClient {
    const forge = apiForgeOf(source.provider);
    if (forge === undefined) throw new NoApiCredentialsError(source.slug);
    const origins = allowedOrigins(source.endpoints);
    const lane = `${new URL(source.endpoints.apiUrl).origin}|${fingerprint}`;
    const token = credentials.kind === 'token' ? credentials.token : undefined;
    const needToken = (): string => {
      if (token === undefined) throw new NoApiCredentialsError(source.slug);
      return token;
    };
    switch (forge) {
      case 'github':
        return new GitHubClient({
          apiUrl: source.endpoints.apiUrl,
          // Octokit's plugins retry and wait; the policy adds lanes, timeouts, redirects, metrics.
          fetch: this.policy.fetcher({
            forge,
            lane,
            origins,
            retries: false,
            allowRedirect: githubLogRedirect(source.endpoints.apiUrl),
          }),
          auth:
            credentials.kind === 'github-app' ? { app: credentials.app } : { token: needToken() },
          ...this.tuning,
        });
      case 'gitlab':
        return new GitLabClient({
          webUrl: source.endpoints.webUrl,
          token: needToken(),
          fetch: this.policy.fetcher({ forge, lane, origins, retries: true }),
        });
      case 'gitea':
        return new GiteaClient({
          apiUrl: source.endpoints.apiUrl,
          token: needToken(),
          fetch: this.policy.fetcher({ forge, lane, origins, retries: true }),
        });
      case 'bitbucket':
        return new BitbucketClient({
          apiUrl: source.endpoints.apiUrl,
          webUrl: source.endpoints.webUrl,
          token: needToken(),
          fetch: this.policy.fetcher({
            forge,
            lane,
            origins,
            retries: true,
            allowRedirect: bitbucketLogRedirect(source.endpoints.apiUrl),
          }),
        });
    }
  }
}

function secretsOf(credentials: ForgeCredentials | undefined): string[] {
  if (!credentials) return [];
  return credentials.kind === 'token' ? [credentials.token] : [credentials.app.privateKey];
}

/** Scheme and host of a refused URL, for the log: never its path or query (may hold tokens). */
function describe(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.hostname}`;
  } catch {
    return 'unparsable';
  }
}

/**
 * GitHub.com answers a job-log request with a redirect to short-lived signed storage
 * (documented: "Look for Location: in the response header"). Only those hosts, over https;
 * GitHub Enterprise Server redirects within its own origin, which the guard already allows.
 */
function githubLogRedirect(apiUrl: string): ((url: URL) => boolean) | undefined {
  if (new URL(apiUrl).hostname !== 'api.github.com') return undefined;
  return (url) =>
    url.protocol === 'https:' &&
    (url.hostname.endsWith('.actions.githubusercontent.com') ||
      url.hostname.endsWith('.blob.core.windows.net'));
}

/**
 * Bitbucket Cloud may answer a Pipelines step-log request with a redirect to the log's storage
 * (scripts that read these logs follow redirects); the host is not documented, so only signed
 * Amazon S3 URLs over https are followed, without credentials. Others are refused.
 */
export function bitbucketLogRedirect(apiUrl: string): ((url: URL) => boolean) | undefined {
  if (new URL(apiUrl).hostname !== 'api.bitbucket.org') return undefined;
  return (url) =>
    url.protocol === 'https:' &&
    url.hostname.endsWith('.amazonaws.com') &&
    url.searchParams.has('X-Amz-Signature');
}
