import { AppError, ErrorCode } from '../../core/http/app-error';

/**
 * Opaque keyset cursors for the search listings: the sort key of the last item, as JSON in
 * base64url, tagged with the listing so that one listing's cursor is refused by another.
 */
export function encodeCursor(listing: string, key: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify([listing, ...key]), 'utf8').toString('base64url');
}

export function decodeCursor(
  listing: string,
  cursor: string,
  shape: readonly ('string' | 'number')[],
): (string | number)[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  if (
    !Array.isArray(parsed) ||
    parsed[0] !== listing ||
    parsed.length !== shape.length + 1 ||
    !shape.every((type, i) => {
      const value: unknown = parsed[i + 1];
      return type === 'number'
        ? typeof value === 'number' && Number.isSafeInteger(value) && value >= 0
        : typeof value === 'string' && value.length <= 4096 && !value.includes('\u0000');
    })
  ) {
    throw new AppError(ErrorCode.ValidationFailed, 'cursor is not one this listing handed out');
  }
  return (parsed as (string | number)[]).slice(1);
}
