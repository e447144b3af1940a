import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, IsNull, Repository } from 'typeorm';
import { keysetCursor, Page, PositionedRow } from '../database/keyset-cursor';
import { SqlParams } from '../database/sql';
import { ApiKeyEntity } from './api-key.entity';
import { Scope } from './principal';

/** A key as listings show it: never its hash. */
export type ListedApiKey = Omit<ApiKeyEntity, 'keyHash'>;

const LISTING = keysetCursor({
  name: 'api-keys',
  keys: [{ sql: 'created_at', type: 'timestamptz' }],
  id: 'id',
  direction: 'desc',
});

/** The listed columns, named as the entity's properties. */
const LISTED_COLUMNS = `id, name, prefix, scopes, created_by AS "createdBy", created_at AS "createdAt",
  last_used_at AS "lastUsedAt", revoked_at AS "revokedAt"`;

/** The table api_keys. */
@Injectable()
export class ApiKeysRepository {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectRepository(ApiKeyEntity) private readonly keys: Repository<ApiKeyEntity>,
  ) {}

  async create(key: {
    name: string;
    prefix: string;
    keyHash: Buffer;
    scopes: Scope[];
    createdBy: string | null;
  }): Promise<Pick<ApiKeyEntity, 'id' | 'name' | 'prefix' | 'scopes' | 'createdAt'>> {
    // INSERT … RETURNING gives back the id and the defaulted created_at.
    return this.keys.save(this.keys.create(key));
  }

  /** Every key, newest first, a keyset page at a time. */
  async page(limit: number, cursor?: string): Promise<Page<ListedApiKey & PositionedRow>> {
    const params = new SqlParams();
    const after = cursor ? `WHERE ${LISTING.after(cursor, params.param)}` : '';
    const rows = await this.dataSource.query<(ListedApiKey & PositionedRow)[]>(
      `SELECT ${LISTED_COLUMNS}, ${LISTING.select}
       FROM api_keys ${after} ORDER BY ${LISTING.orderBy} LIMIT ${params.param(limit + 1)}`,
      params.params,
    );
    return LISTING.page(rows, limit);
  }

  /**
   * Revokes a key (the row stays, for the audit trail) and announces it on `channel` when the
   * transaction commits, to every process listening. Answers false for an unknown key.
   */
  async revoke(id: string, channel: string): Promise<boolean> {
    const rows = await this.dataSource.query<{ id: string }[]>(
      `WITH revoked AS (
         UPDATE api_keys SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1 RETURNING id)
       SELECT revoked.id, pg_notify($2, revoked.id::text) AS notified
       FROM revoked`,
      [id, channel],
    );
    return rows.length > 0;
  }

  /** The key with this hash, unless revoked. */
  findActiveByHash(
    hash: Buffer,
  ): Promise<Pick<ApiKeyEntity, 'id' | 'name' | 'scopes' | 'keyHash'> | null> {
    return this.keys.findOne({
      select: { id: true, name: true, scopes: true, keyHash: true },
      where: { keyHash: hash, revokedAt: IsNull() },
    });
  }

  async touch(id: string): Promise<void> {
    await this.keys.update({ id }, { lastUsedAt: () => 'now()' });
  }
}
