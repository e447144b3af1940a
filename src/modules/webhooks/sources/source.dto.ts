import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  Max,
  Min,
  NotEquals,
  ValidateIf,
} from 'class-validator';
import { ALL_PROVIDERS, Provider, SECRET_KINDS } from '../providers/provider-adapter';
import { LowerCaseUuid } from '../../../core/http/uuid';
import { MAX_WEBHOOK_RATE_LIMIT } from '../../../config/config';

const RATE_LIMIT_DESCRIPTION =
  'Most webhooks this source accepts per minute, counted over every replica; over it the webhook is answered 429 with Retry-After and nothing is stored. Absent or null: no ceiling (the default).';

/** Most secrets one source holds (rotation needs two; ten leaves room). */
export const MAX_SECRETS = 10;
/** A secret of spaces only is a paste gone wrong, not a secret. */
const NOT_BLANK = /\S/;

/** What a named source's slug (its URL segment) may be. */
export const SOURCE_SLUG = /^[a-z0-9][a-z0-9-]{0,62}$/;

export class CreateSourceDto {
  @ApiProperty({ enum: ALL_PROVIDERS })
  @IsIn(ALL_PROVIDERS)
  provider!: Provider;

  @ApiProperty({
    description: 'URL segment: POST /webhooks/{provider}/{slug}',
    example: 'platform-team',
  })
  @Matches(SOURCE_SLUG, { message: 'slug must be 1-63 lower-case letters, digits or dashes' })
  @NotEquals('default', {
    message: 'slug "default" is reserved for the source configured from the environment',
  })
  slug!: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(0, 500)
  description?: string;

  @ApiPropertyOptional({
    description:
      'Secrets (GitHub, Gitea, Bitbucket Cloud and Data Center HMAC secrets; GitLab tokens, or whsec_ signing tokens; Azure DevOps `username:password`). Never returned.',
    type: [String],
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_SECRETS)
  @ArrayUnique({ message: 'secrets must not repeat a secret' })
  @IsString({ each: true })
  @Length(8, 1000, { each: true })
  @Matches(NOT_BLANK, { each: true, message: 'secrets must not be blank' })
  secrets?: string[];

  @ApiPropertyOptional({
    description:
      'Only these repositories (glob, `*` matches anything); others are stored and ignored',
    type: [String],
    example: ['acme/*'],
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @Length(1, 300, { each: true })
  repositoryFilter?: string[];

  @ApiPropertyOptional({ default: true })
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;

  @ApiPropertyOptional({
    description: RATE_LIMIT_DESCRIPTION,
    minimum: 1,
    maximum: MAX_WEBHOOK_RATE_LIMIT,
    nullable: true,
    type: Number,
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_WEBHOOK_RATE_LIMIT)
  rateLimitPerMinute?: number | null;
}

export class UpdateSourceDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(0, 500)
  description?: string;

  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @Length(1, 300, { each: true })
  repositoryFilter?: string[];

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;

  @ApiPropertyOptional({
    description: `${RATE_LIMIT_DESCRIPTION} null removes the ceiling.`,
    minimum: 1,
    maximum: MAX_WEBHOOK_RATE_LIMIT,
    nullable: true,
    type: Number,
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_WEBHOOK_RATE_LIMIT)
  rateLimitPerMinute?: number | null;
}

export const SECRET_ACTIONS = ['add', 'rotate', 'revoke'] as const;
export type SecretAction = (typeof SECRET_ACTIONS)[number];

export class ChangeSecretsDto {
  @ApiProperty({
    enum: SECRET_ACTIONS,
    description:
      'add: one more valid secret (rotation window); rotate: the given secret replaces all others; revoke: remove secretId',
  })
  @IsIn(SECRET_ACTIONS)
  action!: SecretAction;

  @ApiPropertyOptional({ description: 'The new secret, for add and rotate' })
  @ValidateIf((o: ChangeSecretsDto) => o.action !== 'revoke')
  @IsString()
  @Length(8, 1000)
  @Matches(NOT_BLANK, { message: 'secret must not be blank' })
  secret?: string;

  @ApiPropertyOptional({ description: 'The secret to remove, for revoke' })
  @ValidateIf((o: ChangeSecretsDto) => o.action === 'revoke')
  @LowerCaseUuid()
  @IsUUID()
  secretId?: string;
}

export class SecretSummaryView {
  @ApiProperty() id!: string;
  @ApiProperty({ enum: SECRET_KINDS }) kind!: string;
  @ApiProperty() createdAt!: string;
}

export class SourceView {
  @ApiProperty() id!: string;
  @ApiProperty({ enum: ALL_PROVIDERS }) provider!: string;
  @ApiProperty() slug!: string;
  @ApiProperty({ description: 'Path to configure in the forge' }) webhookPath!: string;
  @ApiPropertyOptional({ nullable: true, type: String }) description!: string | null;
  @ApiProperty() enabled!: boolean;
  @ApiProperty({ type: [String] }) repositoryFilter!: string[];
  @ApiPropertyOptional({
    nullable: true,
    type: Number,
    description: 'Webhooks per minute; null: none',
  })
  rateLimitPerMinute!: number | null;
  @ApiProperty({ description: 'Whether at least one secret is set' }) secretConfigured!: boolean;
  @ApiProperty() secretCount!: number;
  @ApiPropertyOptional({ nullable: true, type: String }) secretsRotatedAt!: string | null;
  @ApiProperty({ type: [SecretSummaryView] }) secrets!: SecretSummaryView[];
  @ApiProperty() createdAt!: string;
  @ApiProperty() updatedAt!: string;
}
