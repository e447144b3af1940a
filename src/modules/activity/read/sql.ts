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
