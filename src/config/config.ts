import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';

export const ROLES = ['all', 'api', 'worker'] as const;
export type Role = (typeof ROLES)[number];

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Secrets per provider for the default sources. A list means rotation: any one verifies. */
export interface ProviderSecrets {
  github: string[];
  gitlabToken: string[];
  gitlabSigning: string[];
  gitea: string[];
  bitbucket: string[];
}

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
    /** Web (and git) base of the default GitHub source. */
    readonly githubUrl: string,
    /** Web base of the default GitLab source; its API is <gitlabUrl>/api/v4. */
    readonly gitlabUrl: string,
    /** Web base of the default Gitea source (self-hosted: no default); API at <giteaUrl>/api/v1. */
    readonly giteaUrl: string | undefined,
    /** Web base of the default Bitbucket source. */
    readonly bitbucketUrl: string,
    readonly forgeApi: ForgeApiConfig,
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
class EnvReader {
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

const isStandardWebhooksKey = (item: string): string | undefined =>
  /^whsec_[A-Za-z0-9+/=]+$/.test(item) ? undefined : 'must be a whsec_<base64> signing token';

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
    {
      github: r.list('GITHUB_WEBHOOK_SECRET'),
      gitlabToken: r.list('GITLAB_WEBHOOK_TOKEN'),
      gitlabSigning: r.list('GITLAB_WEBHOOK_SIGNING_TOKEN', isStandardWebhooksKey),
      gitea: r.list('GITEA_WEBHOOK_SECRET'),
      bitbucket: r.list('BITBUCKET_WEBHOOK_SECRET'),
    },
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
    r.url('GITHUB_URL', HTTP, 'https://github.com') ?? '',
    r.url('GITLAB_URL', HTTP, 'https://gitlab.com') ?? '',
    r.url('GITEA_URL', HTTP),
    r.url('BITBUCKET_URL', HTTP, 'https://bitbucket.org') ?? '',
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
  );
  const adminToken = config.adminToken;
  if (adminToken !== undefined && adminToken.length < 16) {
    r.problems.push('ADMIN_TOKEN must be at least 16 characters');
  }
  const key = config.secretsEncryptionKey;
  if (key !== undefined && Buffer.from(key, 'base64').length !== 32) {
    r.problems.push('SECRETS_ENCRYPTION_KEY must be 32 bytes, base64-encoded');
  }
  if (r.problems.length > 0) throw new ConfigValidationError(r.problems);
  return config;
}

/** The one place that reads the process environment. */
export function loadConfigFromProcess(): AppConfig {
  return loadConfig(process.env);
}
