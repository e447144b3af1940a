import { PageQuery } from '../http/page-query.dto';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsString,
  Length,
  ValidateBy,
} from 'class-validator';
import { ALL_SCOPES, Scope } from './principal';

export class CreateApiKeyDto {
  @ApiProperty({ description: 'What the key is for', example: 'grafana dashboards' })
  @IsString()
  @Length(1, 200)
  @ValidateBy({
    name: 'withoutControlCharacters',
    validator: {
      validate: (value) =>
        typeof value === 'string' && [...value].every((c) => c.charCodeAt(0) >= 0x20),
      defaultMessage: () => '$property must not contain control characters',
    },
  })
  name!: string;

  @ApiProperty({
    enum: ALL_SCOPES,
    isArray: true,
    description: '`read`: every GET under /api/v1; `admin`: every state change too',
    example: ['read'],
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(ALL_SCOPES.length)
  @IsIn(ALL_SCOPES, { each: true })
  scopes!: Scope[];
}

export class ListApiKeysQuery extends PageQuery {}

export class ApiKeyView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ description: 'The 8 characters after `hy_`, to recognise the key' })
  prefix!: string;
  @ApiProperty({ enum: ALL_SCOPES, isArray: true }) scopes!: Scope[];
  @ApiPropertyOptional({ nullable: true, type: String, description: 'Key id of the creator' })
  createdBy!: string | null;
  @ApiProperty() createdAt!: string;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'Accurate to a minute' })
  lastUsedAt!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) revokedAt!: string | null;
}

export class CreatedApiKeyView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: ALL_SCOPES, isArray: true }) scopes!: Scope[];
  @ApiProperty({
    description: 'The key itself. Shown only in this answer: store it now',
    example: 'hy_…',
  })
  key!: string;
  @ApiProperty() prefix!: string;
  @ApiProperty() createdAt!: string;
}

export class ApiKeyPageView {
  @ApiProperty({ type: [ApiKeyView] }) items!: ApiKeyView[];
  @ApiPropertyOptional({
    nullable: true,
    type: String,
    description: 'Pass as `cursor` for the next page; null on the last page',
  })
  nextCursor!: string | null;
}
