import { PageQuery } from '../../../core/http/page-query.dto';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, Max, Min } from 'class-validator';
import { ALL_QUEUES } from '../../../core/jobs/job-catalogue';

/** The states a BullMQ 6 job can be in (a paused queue keeps its jobs `waiting`). */
export const JOB_STATES = [
  'waiting',
  'active',
  'delayed',
  'completed',
  'failed',
  'prioritized',
  'waiting-children',
] as const;
export type JobStateName = (typeof JOB_STATES)[number];

export const CLEANABLE_STATES = ['completed', 'failed', 'delayed', 'waiting'] as const;
export type CleanableState = (typeof CLEANABLE_STATES)[number];

export class ListJobsQuery extends PageQuery {
  @ApiProperty({ enum: JOB_STATES })
  @IsIn(JOB_STATES)
  state!: JobStateName;
}

export class CleanQueueDto {
  @ApiProperty({ enum: CLEANABLE_STATES })
  @IsIn(CLEANABLE_STATES)
  state!: CleanableState;

  @ApiProperty({
    description:
      'Only jobs older than this many milliseconds (finished time for completed/failed, creation time otherwise)',
    minimum: 0,
    example: 3600000,
  })
  @IsInt()
  @Min(0)
  @Max(10 * 365 * 24 * 3600 * 1000)
  olderThanMs!: number;
}

export class StateCountsView {
  @ApiProperty() waiting!: number;
  @ApiProperty() active!: number;
  @ApiProperty() delayed!: number;
  @ApiProperty() completed!: number;
  @ApiProperty() failed!: number;
  @ApiProperty() prioritized!: number;
  @ApiProperty({ name: 'waiting-children' }) 'waiting-children'!: number;
}

export class WindowThroughputView {
  @ApiProperty({ description: 'Jobs completed in the window' }) completed!: number;
  @ApiProperty({ description: 'Jobs failed in the window' }) failed!: number;
  @ApiProperty({ description: 'Completed jobs per minute over the window' })
  completedPerMinute!: number;
  @ApiProperty({ description: 'Failed jobs per minute over the window' })
  failedPerMinute!: number;
}

export class ThroughputView {
  @ApiProperty({ type: WindowThroughputView }) lastMinute!: WindowThroughputView;
  @ApiProperty({ type: WindowThroughputView }) lastHour!: WindowThroughputView;
}

export class QueueOverviewView {
  @ApiProperty({ enum: ALL_QUEUES }) name!: string;
  @ApiProperty() paused!: boolean;
  @ApiProperty({ type: StateCountsView }) counts!: StateCountsView;
  @ApiPropertyOptional({
    nullable: true,
    type: Number,
    description: 'Age in seconds of the oldest waiting job; null when none waits',
  })
  oldestWaitingAgeSeconds!: number | null;
  @ApiProperty({ type: ThroughputView }) throughput!: ThroughputView;
  @ApiPropertyOptional({
    nullable: true,
    type: Number,
    description: 'failed / (completed + failed) over the last hour; null when nothing finished',
  })
  failureRate!: number | null;
}

export class QueueListView {
  @ApiProperty({ type: [QueueOverviewView] }) queues!: QueueOverviewView[];
}

export class JobSummaryView {
  @ApiProperty() id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: ALL_QUEUES }) queue!: string;
  @ApiProperty({ enum: [...JOB_STATES, 'unknown'] }) state!: string;
  @ApiProperty({ type: 'object', additionalProperties: true }) data!: unknown;
  @ApiProperty() attemptsMade!: number;
  @ApiPropertyOptional({ nullable: true, type: String }) failedReason!: string | null;
  @ApiProperty({
    description: 'Number or object the job reported',
    oneOf: [{ type: 'number' }, { type: 'object' }],
  })
  progress!: unknown;
  @ApiProperty({ description: 'Created at (ISO 8601)' }) createdAt!: string;
  @ApiPropertyOptional({ nullable: true, type: String }) processedAt!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) finishedAt!: string | null;
  @ApiPropertyOptional({
    nullable: true,
    type: String,
    description: 'When a delayed job becomes due',
  })
  runAt!: string | null;
}

export class JobPageView {
  @ApiProperty({ type: [JobSummaryView] }) items!: JobSummaryView[];
  @ApiPropertyOptional({
    nullable: true,
    type: String,
    description: 'Pass as `cursor` for the next page',
  })
  nextCursor!: string | null;
}

export class JobDeliveryView {
  @ApiProperty() id!: string;
  @ApiProperty() provider!: string;
  @ApiProperty() event!: string;
  @ApiProperty() status!: string;
  @ApiProperty() attempts!: number;
  @ApiPropertyOptional({ nullable: true, type: String }) lastError!: string | null;
}

export class JobDetailView extends JobSummaryView {
  @ApiProperty({ type: 'object', additionalProperties: true }) opts!: unknown;
  @ApiProperty({ type: [String] }) stacktrace!: string[];
  @ApiProperty({ type: [String], description: 'Lines the job logged' }) logs!: string[];
  @ApiPropertyOptional({ description: 'What the job returned, once completed', nullable: true })
  returnvalue!: unknown;
  @ApiPropertyOptional({
    type: JobDeliveryView,
    nullable: true,
    description: 'For jobs of the deliveries queue: the delivery the job processes',
  })
  delivery!: JobDeliveryView | null;
}

export class JobActionView {
  @ApiProperty() id!: string;
  @ApiProperty({ enum: ALL_QUEUES }) queue!: string;
  @ApiProperty({
    enum: ['retried', 'promoted', 'removed', 'cancelled'],
    description:
      '`cancelled`: the job was running; its delivery is marked cancelled (see the operation description)',
  })
  outcome!: string;
}

export class QueuePausedView {
  @ApiProperty({ enum: ALL_QUEUES }) queue!: string;
  @ApiProperty() paused!: boolean;
}

export class RetriedView {
  @ApiProperty({ description: 'Failed jobs moved back to waiting' }) retried!: number;
}

export class CleanedView {
  @ApiProperty({ description: 'Jobs removed' }) removed!: number;
}
