import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsOptional,
  IsString,
  IsUrl,
  Length,
  Matches,
} from 'class-validator';
import { FEEDBACK_KINDS } from '../../../config/config';

const HTTP_URL = { protocols: ['http', 'https'], require_protocol: true, require_tld: false };

export class SetForgeAccessDto {
  @ApiPropertyOptional({
    description: 'Web (and git) base, e.g. https://gitlab.example.com',
    example: 'https://github.example.com',
  })
  @IsOptional()
  @IsUrl(HTTP_URL)
  @Length(1, 500)
  webUrl?: string;

  @ApiPropertyOptional({
    description:
      'REST API base. Default: GitLab <webUrl>/api/v4, Gitea <webUrl>/api/v1; GitHub Enterprise <webUrl>/api/v3',
  })
  @IsOptional()
  @IsUrl(HTTP_URL)
  @Length(1, 500)
  apiUrl?: string;

  @ApiPropertyOptional({ description: 'API token (encrypted at rest, never returned)' })
  @IsOptional()
  @IsString()
  @Length(8, 2000)
  apiToken?: string;

  @ApiPropertyOptional({ description: 'GitHub App id (with appPrivateKey)' })
  @IsOptional()
  @Matches(/^\d{1,20}$/, { message: 'appId must be a number' })
  appId?: string;

  @ApiPropertyOptional({ description: 'GitHub App private key, PEM (encrypted, never returned)' })
  @IsOptional()
  @IsString()
  @Length(64, 20000)
  @Matches(/^-----BEGIN [A-Z ]*PRIVATE KEY-----/, { message: 'appPrivateKey must be a PEM key' })
  appPrivateKey?: string;

  @ApiPropertyOptional({ description: 'Forget the stored credentials' })
  @IsOptional()
  @IsBoolean()
  clearCredentials?: boolean;

  @ApiPropertyOptional({
    description: 'Feedback allowed on pull requests; [] = none',
    type: [String],
    enum: FEEDBACK_KINDS,
    example: ['comment', 'status'],
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(2)
  @IsIn(FEEDBACK_KINDS, { each: true })
  feedback?: string[];
}

export class SetRepositoryFeedbackDto {
  @ApiProperty({
    description: 'Feedback allowed for this repository; null = as its source says',
    type: [String],
    enum: FEEDBACK_KINDS,
    nullable: true,
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(2)
  @IsIn(FEEDBACK_KINDS, { each: true })
  feedback!: string[] | null;
}

export class ForgeAccessView {
  @ApiProperty({ format: 'uuid' }) sourceId!: string;
  @ApiProperty() provider!: string;
  @ApiProperty() slug!: string;
  @ApiPropertyOptional({ nullable: true, type: String }) webUrl!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) apiUrl!: string | null;
  @ApiProperty({ enum: ['token', 'github-app', 'none'] }) credentials!: string;
  @ApiProperty({ description: 'Whether features needing the API can work' })
  apiAvailable!: boolean;
  @ApiProperty({ type: [String] }) feedback!: string[];
  @ApiPropertyOptional({ nullable: true, type: String }) updatedAt!: string | null;
}

export class RepositoryFeedbackView {
  @ApiProperty({ format: 'uuid' }) repositoryId!: string;
  @ApiProperty() source!: string;
  @ApiProperty({ description: '"available" or "no API credentials for this source"' })
  api!: string;
  @ApiProperty({ type: [String] }) feedback!: string[];
}
