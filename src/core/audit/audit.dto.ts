import { PageQuery } from '../http/page-query.dto';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsTimestamp } from '../http/timestamp';
import { IsOptional, IsString, Length, ValidateBy } from 'class-validator';

/** PostgreSQL text cannot hold NUL characters. */
const WithoutNul = () =>
  ValidateBy({
    name: 'withoutNul',
    validator: {
      validate: (value) => typeof value === 'string' && !value.includes('\u0000'),
      defaultMessage: () => '$property must not contain NUL characters',
    },
  });

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

  @ApiPropertyOptional({ description: 'At or after (RFC 3339 date or date-time with offset)' })
  @IsOptional()
  @IsTimestamp()
  from?: string;

  @ApiPropertyOptional({ description: 'Before (RFC 3339 date or date-time with offset)' })
  @IsOptional()
  @IsTimestamp()
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
