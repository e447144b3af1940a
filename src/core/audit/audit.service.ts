import { Injectable } from '@nestjs/common';
import { AuditLogRepository } from './audit-log.repository';
import { AuditPageView } from './audit.dto';

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

/** The audit log: who changed what, when, with which outcome. */
@Injectable()
export class AuditService {
  constructor(private readonly entries: AuditLogRepository) {}

  async record(entry: AuditRecord): Promise<void> {
    await this.entries.insert({
      keyId: entry.keyId,
      keyName: entry.keyName,
      method: entry.method,
      path: storable(entry.path),
      action: storable(entry.action),
      target: entry.target === null ? null : storable(entry.target),
      statusCode: entry.statusCode,
      details: auditDetails(entry.details),
    });
  }

  /** Entries newest first, filtered, a keyset page at a time. */
  page(filter: AuditFilter, limit: number, cursor?: string): Promise<AuditPageView> {
    return this.entries.page(filter, limit, cursor);
  }
}
