import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length, ValidateIf } from 'class-validator';

export class RepositorySettingsView {
  @ApiProperty({ format: 'uuid' }) repositoryId!: string;
  @ApiProperty({ description: 'Production environment names (regex, case-insensitive)' })
  productionPattern!: string;
  @ApiProperty({ description: 'Incident issue labels (regex, case-insensitive)' })
  incidentLabelPattern!: string;
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'CI workflows/pipelines whose successful default-branch runs are deployments',
  })
  ciDeploymentPattern!: string | null;
  @ApiProperty({ description: 'False while the repository uses the defaults' })
  customized!: boolean;
  @ApiProperty({ nullable: true, type: String }) updatedAt!: string | null;
}

export class UpdateRepositorySettingsDto {
  @ApiPropertyOptional({ example: '^(prod|production)$' })
  @IsOptional()
  @IsString()
  @Length(1, 500)
  productionPattern?: string;

  @ApiPropertyOptional({ example: '^incident$' })
  @IsOptional()
  @IsString()
  @Length(1, 500)
  incidentLabelPattern?: string;

  @ApiPropertyOptional({ nullable: true, type: String, example: '^deploy' })
  @IsOptional()
  @ValidateIf((_o, v) => v !== null)
  @IsString()
  @Length(1, 500)
  ciDeploymentPattern?: string | null;
}
