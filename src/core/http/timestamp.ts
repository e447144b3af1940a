import { applyDecorators } from '@nestjs/common';
import { IsISO8601, Matches } from 'class-validator';

/**
 * RFC 3339 as PostgreSQL reads it: years 0001–9999, and a date-time has minutes and an
 * explicit offset (no session time zone guessing). ISO 8601 alone also allows week dates
 * (`2024-W01`), months (`2024-01`) and hours without minutes (`2024-01-01T10Z`), which
 * PostgreSQL refuses.
 */
export const RFC3339 =
  /^(?!0000)\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-](?:0\d|1[0-4]):[0-5]\d))?$/;

/** A timestamp field PostgreSQL can read; IsISO8601 strict adds that the day exists. */
export function IsTimestamp(): PropertyDecorator {
  return applyDecorators(
    IsISO8601({ strict: true, strictSeparator: true }),
    Matches(RFC3339, {
      message: '$property must be an RFC 3339 date (YYYY-MM-DD) or date-time with offset',
    }),
  );
}
