import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { AppConfig } from '../../config/config';
import { PgListener } from '../database/pg-listener';
import { AppError, ErrorCode } from '../http/app-error';
import { ApiKeyPageView, ApiKeyView, CreatedApiKeyView } from './api-keys.dto';
import { ApiKeysRepository, ListedApiKey } from './api-keys.repository';
import { ALL_SCOPES, Principal, Scope } from './principal';
import { messageOf } from '../errors/message-of';

export const KEY_PREFIX = 'hy_';
/** `hy_` + 32 random bytes in base64url (43 characters). */
const KEY_FORMAT = /^hy_[A-Za-z0-9_-]{43}$/;
const PREFIX_LENGTH = 8;

/** A verified key is trusted this long without asking the database again. */
export const VERIFIED_CACHE_TTL_MS = 30_000;
/** At most this many verified keys are cached; the oldest go first. */
const MAX_CACHED_KEYS = 10_000;
/** last_used_at is written at most this often per key. */
const LAST_USED_INTERVAL_MS = 60_000;

interface CachedKey {
  principal: Principal;
  expiresAt: number;
}

function hashOf(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}

function scopesOf(values: readonly string[]): Scope[] {
  return ALL_SCOPES.filter((scope) => values.includes(scope));
}

function view(key: ListedApiKey): ApiKeyView {
  return {
    id: key.id,
    name: key.name,
    prefix: key.prefix,
    scopes: scopesOf(key.scopes),
    createdBy: key.createdBy,
    createdAt: key.createdAt.toISOString(),
    lastUsedAt: key.lastUsedAt?.toISOString() ?? null,
    revokedAt: key.revokedAt?.toISOString() ?? null,
  };
}

/** Revocations are announced on this channel (payload: the key id) when they commit. */
const REVOKED_CHANNEL = 'hookyard_api_keys_revoked';

/**
 * API keys stored as SHA-256 hashes. A key is looked up by its hash, so verifying never
 * compares a secret byte by byte; verified keys are cached briefly to keep the database off
 * the hot path. Revoking clears this process's cache at once and, through a notification,
 * every other process's; a process that is not listening right then still stops accepting
 * the key within VERIFIED_CACHE_TTL_MS.
 */
@Injectable()
export class ApiKeysService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ApiKeysService.name);
  /** Verified keys by the hex of their hash. */
  private readonly verified = new Map<string, CachedKey>();
  /** When last_used_at was last written, per key id. */
  private readonly lastUsedWrites = new Map<string, number>();

  private listener?: PgListener;

  constructor(
    private readonly keys: ApiKeysRepository,
    private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.servesHttp || !this.config.databaseUrl) return;
    this.listener = new PgListener({
      connectionString: this.config.databaseUrl,
      channel: REVOKED_CHANNEL,
      what: 'API key revocation listener',
      fallback: `revoked keys stop working within ${VERIFIED_CACHE_TTL_MS / 1000} s`,
      onNotification: (keyId) => {
        if (keyId) this.forget(keyId);
      },
      // Revocations announced while it was not listening are unknown: start afresh.
      onListening: () => this.verified.clear(),
      logger: this.logger,
    });
    await this.listener.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.listener?.stop();
  }

  /** Creates a key. The answer is the only place the plaintext key ever appears. */
  async create(
    name: string,
    scopes: readonly Scope[],
    createdBy: string | undefined,
  ): Promise<CreatedApiKeyView> {
    const key = `${KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
    const prefix = key.slice(KEY_PREFIX.length, KEY_PREFIX.length + PREFIX_LENGTH);
    const created = await this.keys.create({
      name,
      prefix,
      keyHash: hashOf(key),
      scopes: scopesOf(scopes),
      createdBy: createdBy ?? null,
    });
    return {
      id: created.id,
      name: created.name,
      scopes: scopesOf(created.scopes),
      key,
      prefix: created.prefix,
      createdAt: created.createdAt.toISOString(),
    };
  }

  /** Every key, newest first; never the key or its hash. */
  async list(limit: number, cursor?: string): Promise<ApiKeyPageView> {
    const page = await this.keys.page(limit, cursor);
    return { items: page.rows.map(view), nextCursor: page.nextCursor };
  }

  /** Revokes a key (the row stays, for the audit trail). Revoking twice is harmless. */
  async revoke(id: string): Promise<void> {
    // The notification goes out with the commit, to every process listening.
    const revoked = await this.keys.revoke(id, REVOKED_CHANNEL);
    this.forget(id);
    if (!revoked) throw new AppError(ErrorCode.NotFound, `API key ${id} does not exist`);
  }

  /** Drops what this process remembers of a key. */
  private forget(id: string): void {
    for (const [hash, cached] of this.verified) {
      if (cached.principal.keyId === id) this.verified.delete(hash);
    }
    this.lastUsedWrites.delete(id);
  }

  /** Who a key belongs to, or undefined for an unknown, malformed or revoked key. */
  async verify(key: string): Promise<Principal | undefined> {
    if (!KEY_FORMAT.test(key)) return undefined;
    const hash = hashOf(key);
    const cacheKey = hash.toString('hex');
    const cached = this.verified.get(cacheKey);
    if (cached && cached.expiresAt > Date.now()) {
      this.touch(cached.principal.keyId);
      return cached.principal;
    }
    this.verified.delete(cacheKey);
    const row = await this.keys.findActiveByHash(hash);
    if (!row || row.keyHash.length !== hash.length || !timingSafeEqual(row.keyHash, hash)) {
      return undefined;
    }
    const principal: Principal = { keyId: row.id, name: row.name, scopes: scopesOf(row.scopes) };
    if (this.verified.size >= MAX_CACHED_KEYS) {
      const oldest = this.verified.keys().next();
      if (!oldest.done) this.verified.delete(oldest.value);
    }
    this.verified.set(cacheKey, { principal, expiresAt: Date.now() + VERIFIED_CACHE_TTL_MS });
    this.touch(row.id);
    return principal;
  }

  /** Records that a key was used, at most once a minute per key, without delaying the request. */
  private touch(id: string): void {
    const now = Date.now();
    const last = this.lastUsedWrites.get(id);
    if (last !== undefined && now - last < LAST_USED_INTERVAL_MS) return;
    this.lastUsedWrites.set(id, now);
    this.keys.touch(id).catch((error: unknown) => {
      this.lastUsedWrites.delete(id);
      this.logger.warn(`Could not record last use of API key ${id}: ${messageOf(error)}`);
    });
  }
}
