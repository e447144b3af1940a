import type { ActorRef } from '../../activity/domain-events';
import { omitUndefined, type PayloadReader } from './payload-reader';

/** Request headers as the adapters receive them (lower-case names). */
export type WebhookHeaders = Readonly<Record<string, string | undefined>>;

/**
 * The occurredAt of an event whose payload carries no time at all (a GitLab tag push, a branch
 * deletion). The contract requires a string and forbids the clock; the epoch sorts before any
 * real time, so such an event never wins a "newest state" comparison.
 */
export const EVENT_TIME_UNKNOWN = '1970-01-01T00:00:00.000Z';

const ZERO_SHA = /^0+$/;
const FULL_SHA = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/i;

/** Git's all-zero object id, which forges send as `after` of a deleted ref. */
export function isZeroSha(sha: string | undefined): boolean {
  return sha !== undefined && ZERO_SHA.test(sha);
}

/** The last path segment of a URL when it is a full commit id (SHA-1 or SHA-256). */
export function shaFromUrl(url: string | undefined): string | undefined {
  const segment = url?.replace(/\/+$/, '').split('/').pop();
  return segment !== undefined && FULL_SHA.test(segment) ? segment : undefined;
}

/** The newest of the given ISO timestamps, compared as instants (offsets may differ). */
export function latestTimestamp(
  ...timestamps: readonly (string | undefined)[]
): string | undefined {
  return pickTimestamp(timestamps, (candidate, best) => candidate > best);
}

/** The oldest of the given ISO timestamps, compared as instants. */
export function earliestTimestamp(
  ...timestamps: readonly (string | undefined)[]
): string | undefined {
  return pickTimestamp(timestamps, (candidate, best) => candidate < best);
}

function pickTimestamp(
  timestamps: readonly (string | undefined)[],
  better: (candidate: number, best: number) => boolean,
): string | undefined {
  let picked: string | undefined;
  let pickedMillis = 0;
  for (const timestamp of timestamps) {
    if (timestamp === undefined) continue;
    const millis = Date.parse(timestamp);
    if (Number.isNaN(millis)) continue;
    if (picked === undefined || better(millis, pickedMillis)) {
      picked = timestamp;
      pickedMillis = millis;
    }
  }
  return picked;
}

/** Splits a git identity line `Name <email>`; a line without `<…>` is all name. */
export function parseNameAndEmail(raw: string): Pick<ActorRef, 'name' | 'email'> {
  const match = /^(.*?)\s*<([^>]*)>\s*$/.exec(raw.trim());
  if (!match) return omitUndefined({ name: raw.trim() || undefined });
  return omitUndefined({ name: match[1] || undefined, email: match[2] || undefined });
}

/** The `text` values of a list of objects, e.g. label names. */
export function textsOf(readers: readonly PayloadReader[], key: string): string[] {
  return readers.map((reader) => reader.text(key)).filter((text) => text !== undefined);
}

/** The actor without its absent fields, or undefined when nothing about it is known. */
export function presentActor(actor: ActorRef): ActorRef | undefined {
  const present = omitUndefined(actor);
  return Object.keys(present).length === 0 ? undefined : present;
}
