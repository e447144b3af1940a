import { UnreadablePayloadError } from '../../activity/domain-events';

/** A JSON object from an untrusted payload: keys are known, values are not. */
export type PayloadRecord = Readonly<Record<string, unknown>>;

export function isPayloadRecord(value: unknown): value is PayloadRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// Full date and time with seconds optional, fractions of any precision and a zone (Z or offset).
const ISO_8601_DATE_TIME =
  /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)$/;

/**
 * A timestamp as an ISO 8601 string: ISO strings are kept as sent (offset included), other
 * strings the JavaScript date parser understands (e.g. `2019-05-15 15:19:25 UTC`) become UTC ISO,
 * and numbers are read as Unix seconds. Anything else, or an impossible date, is undefined.
 */
export function toIsoTimestamp(value: unknown): string | undefined {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return undefined;
    const date = new Date(value * 1000);
    return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
  }
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const millis = Date.parse(value);
  if (Number.isNaN(millis)) return undefined;
  return ISO_8601_DATE_TIME.test(value) ? value : new Date(millis).toISOString();
}

/** A shallow copy without the properties whose value is undefined (optional means omitted). */
export function omitUndefined<T extends object>(value: T): T {
  const copy: Record<string, unknown> = {};
  for (const [key, entry] of Object.entries(value)) {
    if (entry !== undefined) copy[key] = entry;
  }
  return copy as T;
}

/**
 * Typed, tolerant reads from one object of an untrusted webhook payload. Optional reads return
 * undefined for a missing key, null or a value of another type; `require*` reads throw
 * UnreadablePayloadError naming the payload and the path, e.g.
 * `GitHub pull_request payload: pull_request.head.ref is missing or not a string`.
 */
export class PayloadReader {
  private constructor(
    private readonly record: PayloadRecord,
    /** What the payload is, for error messages (e.g. `GitHub push payload`). */
    readonly source: string,
    /** Where this object sits inside the payload; empty for the root. */
    readonly path: string,
  ) {}

  /** Reads a whole payload; throws UnreadablePayloadError when it is not a JSON object. */
  static root(payload: unknown, source: string): PayloadReader {
    if (!isPayloadRecord(payload)) {
      throw new UnreadablePayloadError(`${source}: the payload is not a JSON object`);
    }
    return new PayloadReader(payload, source, '');
  }

  /** The raw object behind this reader, for checks the typed reads do not cover. */
  get raw(): PayloadRecord {
    return this.record;
  }

  /** True when the key is present with a value other than null. */
  has(key: string): boolean {
    const value = this.record[key];
    return value !== undefined && value !== null;
  }

  /** Any string, empty included. */
  str(key: string): string | undefined {
    const value = this.record[key];
    return typeof value === 'string' ? value : undefined;
  }

  /** A string with something other than whitespace in it; empty or blank strings count as absent. */
  text(key: string): string | undefined {
    const value = this.str(key);
    return value !== undefined && value.trim() !== '' ? value : undefined;
  }

  /** A finite number. */
  num(key: string): number | undefined {
    const value = this.record[key];
    return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
  }

  /** A whole number. */
  int(key: string): number | undefined {
    const value = this.num(key);
    return value !== undefined && Number.isInteger(value) ? value : undefined;
  }

  bool(key: string): boolean | undefined {
    const value = this.record[key];
    return typeof value === 'boolean' ? value : undefined;
  }

  /** An identifier as a string: a non-blank string as is, or a whole number in decimal. */
  id(key: string): string | undefined {
    const value = this.record[key];
    if (typeof value === 'number') return Number.isInteger(value) ? String(value) : undefined;
    return this.text(key);
  }

  /** A timestamp as ISO 8601 (see toIsoTimestamp). */
  iso(key: string): string | undefined {
    return toIsoTimestamp(this.record[key]);
  }

  obj(key: string): PayloadReader | undefined {
    const value = this.record[key];
    return isPayloadRecord(value)
      ? new PayloadReader(value, this.source, this.pathOf(key))
      : undefined;
  }

  arr(key: string): readonly unknown[] | undefined {
    const value = this.record[key];
    return Array.isArray(value) ? (value as readonly unknown[]) : undefined;
  }

  /** The object elements of an array (others are skipped); empty when the array is absent. */
  objects(key: string): PayloadReader[] {
    const readers: PayloadReader[] = [];
    (this.arr(key) ?? []).forEach((element, index) => {
      if (isPayloadRecord(element)) {
        readers.push(new PayloadReader(element, this.source, `${this.pathOf(key)}[${index}]`));
      }
    });
    return readers;
  }

  /** The string elements of an array (others are skipped); empty when the array is absent. */
  strings(key: string): string[] {
    return (this.arr(key) ?? []).filter(
      (element): element is string => typeof element === 'string',
    );
  }

  requireStr(key: string): string {
    return this.str(key) ?? this.missing(key, 'a string');
  }

  requireText(key: string): string {
    return this.text(key) ?? this.missing(key, 'a non-empty string');
  }

  requireNum(key: string): number {
    return this.num(key) ?? this.missing(key, 'a number');
  }

  requireInt(key: string): number {
    return this.int(key) ?? this.missing(key, 'a whole number');
  }

  requireBool(key: string): boolean {
    return this.bool(key) ?? this.missing(key, 'a boolean');
  }

  requireId(key: string): string {
    return this.id(key) ?? this.missing(key, 'an id (whole number or non-empty string)');
  }

  requireIso(key: string): string {
    return this.iso(key) ?? this.missing(key, 'a timestamp');
  }

  requireObj(key: string): PayloadReader {
    return this.obj(key) ?? this.missing(key, 'an object');
  }

  requireArr(key: string): readonly unknown[] {
    return this.arr(key) ?? this.missing(key, 'an array');
  }

  /** Throws UnreadablePayloadError about this object (or one of its keys). */
  fail(message: string, key?: string): never {
    const where = key === undefined ? this.path : this.pathOf(key);
    throw new UnreadablePayloadError(
      where === '' ? `${this.source}: ${message}` : `${this.source}: ${where} ${message}`,
    );
  }

  private missing(key: string, expected: string): never {
    return this.fail(`is missing or not ${expected}`, key);
  }

  private pathOf(key: string): string {
    return this.path === '' ? key : `${this.path}.${key}`;
  }
}
