import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { keysetCursor, PositionedRow } from '../database/keyset-cursor';
import { namedInsert, SqlQuery } from '../database/sql';
import { AuditEntryEntity } from './audit-entry.entity';
import type { AuditFilter } from './audit.service';
import { AuditEntryView, AuditPageView } from './audit.dto';

type ListedEntry = AuditEntryEntity & PositionedRow;

const INSERT = namedInsert(
  'audit_log',
  ['key_id', 'key_name', 'method', 'path', 'action', 'target', 'status_code', 'details'],
  '',
);

const LISTING = keysetCursor({
  name: 'audit',
  keys: [{ sql: 'at', type: 'timestamptz' }],
  id: 'id',
  direction: 'desc',
});

function view(row: ListedEntry): AuditEntryView {
  return {
    id: row.id,
    at: row.at.toISOString(),
    keyId: row.keyId,
    keyName: row.keyName,
    method: row.method,
    path: row.path,
    action: row.action,
    target: row.target,
    statusCode: row.statusCode,
    details: row.details,
  };
}

/** The table audit_log. */
@Injectable()
export class AuditLogRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** `details` is any JSON value (a body may be an array or a number), bound as JSON text. */
  async insert(entry: Omit<AuditEntryEntity, 'id' | 'at'>): Promise<void> {
    await this.dataSource.query(
      INSERT.sql,
      INSERT.paramsOf({
        key_id: entry.keyId,
        key_name: entry.keyName,
        method: entry.method,
        path: entry.path,
        action: entry.action,
        target: entry.target,
        status_code: entry.statusCode,
        details: entry.details === null ? null : JSON.stringify(entry.details),
      }),
    );
  }

  /** Entries newest first, filtered, a keyset page at a time. */
  async page(filter: AuditFilter, limit: number, cursor?: string): Promise<AuditPageView> {
    const query = new SqlQuery()
      .whereIf(filter.keyId, 'key_id = ?')
      .whereIf(filter.action, 'action = ?')
      .whereIf(filter.from, 'at >= ?::timestamptz')
      .whereIf(filter.to, 'at < ?::timestamptz');
    if (cursor !== undefined) query.where(LISTING.after(cursor, query.param));
    const rows = await this.dataSource.query<ListedEntry[]>(
      `SELECT id, at, key_id AS "keyId", key_name AS "keyName", method, path, action, target,
         status_code AS "statusCode", details, ${LISTING.select}
       FROM audit_log WHERE ${query.whereSql} ORDER BY ${LISTING.orderBy}
       LIMIT ${query.param(limit + 1)}`,
      query.params,
    );
    const page = LISTING.page(rows, limit);
    return { items: page.rows.map(view), nextCursor: page.nextCursor };
  }
}
