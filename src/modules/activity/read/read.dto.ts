import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsISO8601,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  ValidateBy,
} from 'class-validator';
import { LowerCaseUuid } from '../../../core/http/uuid';

/**
 * RFC 3339 as PostgreSQL reads it: years 0001–9999, an explicit offset on date-times (no
 * session time zone guessing) within ±14:59. IsISO8601 strict adds that the day exists.
 */
const RFC3339 =
  /^(?!0000)\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-](?:0\d|1[0-4]):[0-5]\d))?$/;

/** An optional time filter: a date (midnight UTC) or a date-time with offset. */
export function TimeFilter(description: string): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({
      description: `${description} (RFC 3339 date-time with offset, or a date = midnight UTC)`,
      example: '2024-01-31T00:00:00Z',
    }),
    IsOptional(),
    IsISO8601({ strict: true, strictSeparator: true }),
    Matches(RFC3339, { message: '$property must be an RFC 3339 date or date-time with offset' }),
  );
}

/** An optional free-text filter (PostgreSQL text cannot hold NUL). */
export function TextFilter(description: string, maxLength = 255): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({ description, maxLength }),
    IsOptional(),
    IsString(),
    Length(1, maxLength),
    ValidateBy({
      name: 'withoutNul',
      validator: {
        validate: (value) => typeof value === 'string' && !value.includes('\u0000'),
        defaultMessage: () => '$property must not contain NUL characters',
      },
    }),
  );
}

/** An optional hexadecimal SHA prefix. */
export function ShaPrefixFilter(description: string): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({ description, example: 'a1b2c3d', pattern: '^[0-9a-fA-F]{4,64}$' }),
    IsOptional(),
    Matches(/^[0-9a-fA-F]{4,64}$/, { message: '$property must be 4 to 64 hexadecimal digits' }),
  );
}

/** An optional uuid filter. */
export function UuidFilter(description: string): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({ description, format: 'uuid' }),
    IsOptional(),
    LowerCaseUuid(),
    IsUUID(),
  );
}

export { DEFAULT_PAGE_SIZE, PageQuery } from '../../../core/http/page-query.dto';

/** A forge account that authored or acted on a record, and the person it belongs to. */
export class IdentityRefView {
  @ApiProperty({ format: 'uuid' }) identityId!: string;
  @ApiPropertyOptional({ format: 'uuid', nullable: true, type: String })
  personId!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) login!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) name!: string | null;
}

/** Swagger options of a nullable identity reference property. */
export function identityProperty(description: string) {
  return { type: IdentityRefView, nullable: true, description };
}

export const NEXT_CURSOR_PROPERTY = {
  nullable: true,
  type: String,
  description: 'Pass as `cursor` for the next page; null on the last page',
} as const;
