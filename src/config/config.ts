import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PROVIDER_ADAPTERS } from '../modules/webhooks/providers';
import {
  ALL_PROVIDERS,
  isProvider,
  NO_SECRETS,
  type Provider,
  type SecretEnvironment,
  type SourceSecrets,
} from '../modules/webhooks/providers/provider-adapter';

export const ROLES = ['all', 'api', 'worker'] as const;
export type Role = (typeof ROLES)[number];

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * Secrets of each provider's default source. A list means rotation: any one verifies. Which
 * variables feed them is each adapter's own declaration (ProviderAdapter.secrets).
 */
export type ProviderSecrets = Readonly<Record<Provider, SourceSecrets>>;

export interface RetentionConfig {
  /** Completed jobs are removed from Redis after this many hours. */
  completedJobsHours: number;
  /** Failed jobs are removed from Redis after this many hours. */
  failedJobsHours: number;
  /** Raw bodies of finished deliveries are dropped after this many days (the row stays). */
  bodyDays: number;
  /** Dead deliveries are deleted after this many days. */
  deadDays: number;
  /** How often the retention task runs. */
  intervalMs: number;
}

/** Limits of the HTTP server that a public endpoint needs (slow or idle clients, big bodies). */
export interface HttpServerConfig {
  /** Body limit of every route but the webhooks (those use maxBodyBytes). */
  apiMaxBodyBytes: number;
  /** Time a client has to send the request headers; 408 or a close after it. */
  headersTimeoutMs: number;
  /** Time a client has to send the whole request, body included; 408 or a close after it. */
  requestTimeoutMs: number;
  /** How long an idle keep-alive connection stays open between requests. */
  keepAliveTimeoutMs: number;
}

export interface IndexingConfig {
  /** Bare git mirrors live here (INDEX_DIR, default DATA_DIR/index). */
  dir: string;
  /** Files larger than this are not indexed (INDEX_MAX_FILE_BYTES). */
  maxFileBytes: number;
  /** Path globs never indexed: vendored trees and lockfiles (INDEX_EXCLUDE_PATHS). */
  excludePaths: string[];
}

export interface AnalysisConfig {
  /** Stored CI logs (and what was parsed from them) are deleted after this many days unused. */
  logRetentionDays: number;
  /** Logs longer than this are cut to their last bytes before they are stored and parsed. */
  maxLogBytes: number;
  /** How often stored logs are re-parsed after a parser upgrade and old results cleaned up. */
  upkeepIntervalMs: number;
}

export const FEEDBACK_KINDS = ['comment', 'status'] as const;
export type FeedbackKind = (typeof FEEDBACK_KINDS)[number];

/** A GitHub App Hookyard authenticates as (installation tokens are minted from it). */
export interface GitHubAppCredentials {
  appId: string;
  /** PEM text of the App's private key. */
  privateKey: string;
}

/** Outbound API access of the default sources (their web bases are the *Url fields). */
export interface ForgeApiConfig {
  githubApiUrl: string;
  githubToken: string | undefined;
  githubApp: GitHubAppCredentials | undefined;
  gitlabApiToken: string | undefined;
  giteaApiToken: string | undefined;
  bitbucketApiUrl: string;
  bitbucketApiToken: string | undefined;
  /** What feedback may be posted on pull requests (FEEDBACK; empty = none). */
  feedback: FeedbackKind[];
  /** Every outbound call is abandoned after this long. */
  requestTimeoutMs: number;
  /** How often reconciliation runs (0 = only at start and on demand). */
  reconciliationIntervalMs: number;
}

/** Inbound API rate limits (0 = no limit); webhooks, health and metrics are never limited. */
export interface RateLimitConfig {
  windowMs: number;
  /** Requests per window per API key (API_RATE_LIMIT_PER_KEY). */
  perKey: number;
  /** Requests per window per client address without a key (API_RATE_LIMIT_ANONYMOUS). */
  anonymous: number;
  /** Webhooks per minute the default source of a provider accepts (WEBHOOK_RATE_LIMITS); absent: no ceiling. */
  webhookDefaults: Partial<Record<Provider, number>>;
}

/**
 * The whole configuration, validated once at boot. Nothing else in the code reads
 * process.env: it asks for AppConfig through dependency injection.
 */
export class AppConfig {
  constructor(
    readonly port: number,
    readonly host: string,
    readonly role: Role,
    readonly databaseUrl: string | undefined,
    readonly databasePoolSize: number,
    /** Off behind a pooler that cannot keep prepared statements (PgBouncer in transaction mode before 1.21). */
    readonly databasePreparedStatements: boolean,
    readonly redisUrl: string,
    readonly queuePrefix: string,
    readonly dataDir: string,
    readonly adminToken: string | undefined,
    readonly logLevel: LogLevel,
    readonly secrets: ProviderSecrets,
    readonly secretsEncryptionKey: string | undefined,
    readonly maxBodyBytes: number,
    readonly jobAttempts: number,
    readonly workerConcurrency: number,
    readonly shutdownTimeoutMs: number,
    readonly outboxSweepIntervalMs: number,
    readonly outboxLostAfterMs: number,
    readonly retention: RetentionConfig,
    readonly http: HttpServerConfig,
    /** Web origin (and path prefix) of each forge, for clone URLs and API calls. */
    readonly githubUrl: string,
    readonly gitlabUrl: string,
    readonly giteaUrl: string | undefined,
    readonly bitbucketUrl: string,
    readonly indexing: IndexingConfig,
    readonly forgeApi: ForgeApiConfig,
    readonly rateLimit: RateLimitConfig,
    readonly analysis: AnalysisConfig,
  ) {}

  /** A copy with some values resolved at start-up (embedded database URL, generated token). */
  with(overrides: Partial<Pick<AppConfig, 'databaseUrl' | 'adminToken'>>): AppConfig {
    return Object.assign(Object.create(AppConfig.prototype) as AppConfig, this, overrides);
  }

  get servesHttp(): boolean {
    return this.role === 'all' || this.role === 'api';
  }

  get runsWorkers(): boolean {
    return this.role === 'all' || this.role === 'worker';
  }

  get runsScheduler(): boolean {
    return this.role === 'all' || this.role === 'worker';
  }
}

export class ConfigValidationError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigValidationError';
  }
}

type Env = Record<string, string | undefined>;

/** Collects one line per bad value instead of stopping at the first. */
class EnvReader implements SecretEnvironment {
  readonly problems: string[] = [];

  constructor(private readonly env: Env) {}

  private raw(name: string): string | undefined {
    const value = this.env[name];
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  }

  string(name: string, fallback: string): string {
    return this.raw(name) ?? fallback;
  }

  optional(name: string): string | undefined {
    return this.raw(name);
  }

  problem(message: string): void {
    this.problems.push(message);
  }

  int(name: string, fallback: number, min: number, max: number): number {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    const parsed = Number(value);
    if (!/^-?\d+$/.test(value) || parsed < min || parsed > max) {
      this.problems.push(`${name}="${value}" must be a whole number from ${min} to ${max}`);
      return fallback;
    }
    return parsed;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    const match = allowed.find((a) => a === value.toLowerCase());
    if (!match) {
      this.problems.push(`${name}="${value}" must be one of: ${allowed.join(', ')}`);
      return fallback;
    }
    return match;
  }

  url(name: string, protocols: string[], fallback?: string): string | undefined {
    const value = this.raw(name) ?? fallback;
    if (value === undefined) return undefined;
    try {
      const parsed = new URL(value);
      if (!protocols.includes(parsed.protocol)) {
        this.problems.push(`${name} must be a ${protocols.join(' or ')}// URL`);
      }
    } catch {
      this.problems.push(`${name} is not a valid URL`);
    }
    return value;
  }

  list(name: string, check?: (item: string) => string | undefined): string[] {
    const value = this.raw(name);
    if (value === undefined) return [];
    const items = value
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s.length > 0);
    for (const [index, item] of items.entries()) {
      const problem = check?.(item);
      // Never echo a secret's value: name the position only.
      if (problem) this.problems.push(`${name} entry ${index + 1}: ${problem}`);
    }
    return items;
  }
}

/** Every provider's default-source secrets, read by the variables its adapter declares. */
function readProviderSecrets(r: EnvReader): ProviderSecrets {
  const secrets = {} as Record<Provider, SourceSecrets>;
  for (const provider of ALL_PROVIDERS) {
    secrets[provider] = {
      ...NO_SECRETS,
      ...PROVIDER_ADAPTERS[provider].secrets.fromEnvironment(r),
    };
  }
  return secrets;
}

/** Vendored trees and lockfiles: large, generated, and noise in search results. */
export const DEFAULT_INDEX_EXCLUDES = [
  'node_modules/**',
  '**/node_modules/**',
  'vendor/**',
  '**/package-lock.json',
  '**/npm-shrinkwrap.json',
  '**/yarn.lock',
  '**/pnpm-lock.yaml',
  '**/Cargo.lock',
  '**/go.sum',
  '**/poetry.lock',
  '**/composer.lock',
  '**/Gemfile.lock',
];

/** A PEM given inline (literal or with \\n escapes), or a path to a PEM file. */
function readPrivateKey(r: EnvReader, name: string): string | undefined {
  const value = r.optional(name);
  if (value === undefined) return undefined;
  if (value.startsWith('-----BEGIN')) return value.replaceAll('\\n', '\n');
  if (!existsSync(value)) {
    r.problems.push(`${name} is neither a PEM private key nor the path of a readable file`);
    return undefined;
  }
  const pem = readFileSync(value, 'utf8').trim();
  if (!pem.startsWith('-----BEGIN')) r.problems.push(`${name}: the file does not hold a PEM key`);
  return pem;
}

function readFeedback(r: EnvReader): FeedbackKind[] {
  const items = r.list('FEEDBACK').map((item) => item.toLowerCase());
  if (items.length === 0) return [...FEEDBACK_KINDS];
  if (items.length === 1 && items[0] === 'none') return [];
  const kinds = FEEDBACK_KINDS.filter((kind) => items.includes(kind));
  if (kinds.length !== items.length) {
    r.problems.push('FEEDBACK must be none, or a list of comment and status (e.g. comment,status)');
  }
  return kinds;
}

function readGitHubApp(r: EnvReader): GitHubAppCredentials | undefined {
  const appId = r.optional('GITHUB_APP_ID');
  const privateKey = readPrivateKey(r, 'GITHUB_APP_PRIVATE_KEY');
  if (appId !== undefined && !/^\d+$/.test(appId))
    r.problems.push('GITHUB_APP_ID must be a number');
  if ((appId === undefined) !== (privateKey === undefined)) {
    r.problems.push('GITHUB_APP_ID and GITHUB_APP_PRIVATE_KEY must be set together');
    return undefined;
  }
  return appId !== undefined && privateKey !== undefined ? { appId, privateKey } : undefined;
}

/** The most webhooks per minute a source's ceiling may name (as the admin API's). */
export const MAX_WEBHOOK_RATE_LIMIT = 1_000_000;

/** WEBHOOK_RATE_LIMITS: `provider=perMinute` entries, e.g. `github=600,gitlab=120`. */
function readWebhookRateLimits(r: EnvReader): Partial<Record<Provider, number>> {
  const limits: Partial<Record<Provider, number>> = {};
  for (const entry of r.list('WEBHOOK_RATE_LIMITS')) {
    const match = /^([a-z0-9-]+)\s*=\s*(\d+)$/.exec(entry);
    const provider = match?.[1];
    const perMinute = Number(match?.[2]);
    if (provider === undefined || !isProvider(provider)) {
      r.problem(
        `WEBHOOK_RATE_LIMITS entry "${entry}" must be provider=perMinute with a provider of ${ALL_PROVIDERS.join(', ')}`,
      );
    } else if (perMinute < 1 || perMinute > MAX_WEBHOOK_RATE_LIMIT) {
      r.problem(
        `WEBHOOK_RATE_LIMITS entry "${entry}": the ceiling must be from 1 to ${MAX_WEBHOOK_RATE_LIMIT}`,
      );
    } else {
      limits[provider] = perMinute;
    }
  }
  return limits;
}

const HTTP = ['http:', 'https:'];

export function loadConfig(env: Env): AppConfig {
  const r = new EnvReader(env);
  const config = new AppConfig(
    r.int('PORT', 3000, 0, 65535),
    r.string('HOST', '0.0.0.0'),
    r.oneOf('ROLE', ROLES, 'all'),
    r.url('DATABASE_URL', ['postgres:', 'postgresql:']),
    r.int('DATABASE_POOL_SIZE', 20, 2, 200),
    r.oneOf('DATABASE_PREPARED_STATEMENTS', ['true', 'false'], 'true') === 'true',
    r.url('REDIS_URL', ['redis:', 'rediss:'], 'redis://127.0.0.1:6379') ?? '',
    r.string('QUEUE_PREFIX', 'hookyard'),
    resolve(r.string('DATA_DIR', './.data')),
    r.optional('ADMIN_TOKEN'),
    r.oneOf('LOG_LEVEL', LOG_LEVELS, 'info'),
    readProviderSecrets(r),
    r.optional('SECRETS_ENCRYPTION_KEY'),
    r.int('WEBHOOK_MAX_BODY_BYTES', 25 * 1024 * 1024, 1024, 1024 * 1024 * 1024),
    r.int('JOB_ATTEMPTS', 5, 1, 100),
    r.int('WORKER_CONCURRENCY', 8, 1, 256),
    r.int('SHUTDOWN_TIMEOUT_MS', 30000, 0, 600000),
    r.int('OUTBOX_SWEEP_INTERVAL_MS', 5000, 100, 3600000),
    r.int('OUTBOX_LOST_AFTER_MS', 15000, 0, 86400000),
    {
      completedJobsHours: r.int('RETENTION_COMPLETED_JOBS_HOURS', 24, 0, 24 * 365),
      failedJobsHours: r.int('RETENTION_FAILED_JOBS_HOURS', 24 * 7, 0, 24 * 365),
      bodyDays: r.int('RETENTION_BODY_DAYS', 30, 0, 3650),
      deadDays: r.int('RETENTION_DEAD_DAYS', 90, 0, 3650),
      intervalMs: r.int('RETENTION_INTERVAL_MS', 3600000, 1000, 86400000),
    },
    {
      apiMaxBodyBytes: r.int('API_MAX_BODY_BYTES', 1024 * 1024, 1024, 1024 * 1024 * 1024),
      headersTimeoutMs: r.int('HTTP_HEADERS_TIMEOUT_MS', 10_000, 100, 600_000),
      requestTimeoutMs: r.int('HTTP_REQUEST_TIMEOUT_MS', 30_000, 100, 3_600_000),
      keepAliveTimeoutMs: r.int('HTTP_KEEP_ALIVE_TIMEOUT_MS', 72_000, 100, 3_600_000),
    },
    r.url('GITHUB_URL', ['https:', 'http:'], 'https://github.com') ?? '',
    r.url('GITLAB_URL', ['https:', 'http:'], 'https://gitlab.com') ?? '',
    r.url('GITEA_URL', ['https:', 'http:']),
    r.url('BITBUCKET_URL', ['https:', 'http:'], 'https://bitbucket.org') ?? '',
    {
      dir: resolve(r.string('INDEX_DIR', join(r.string('DATA_DIR', './.data'), 'index'))),
      maxFileBytes: r.int('INDEX_MAX_FILE_BYTES', 1024 * 1024, 1, 1024 * 1024 * 1024),
      excludePaths:
        r.optional('INDEX_EXCLUDE_PATHS') === undefined
          ? DEFAULT_INDEX_EXCLUDES
          : r.list('INDEX_EXCLUDE_PATHS'),
    },
    {
      githubApiUrl: r.url('GITHUB_API_URL', HTTP, 'https://api.github.com') ?? '',
      githubToken: r.optional('GITHUB_TOKEN'),
      githubApp: readGitHubApp(r),
      gitlabApiToken: r.optional('GITLAB_API_TOKEN'),
      giteaApiToken: r.optional('GITEA_API_TOKEN'),
      bitbucketApiUrl: r.url('BITBUCKET_API_URL', HTTP, 'https://api.bitbucket.org/2.0') ?? '',
      bitbucketApiToken: r.optional('BITBUCKET_API_TOKEN'),
      feedback: readFeedback(r),
      requestTimeoutMs: r.int('FORGE_REQUEST_TIMEOUT_MS', 30000, 100, 600000),
      reconciliationIntervalMs: r.int('RECONCILIATION_INTERVAL_MS', 900000, 0, 86400000),
    },
    {
      windowMs: r.int('API_RATE_LIMIT_WINDOW_MS', 60_000, 1000, 3_600_000),
      perKey: r.int('API_RATE_LIMIT_PER_KEY', 1200, 0, 1_000_000),
      anonymous: r.int('API_RATE_LIMIT_ANONYMOUS', 120, 0, 1_000_000),
      webhookDefaults: readWebhookRateLimits(r),
    },
    {
      logRetentionDays: r.int('ANALYSIS_LOG_RETENTION_DAYS', 90, 1, 3650),
      maxLogBytes: r.int('ANALYSIS_MAX_LOG_BYTES', 64 * 1024 * 1024, 1024, 1024 * 1024 * 1024),
      upkeepIntervalMs: r.int('ANALYSIS_UPKEEP_INTERVAL_MS', 600_000, 1000, 86_400_000),
    },
  );
  const adminToken = config.adminToken;
  if (adminToken !== undefined && adminToken.length < 16) {
    r.problems.push('ADMIN_TOKEN must be at least 16 characters');
  }
  const key = config.secretsEncryptionKey;
  if (key !== undefined && Buffer.from(key, 'base64').length !== 32) {
    r.problems.push('SECRETS_ENCRYPTION_KEY must be 32 bytes, base64-encoded');
  }
  if (config.http.headersTimeoutMs > config.http.requestTimeoutMs) {
    r.problems.push('HTTP_HEADERS_TIMEOUT_MS must not be larger than HTTP_REQUEST_TIMEOUT_MS');
  }
  if (r.problems.length > 0) throw new ConfigValidationError(r.problems);
  return config;
}

/** The one place that reads the process environment. */
export function loadConfigFromProcess(): AppConfig {
  return loadConfig(process.env);
}
