/** Collects the parameters and WHERE conditions of one read query. */
export class QueryParts {
  readonly params: unknown[] = [];
  private readonly conditions: string[] = [];

  /** Binds a value and answers its placeholder (`$n`). */
  readonly param = (value: unknown): string => {
    this.params.push(value);
    return `$${this.params.length}`;
  };

  where(condition: string): this {
    this.conditions.push(condition);
    return this;
  }

  /** Adds `template` with `?` bound to `value` when the filter is set. */
  whereIf(value: unknown, template: string): this {
    if (value !== undefined) this.where(template.replace('?', () => this.param(value)));
    return this;
  }

  get whereSql(): string {
    return this.conditions.length ? this.conditions.join(' AND ') : 'TRUE';
  }
}

/** An ILIKE pattern matching `text` anywhere, with LIKE's wildcards taken literally. */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, '\\$&')}%`;
}

/** `identityId, personId, login, name` of an identity alias as JSON, or NULL without one. */
export function identityJson(alias: string): string {
  return `CASE WHEN ${alias}.id IS NULL THEN NULL ELSE json_build_object(
    'identityId', ${alias}.id, 'personId', ${alias}.person_id,
    'login', ${alias}.login, 'name', ${alias}.name) END`;
}

/**
 * A validated time filter as PostgreSQL should read it: a bare date means midnight UTC, not
 * midnight in whatever time zone the session happens to have.
 */
export function utcTime(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  return /^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value;
}

export function isoOrNull(value: Date | null): string | null {
  return value ? value.toISOString() : null;
}
