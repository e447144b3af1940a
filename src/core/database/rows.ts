/**
 * TypeORM's PostgreSQL driver answers UPDATE/DELETE ... RETURNING with `[rows, rowCount]`
 * and everything else with `rows`. This gives the rows either way (rows are objects,
 * never arrays, so the shapes cannot be confused).
 */
export function rowsOf<T>(result: T[] | [T[], number]): T[] {
  if (result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') {
    return result[0];
  }
  return result as T[];
}
