import { SECRET_HEADERS } from '../../core/observability/logging';

/**
 * Headers kept with a stored delivery, shown to every `read` key and handed to normalizers.
 * An allow-list: what a proxy or a client adds (proxy-authorization, x-api-key, cookies,
 * tokens of any name) is not kept. Forges' own headers are kept by their prefix, so a new
 * forge header needs no change here; signatures and tokens never are.
 */
const KEPT_NAMES = new Set([
  'content-type',
  'content-length',
  'user-agent',
  'idempotency-key',
  'webhook-id',
  'webhook-timestamp',
  'x-event-key',
  'x-request-uuid',
  'x-request-id',
  'x-hook-uuid',
  'x-attempt-number',
]);
const KEPT_PREFIXES = ['x-github-', 'x-gitlab-', 'x-gitea-', 'x-forgejo-', 'x-gogs-', 'x-vss-'];

const DROPPED = new Set(SECRET_HEADERS);
/** Whatever its forge prefix, a header named like a credential is not kept. */
const CREDENTIAL = /auth|token|secret|signature|password|cookie|key$/;

export function isStoredHeader(name: string): boolean {
  const lower = name.toLowerCase();
  if (DROPPED.has(lower)) return false;
  if (KEPT_NAMES.has(lower)) return true;
  return !CREDENTIAL.test(lower) && KEPT_PREFIXES.some((prefix) => lower.startsWith(prefix));
}

/** The headers of a delivery as they may be stored (names in lower case). */
export function storedHeaders(
  headers: Readonly<Record<string, string | undefined>>,
): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && isStoredHeader(name)) kept[name.toLowerCase()] = value;
  }
  return kept;
}
