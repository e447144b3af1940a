import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { keysetCursor, PositionedRow } from '../database/keyset-cursor';
import { AuditEntryView, AuditPageView } from './audit.dto';

export const REDACTED = '[redacted]';
/** Bodies larger than this (as JSON) are not kept in the log, only their size. */
const MAX_DETAILS_CHARS = 64 * 1024;
const MAX_DEPTH = 20;

/** One state change made with a key. */
export interface AuditRecord {
  keyId: string;
  keyName: string | null;
  method: string;
  path: string;
  action: string;
  target: string | null;
  statusCode: number;
  details: unknown;
}

export interface AuditFilter {
  keyId?: string;
  action?: string;
  from?: string;
  to?: string;
}

interface AuditRow {
  id: string;
  at: Date;
  key_id: string;
  key_name: string | null;
  method: string | null;
  path: string | null;
  action: string;
  target: string | null;
  status_code: number | null;
  details: unknown;
}

const LISTING = keysetCursor({
  name: 'audit',
  keys: [{ sql: 'at', type: 'timestamptz' }],
  id: 'id',
  direction: 'desc',
});

function isSensitive(field: string): boolean {
  const name = field.toLowerCase();
  return (
    name.endsWith('key') ||
    name.endsWith('keys') ||
    /secret|token|password|passphrase|credential/.test(name)
  );
}

/** PostgreSQL jsonb cannot hold NUL characters. */
function storable(text: string): string {
  return text.replaceAll('\u0000', '\uFFFD');
}

function redacted(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return storable(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_DEPTH) return '[too deep]';
  if (Array.isArray(value)) return value.map((item) => redacted(item, depth + 1));
  if (Buffer.isBuffer(value)) return `[${value.length} bytes]`;
  const copy: Record<string, unknown> = {};
  for (const [field, inner] of Object.entries(value)) {
    copy[storable(field)] = isSensitive(field) ? REDACTED : redacted(inner, depth + 1);
  }
  return copy;
}

/**
 * A request body as it may be kept in the audit log: every field named like a secret, key,
 * token or password (at any depth) replaced by "[redacted]", oversized bodies by their size.
 */
export function auditDetails(body: unknown): unknown {
  if (body === undefined || body === null) return null;
  if (typeof body === 'string') return { body: `[${Buffer.byteLength(body)} bytes of text]` };
  const safe = redacted(body, 0);
  const json = JSON.stringify(safe);
  if (json.length > MAX_DETAILS_CHARS) return { truncated: true, chars: json.length };
  return safe;
}

function view(row: AuditRow): AuditEntryView {
  return {
    id: row.id,
    at: row.at.toISOString(),
    keyId: row.key_id,
    keyName: row.key_name,
    method: row.method,
    path: row.path,
    action: row.action,
    target: row.target,
    statusCode: row.status_code,
    details: row.details,
  };
}

/** The audit log: who changed what, when, with which outcome. */
@Injectable()
export class AuditService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async record(entry: AuditRecord): Promise<void> {
    const details = auditDetails(entry.details);
    await this.dataSource.query(
      `INSERT INTO audit_log
         (key_id, key_name, method, path, action, target, status_code, details)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb)`,
      [
        entry.keyId,
        entry.keyName,
        entry.method,
        storable(entry.path),
        storable(entry.action),
        entry.target === null ? null : storable(entry.target),
        entry.statusCode,
        details === null ? null : JSON.stringify(details),
      ],
    );
  }

  /** Entries newest first, filtered, a keyset page at a time. */
  async page(filter: AuditFilter, limit: number, cursor?: string): Promise<AuditPageView> {
    const params: unknown[] = [];
    const param = (value: unknown) => {
      params.push(value);
      return `$${params.length}`;
    };
    const conditions: string[] = [];
    if (filter.keyId !== undefined) conditions.push(`key_id = ${param(filter.keyId)}`);
    if (filter.action !== undefined) conditions.push(`action = ${param(filter.action)}`);
    if (filter.from !== undefined) conditions.push(`at >= ${param(filter.from)}::timestamptz`);
    if (filter.to !== undefined) conditions.push(`at < ${param(filter.to)}::timestamptz`);
    if (cursor !== undefined) conditions.push(LISTING.after(cursor, param));
    const where = conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
    const rows = await this.dataSource.query<(AuditRow & PositionedRow)[]>(
      `SELECT id, at, key_id, key_name, method, path, action, target, status_code, details,
         ${LISTING.select}
       FROM audit_log ${where} ORDER BY ${LISTING.orderBy} LIMIT ${param(limit + 1)}`,
      params,
    );
    const page = LISTING.page(rows, limit);
    return { items: page.rows.map(view), nextCursor: page.nextCursor };
  }
}
