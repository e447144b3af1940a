import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { CiConclusion, CiStatus } from '../domain-events';
import {
  identityProperty,
  IdentityRefView,
  NEXT_CURSOR_PROPERTY,
  PageQuery,
  ShaPrefixFilter,
  TextFilter,
  UuidFilter,
} from './read.dto';

export const CI_STATUSES = Object.keys({
  queued: true,
  in_progress: true,
  completed: true,
} satisfies Record<CiStatus, true>) as CiStatus[];

export const CI_CONCLUSIONS = Object.keys({
  success: true,
  failure: true,
  cancelled: true,
  skipped: true,
  timed_out: true,
  neutral: true,
  action_required: true,
  stale: true,
} satisfies Record<CiConclusion, true>) as CiConclusion[];

export class ListCiRunsQuery extends PageQuery {
  @UuidFilter('Only this repository')
  repositoryId?: string;

  @ApiPropertyOptional({ enum: CI_STATUSES })
  @IsOptional()
  @IsIn(CI_STATUSES)
  status?: CiStatus;

  @ApiPropertyOptional({ enum: CI_CONCLUSIONS })
  @IsOptional()
  @IsIn(CI_CONCLUSIONS)
  conclusion?: CiConclusion;

  @TextFilter('Only runs of this branch', 500)
  headBranch?: string;

  @ShaPrefixFilter('Runs whose head SHA starts with this')
  headSha?: string;
}

export class CiRunView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) repositoryId!: string;
  @ApiProperty({ example: 'acme/api' }) repositoryFullName!: string;
  @ApiProperty({ example: 'workflow_run', description: 'What produced it on the forge' })
  source!: string;
  @ApiProperty() externalId!: string;
  @ApiPropertyOptional({ nullable: true, type: String }) name!: string | null;
  @ApiProperty({ enum: CI_STATUSES }) status!: string;
  @ApiPropertyOptional({ enum: CI_CONCLUSIONS, nullable: true, type: String })
  conclusion!: string | null;
  @ApiProperty() headSha!: string;
  @ApiPropertyOptional({ nullable: true, type: String }) headBranch!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String, example: 'push' })
  trigger!: string | null;
  @ApiPropertyOptional({ nullable: true, type: Number }) runNumber!: number | null;
  @ApiPropertyOptional({ nullable: true, type: Number }) attempt!: number | null;
  @ApiPropertyOptional({ nullable: true, type: String }) url!: string | null;
  @ApiPropertyOptional(identityProperty('Who triggered it')) actor!: IdentityRefView | null;
  @ApiProperty({ type: [Number] }) pullRequestNumbers!: number[];
  @ApiProperty() createdAt!: string;
  @ApiPropertyOptional({ nullable: true, type: String }) startedAt!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) completedAt!: string | null;
  @ApiProperty() updatedAt!: string;
}

export class CiRunPageView {
  @ApiProperty({ type: [CiRunView] }) items!: CiRunView[];
  @ApiPropertyOptional(NEXT_CURSOR_PROPERTY) nextCursor!: string | null;
}
