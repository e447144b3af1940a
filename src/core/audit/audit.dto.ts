import { PageQuery } from '../http/page-query.dto';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsISO8601, IsOptional, IsString, Length, Matches, ValidateBy } from 'class-validator';

/** PostgreSQL text cannot hold NUL characters. */
const WithoutNul = () =>
  ValidateBy({
    name: 'withoutNul',
    validator: {
      validate: (value) => typeof value === 'string' && !value.includes('\u0000'),
      defaultMessage: () => '$property must not contain NUL characters',
    },
  });
/** Years PostgreSQL can read (ISO 8601 allows year 0000, PostgreSQL does not). */
const PG_YEAR = /^(?!0000)\d{4}-/;

export class ListAuditQuery extends PageQuery {
  @ApiPropertyOptional({ description: 'Key id (`admin-token` for the bootstrap ADMIN_TOKEN)' })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  @WithoutNul()
  keyId?: string;

  @ApiPropertyOptional({ example: 'POST /api/v1/admin/sources' })
  @IsOptional()
  @IsString()
  @Length(1, 500)
  @WithoutNul()
  action?: string;

  @ApiPropertyOptional({ description: 'At or after (ISO 8601)' })
  @IsOptional()
  @IsISO8601({ strict: true, strictSeparator: true })
  @Matches(PG_YEAR, { message: 'from must be a date in the years 0001-9999' })
  from?: string;

  @ApiPropertyOptional({ description: 'Before (ISO 8601)' })
  @IsOptional()
  @IsISO8601({ strict: true, strictSeparator: true })
  @Matches(PG_YEAR, { message: 'to must be a date in the years 0001-9999' })
  to?: string;
}

export class AuditEntryView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() at!: string;
  @ApiProperty({ description: 'The key used (`admin-token` for ADMIN_TOKEN)' }) keyId!: string;
  @ApiPropertyOptional({ nullable: true, type: String }) keyName!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) method!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'The concrete path' })
  path!: string | null;
  @ApiProperty({ example: 'POST /api/v1/admin/sources', description: 'Method and route' })
  action!: string;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'What was acted on' })
  target!: string | null;
  @ApiPropertyOptional({ nullable: true, type: Number }) statusCode!: number | null;
  @ApiPropertyOptional({
    nullable: true,
    type: Object,
    description: 'The request body, with secrets, keys, tokens and passwords redacted',
  })
  details!: unknown;
}

export class AuditPageView {
  @ApiProperty({ type: [AuditEntryView] }) items!: AuditEntryView[];
  @ApiPropertyOptional({
    nullable: true,
    type: String,
    description: 'Pass as `cursor` for the next page; null on the last page',
  })
  nextCursor!: string | null;
}
