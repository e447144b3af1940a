import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsOptional, IsString, IsUUID, Length } from 'class-validator';
import { NEXT_CURSOR_PROPERTY, PageQuery, TextFilter, TimeFilter } from '../activity/read/read.dto';

const asArray = ({ value }: { value: unknown }): unknown =>
  value === undefined ? undefined : Array.isArray(value) ? value : [value];

/** What every metrics query selects: repositories (or all), a window, a team. */
export class MetricsQuery extends PageQuery {
  @ApiPropertyOptional({
    description: 'Repository id or full name; repeat for several; omitted = all repositories',
    type: [String],
  })
  @IsOptional()
  @Transform(asArray)
  @IsArray()
  @ArrayMaxSize(200)
  @IsString({ each: true })
  @Length(1, 255, { each: true })
  repository?: string[];

  @TimeFilter('Window start, inclusive (default: 30 days before `to`)')
  from?: string;

  @TimeFilter('Window end, exclusive (default: now)')
  to?: string;

  @TextFilter('Only deployments to this environment (exact name)')
  environment?: string;

  @ApiPropertyOptional({ format: 'uuid', description: "A team: its members' changes and PRs" })
  @IsOptional()
  @IsUUID()
  team?: string;
}

export class DoraSeriesQuery extends MetricsQuery {
  @ApiProperty({ enum: ['day', 'week', 'month'] })
  @IsIn(['day', 'week', 'month'])
  interval!: 'day' | 'week' | 'month';
}

export class PullRequestMetricsQuery extends MetricsQuery {
  @ApiPropertyOptional({ format: 'uuid', description: 'Only pull requests this person authored' })
  @IsOptional()
  @IsUUID()
  person?: string;
}

export class WindowView {
  @ApiProperty() from!: string;
  @ApiProperty() to!: string;
}

export class DeploymentFrequencyView {
  @ApiProperty({ description: 'Successful production deployments' }) deployments!: number;
  @ApiProperty({ description: 'Distinct UTC days with one' }) deploymentDays!: number;
  @ApiProperty({ nullable: true, type: Number }) perWeek!: number | null;
  @ApiProperty({ nullable: true, enum: ['daily', 'weekly', 'monthly', 'yearly'] })
  bucket!: string | null;
  @ApiPropertyOptional({ description: 'Why the figures are null' }) reason?: string;
}

export class LeadTimeView {
  @ApiProperty({ nullable: true, type: Number }) medianSeconds!: number | null;
  @ApiProperty({ nullable: true, type: Number }) p90Seconds!: number | null;
  @ApiProperty({ description: 'Changes deployed in the window' }) changes!: number;
  @ApiProperty({ description: 'Baseline deployments in the window (no lead times)' })
  baselineDeployments!: number;
  @ApiPropertyOptional() reason?: string;
}

export class ChangeFailureRateView {
  @ApiProperty({ nullable: true, type: Number }) ratio!: number | null;
  @ApiProperty() failedDeployments!: number;
  @ApiProperty() deployments!: number;
  @ApiPropertyOptional() reason?: string;
}

export class OpenFailureView {
  @ApiProperty({ format: 'uuid' }) deploymentId!: string;
  @ApiProperty({ format: 'uuid' }) repositoryId!: string;
  @ApiProperty() failedAt!: string;
  @ApiProperty({ enum: ['status', 'incident'] }) failedBy!: string;
}

export class RecoveryTimeView {
  @ApiProperty({ nullable: true, type: Number }) medianSeconds!: number | null;
  @ApiProperty() recoveries!: number;
  @ApiProperty({ type: [OpenFailureView], description: 'Still failed at the end of the window' })
  open!: OpenFailureView[];
  @ApiPropertyOptional() reason?: string;
}

export class ReworkRateView {
  @ApiProperty({ nullable: true, type: Number }) ratio!: number | null;
  @ApiProperty() reworkDeployments!: number;
  @ApiProperty() deployments!: number;
  @ApiPropertyOptional() reason?: string;
}

export class LevelView {
  @ApiProperty({ nullable: true, enum: ['elite', 'high', 'medium', 'low'] })
  level!: string | null;
  @ApiPropertyOptional() reason?: string;
}

export class LevelsView {
  @ApiProperty({ example: 'dora-2023' }) thresholdSet!: string;
  @ApiProperty() deploymentFrequency!: LevelView;
  @ApiProperty() leadTimeForChanges!: LevelView;
  @ApiProperty() changeFailureRate!: LevelView;
  @ApiProperty() failedDeploymentRecoveryTime!: LevelView;
  @ApiProperty() deploymentReworkRate!: LevelView;
}

export class DoraFiguresView {
  @ApiProperty() window!: WindowView;
  @ApiProperty() deploymentFrequency!: DeploymentFrequencyView;
  @ApiProperty() leadTimeForChanges!: LeadTimeView;
  @ApiProperty() changeFailureRate!: ChangeFailureRateView;
  @ApiProperty() failedDeploymentRecoveryTime!: RecoveryTimeView;
  @ApiProperty() deploymentReworkRate!: ReworkRateView;
  @ApiProperty() levels!: LevelsView;
}

export class DoraView extends DoraFiguresView {
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' } })
  definitions!: Record<string, string>;
}

export class DoraSeriesView {
  @ApiProperty() window!: WindowView;
  @ApiProperty({ enum: ['day', 'week', 'month'] }) interval!: string;
  @ApiProperty({ type: [DoraFiguresView] }) series!: DoraFiguresView[];
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' } })
  definitions!: Record<string, string>;
}

export class ShippedChangeView {
  @ApiProperty() sha!: string;
  @ApiProperty() startedAt!: string;
  @ApiProperty() leadSeconds!: number;
  @ApiPropertyOptional({ nullable: true, type: Number }) pullRequestNumber!: number | null;
  @ApiPropertyOptional({ nullable: true, type: String, format: 'uuid' })
  authorPersonId!: string | null;
}

export class IncidentView {
  @ApiProperty({ format: 'uuid' }) issueId!: string;
  @ApiProperty() number!: number;
  @ApiProperty() title!: string;
  @ApiProperty() openedAt!: string;
  @ApiProperty({ nullable: true, type: String }) closedAt!: string | null;
}

export class RecoveryView {
  @ApiProperty({ nullable: true, type: String }) recoveredAt!: string | null;
  @ApiProperty({ nullable: true, type: Number }) seconds!: number | null;
  @ApiProperty({ nullable: true, type: String, format: 'uuid' })
  restoredByDeploymentId!: string | null;
}

export class MetricDeploymentView {
  @ApiProperty({ format: 'uuid', description: 'The deployment (or CI run) of the record' })
  id!: string;
  @ApiProperty({ enum: ['deployment', 'ci_run'] }) source!: string;
  @ApiProperty({ format: 'uuid' }) repositoryId!: string;
  @ApiProperty() repositoryFullName!: string;
  @ApiProperty() environment!: string;
  @ApiProperty() sha!: string;
  @ApiProperty({ enum: ['success', 'failure'] }) outcome!: string;
  @ApiProperty() finishedAt!: string;
  @ApiProperty({ description: "The repository's first successful deployment: no lead times" })
  baseline!: boolean;
  @ApiProperty({ nullable: true, enum: ['status', 'incident'] }) failedBy!: string | null;
  @ApiProperty({ type: [IncidentView] }) incidents!: IncidentView[];
  @ApiProperty({ nullable: true, type: RecoveryView }) recovery!: RecoveryView | null;
  @ApiProperty() rework!: boolean;
  @ApiProperty({ type: [ShippedChangeView] }) changes!: ShippedChangeView[];
}

export class MetricDeploymentPageView {
  @ApiProperty() window!: WindowView;
  @ApiProperty({ type: [MetricDeploymentView] }) items!: MetricDeploymentView[];
  @ApiPropertyOptional(NEXT_CURSOR_PROPERTY) nextCursor!: string | null;
}

export class DurationStatsView {
  @ApiProperty({ nullable: true, type: Number }) medianSeconds!: number | null;
  @ApiProperty({ nullable: true, type: Number }) p90Seconds!: number | null;
  @ApiProperty({ description: 'Pull requests with this phase known' }) pullRequests!: number;
  @ApiPropertyOptional() reason?: string;
}

export class SizeStatsView {
  @ApiProperty({ nullable: true, type: Number }) median!: number | null;
  @ApiProperty({ nullable: true, type: Number }) p90!: number | null;
  @ApiProperty() pullRequests!: number;
  @ApiPropertyOptional() reason?: string;
}

export class ReviewsPerPullRequestView {
  @ApiProperty({ nullable: true, type: Number }) mean!: number | null;
  @ApiProperty({ nullable: true, type: Number }) median!: number | null;
  @ApiPropertyOptional() reason?: string;
}

export class ReviewerTurnaroundView {
  @ApiProperty({ format: 'uuid' }) identityId!: string;
  @ApiProperty({ nullable: true, type: String, format: 'uuid' }) personId!: string | null;
  @ApiProperty({ nullable: true, type: String }) login!: string | null;
  @ApiProperty() reviews!: number;
  @ApiProperty() medianSeconds!: number;
}

export class PullRequestFlowView {
  @ApiProperty() window!: WindowView;
  @ApiProperty({ description: 'Merged pull requests in the window' }) pullRequests!: number;
  @ApiProperty() codingTime!: DurationStatsView;
  @ApiProperty() pickupTime!: DurationStatsView;
  @ApiProperty() reviewTime!: DurationStatsView;
  @ApiProperty() deployTime!: DurationStatsView;
  @ApiProperty() cycleTime!: DurationStatsView;
  @ApiProperty() size!: SizeStatsView;
  @ApiProperty() reviewsPerPullRequest!: ReviewsPerPullRequestView;
  @ApiProperty({ type: [ReviewerTurnaroundView] }) reviewTurnaround!: ReviewerTurnaroundView[];
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' } })
  definitions!: Record<string, string>;
}

export class PullRequestPhasesView {
  @ApiProperty({ format: 'uuid' }) pullRequestId!: string;
  @ApiProperty({ format: 'uuid' }) repositoryId!: string;
  @ApiProperty() repositoryFullName!: string;
  @ApiProperty() number!: number;
  @ApiProperty() title!: string;
  @ApiProperty({ nullable: true, type: String, format: 'uuid' }) authorPersonId!: string | null;
  @ApiProperty({ nullable: true, type: String }) firstCommitAt!: string | null;
  @ApiProperty() readyAt!: string;
  @ApiProperty({ nullable: true, type: String }) firstReviewAt!: string | null;
  @ApiProperty() mergedAt!: string;
  @ApiProperty({ nullable: true, type: String }) deployedAt!: string | null;
  @ApiProperty({ nullable: true, type: Number }) codingSeconds!: number | null;
  @ApiProperty({ nullable: true, type: Number }) pickupSeconds!: number | null;
  @ApiProperty({ nullable: true, type: Number }) reviewSeconds!: number | null;
  @ApiProperty({ nullable: true, type: Number }) deploySeconds!: number | null;
  @ApiProperty({ nullable: true, type: Number }) cycleSeconds!: number | null;
  @ApiProperty({ nullable: true, type: Number }) size!: number | null;
  @ApiProperty() reviews!: number;
}

export class PullRequestPhasesPageView {
  @ApiProperty() window!: WindowView;
  @ApiProperty({ type: [PullRequestPhasesView] }) items!: PullRequestPhasesView[];
  @ApiPropertyOptional(NEXT_CURSOR_PROPERTY) nextCursor!: string | null;
}
