import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { DeploymentState } from '../domain-events';
import {
  identityProperty,
  IdentityRefView,
  NEXT_CURSOR_PROPERTY,
  PageQuery,
  TextFilter,
  UuidFilter,
} from './read.dto';

export const DEPLOYMENT_STATES = Object.keys({
  pending: true,
  queued: true,
  in_progress: true,
  success: true,
  failure: true,
  error: true,
  inactive: true,
  cancelled: true,
} satisfies Record<DeploymentState, true>) as DeploymentState[];

export class ListDeploymentsQuery extends PageQuery {
  @UuidFilter('Only this repository')
  repositoryId?: string;

  @TextFilter('Only this environment, e.g. `production`')
  environment?: string;

  @ApiPropertyOptional({ enum: DEPLOYMENT_STATES, description: 'The latest state' })
  @IsOptional()
  @IsIn(DEPLOYMENT_STATES)
  state?: DeploymentState;
}

export class DeploymentView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) repositoryId!: string;
  @ApiProperty({ example: 'acme/api' }) repositoryFullName!: string;
  @ApiProperty() externalId!: string;
  @ApiProperty({ example: 'production' }) environment!: string;
  @ApiPropertyOptional({ nullable: true, type: String }) ref!: string | null;
  @ApiProperty() sha!: string;
  @ApiPropertyOptional(identityProperty('Who created it')) creator!: IdentityRefView | null;
  @ApiPropertyOptional({ nullable: true, type: String }) url!: string | null;
  @ApiPropertyOptional({
    enum: DEPLOYMENT_STATES,
    nullable: true,
    type: String,
    description: 'The newest status; null before the first one',
  })
  latestState!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) latestStateAt!: string | null;
  @ApiProperty() createdAt!: string;
  @ApiProperty() updatedAt!: string;
}

export class DeploymentPageView {
  @ApiProperty({ type: [DeploymentView] }) items!: DeploymentView[];
  @ApiPropertyOptional(NEXT_CURSOR_PROPERTY) nextCursor!: string | null;
}

export class DeploymentStatusView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiPropertyOptional({ nullable: true, type: String }) externalId!: string | null;
  @ApiProperty({ enum: DEPLOYMENT_STATES }) state!: string;
  @ApiPropertyOptional({ nullable: true, type: String }) description!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) url!: string | null;
  @ApiProperty() createdAt!: string;
}

export class DeploymentDetailView extends DeploymentView {
  @ApiProperty({ type: [DeploymentStatusView], description: 'Oldest first' })
  statuses!: DeploymentStatusView[];
}
