import { DomainEvent, UnreadablePayloadError } from './domain-events';

/**
 * Strings that are part of a unique or lookup key (ids, hashes, refs). Cutting one would make
 * two different records one, so a longer value makes the delivery unreadable instead. A btree
 * entry holds at most 2704 bytes; 512 UTF-16 units are at most 1536 UTF-8 bytes.
 */
const KEY_FIELDS = new Set([
  'externalId',
  'runExternalId',
  'sha',
  'headSha',
  'commitSha',
  'before',
  'after',
  'source',
  'ref',
  'headRef',
  'baseRef',
  'headBranch',
  'tagName',
]);
export const MAX_KEY_LENGTH = 512;

/** Names that are indexed or shown in lists: cut to this length (nothing depends on the tail). */
const NAME_FIELDS = new Set(['fullName', 'name', 'login', 'environment']);
export const MAX_NAME_LENGTH = 512;

/** RFC 5321 bounds an address to 254 characters; a longer one identifies nobody. */
const EMAIL_FIELDS = new Set(['email']);
export const MAX_EMAIL_LENGTH = 254;

// NUL and any surrogate: the fast test; most strings have neither.
// eslint-disable-next-line no-control-regex
const SUSPECT = /[\u0000\uD800-\uDFFF]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * PostgreSQL text and jsonb cannot hold NUL, and jsonb refuses a lone surrogate escape: drop the
 * one, replace the other with U+FFFD. Pairs (emoji) stay as they are.
 */
export function storableText(value: string): string {
  if (!SUSPECT.test(value)) return value;
  return value.replaceAll('\u0000', '').replace(LONE_SURROGATE, '\uFFFD');
}

/** Cuts to `max` UTF-16 units without splitting a surrogate pair. */
function cut(value: string, max: number): string {
  if (value.length <= max) return value;
  const end = /[\uD800-\uDBFF]/.test(value[max - 1]) ? max - 1 : max;
  return value.slice(0, end);
}

function cleanString(value: string, field: string, path: string): string | undefined {
  const text = storableText(value);
  if (KEY_FIELDS.has(field) && text.length > MAX_KEY_LENGTH) {
    throw new UnreadablePayloadError(
      `${path} is ${text.length} characters long; an id, hash or ref may have at most ${MAX_KEY_LENGTH}`,
    );
  }
  if (NAME_FIELDS.has(field)) return cut(text, MAX_NAME_LENGTH);
  if (EMAIL_FIELDS.has(field) && text.length > MAX_EMAIL_LENGTH) return undefined;
  return text;
}

function clean(value: unknown, field: string, path: string): unknown {
  if (typeof value === 'string') return cleanString(value, field, path);
  if (Array.isArray(value)) {
    return value.map((item: unknown, i) =>
      typeof item === 'string' ? storableText(item) : clean(item, field, `${path}[${i}]`),
    );
  }
  if (value === null || typeof value !== 'object') return value;
  const copy: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    const cleaned = clean(inner, key, `${path}.${key}`);
    if (cleaned !== undefined) copy[key] = cleaned;
  }
  return copy;
}

/**
 * The one place normalized events become storable, whichever forge they came from: text
 * without what PostgreSQL refuses, key strings within what an index entry can hold (a longer
 * one makes the delivery unreadable, naming the field), names cut, impossible emails dropped.
 */
export function storableEvents(events: DomainEvent[]): DomainEvent[] {
  return events.map((event, i) => clean(event, '', `events[${i}](${event.kind})`) as DomainEvent);
}
