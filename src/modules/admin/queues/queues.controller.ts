import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { AuthenticatedRequest } from '../../../core/auth/principal';
import { ALL_QUEUES } from '../../../core/jobs/job-catalogue';
import {
  CleanedView,
  CleanQueueDto,
  JobActionView,
  JobDetailView,
  JobPageView,
  ListJobsQuery,
  QueueListView,
  QueuePausedView,
  RetriedView,
} from './queue.dto';
import { QueueAdminService } from './queue-admin.service';
import { ParseJobIdPipe } from './job-id.pipe';

const QUEUE_PARAM = { name: 'queue', enum: ALL_QUEUES } as const;
const JOB_PARAM = { name: 'id', description: 'BullMQ job id' } as const;

@ApiTags('admin: queues')
@ApiBearerAuth()
@ApiResponse({ status: 404, description: 'Unknown queue or job' })
@Controller('api/v1/admin/queues')
export class QueuesController {
  constructor(private readonly queues: QueueAdminService) {}

  @Get()
  @ApiOperation({
    summary:
      'Every queue: job counts by state, paused flag, oldest waiting job, throughput and failure rate',
  })
  async overview(): Promise<QueueListView> {
    return { queues: await this.queues.overview() };
  }

  @Get(':queue/jobs')
  @ApiParam(QUEUE_PARAM)
  @ApiOperation({ summary: 'Jobs of a queue in one state, newest first, with cursor pagination' })
  list(@Param('queue') queue: string, @Query() query: ListJobsQuery): Promise<JobPageView> {
    return this.queues.list(queue, query.state, query.limit ?? 50, query.cursor);
  }

  @Get(':queue/jobs/:id')
  @ApiParam(QUEUE_PARAM)
  @ApiParam(JOB_PARAM)
  @ApiOperation({
    summary:
      'One job: data, options, attempts, failure reason, stack trace, logs, progress, timestamps and, for delivery jobs, its delivery',
  })
  detail(
    @Param('queue') queue: string,
    @Param('id', ParseJobIdPipe) id: string,
  ): Promise<JobDetailView> {
    return this.queues.detail(queue, id);
  }

  @Post(':queue/jobs/:id/retry')
  @HttpCode(200)
  @ApiParam(QUEUE_PARAM)
  @ApiParam(JOB_PARAM)
  @ApiResponse({ status: 409, description: 'The job is not failed' })
  @ApiOperation({
    summary: 'Run a failed job again (a delivery job also resets its delivery to queued)',
  })
  async retry(
    @Param('queue') queue: string,
    @Param('id', ParseJobIdPipe) id: string,
  ): Promise<JobActionView> {
    await this.queues.retry(queue, id);
    return { id, queue, outcome: 'retried' };
  }

  @Post(':queue/jobs/:id/promote')
  @HttpCode(200)
  @ApiParam(QUEUE_PARAM)
  @ApiParam(JOB_PARAM)
  @ApiResponse({ status: 409, description: 'The job is not delayed' })
  @ApiOperation({ summary: 'Run a delayed job now' })
  async promote(
    @Param('queue') queue: string,
    @Param('id', ParseJobIdPipe) id: string,
  ): Promise<JobActionView> {
    await this.queues.promote(queue, id);
    return { id, queue, outcome: 'promoted' };
  }

  @Delete(':queue/jobs/:id')
  @HttpCode(200)
  @ApiParam(QUEUE_PARAM)
  @ApiParam(JOB_PARAM)
  @ApiResponse({
    status: 409,
    description: 'The job has finished, or is running outside the deliveries queue',
  })
  @ApiOperation({
    summary: 'Remove a pending job, or cancel a running delivery job',
    description:
      'A waiting, prioritized or delayed job is removed (outcome `removed`); a delivery job also marks its ' +
      'delivery `cancelled`, so the outbox sweep does not queue it again. A running job of the deliveries ' +
      'queue cannot be interrupted from another process: its delivery is marked `cancelled` (outcome ' +
      '`cancelled`), so no later attempt or retry claims it, while the current attempt runs to its end; ' +
      'a delivery that has already ended answers 409. ' +
      'Finished jobs are removed with POST /clean.',
  })
  async remove(
    @Param('queue') queue: string,
    @Param('id', ParseJobIdPipe) id: string,
    @Req() request: AuthenticatedRequest,
  ): Promise<JobActionView> {
    const outcome = await this.queues.remove(queue, id, request.principal?.keyId ?? 'unknown');
    return { id, queue, outcome };
  }

  @Post(':queue/pause')
  @HttpCode(200)
  @ApiParam(QUEUE_PARAM)
  @ApiOperation({ summary: 'Stop starting jobs of this queue (running ones finish)' })
  async pause(@Param('queue') queue: string): Promise<QueuePausedView> {
    return { queue, paused: await this.queues.pause(queue) };
  }

  @Post(':queue/resume')
  @HttpCode(200)
  @ApiParam(QUEUE_PARAM)
  @ApiOperation({ summary: 'Start jobs of this queue again' })
  async resume(@Param('queue') queue: string): Promise<QueuePausedView> {
    return { queue, paused: await this.queues.resume(queue) };
  }

  @Post(':queue/retry-failed')
  @HttpCode(200)
  @ApiParam(QUEUE_PARAM)
  @ApiOperation({ summary: 'Run every failed job of this queue again' })
  async retryFailed(@Param('queue') queue: string): Promise<RetriedView> {
    return { retried: await this.queues.retryFailed(queue) };
  }

  @Post(':queue/clean')
  @HttpCode(200)
  @ApiParam(QUEUE_PARAM)
  @ApiOperation({
    summary: 'Remove the jobs in one state older than olderThanMs',
    description:
      'Age is measured from the finish time for completed and failed jobs and from the creation time for ' +
      'waiting and delayed ones. Removed waiting or delayed delivery jobs leave their delivery `cancelled`.',
  })
  async clean(@Param('queue') queue: string, @Body() dto: CleanQueueDto): Promise<CleanedView> {
    return { removed: await this.queues.clean(queue, dto.state, dto.olderThanMs) };
  }
}
