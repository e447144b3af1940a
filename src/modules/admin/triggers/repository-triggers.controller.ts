import { Controller, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProperty, ApiResponse, ApiTags } from '@nestjs/swagger';
import { AppError, ErrorCode } from '../../../core/http/app-error';
import { JobName } from '../../../core/jobs/job-catalogue';
import { JobsService } from '../../../core/jobs/jobs.service';
import { RepositoriesRepository } from '../../activity/read/repositories.repository';

/** An operator asked: run now rather than after the follow-up burst window. */
const NOW = { delayMs: 0 };

export class TriggerAcceptedView {
  @ApiProperty({ description: 'Job id; follow it in the jobs API (queue followups)' })
  jobId!: string;
  @ApiProperty({ example: 'queued' }) status!: string;
}

@ApiTags('admin: triggers')
@ApiBearerAuth()
@ApiResponse({ status: 404, description: 'Unknown repository' })
@Controller('api/v1/admin/repositories')
export class RepositoryTriggersController {
  constructor(
    private readonly jobs: JobsService,
    private readonly repositories: RepositoriesRepository,
  ) {}

  @Post(':id/reindex')
  @HttpCode(202)
  @ApiOperation({ summary: 'Index the repository again (job indexing.repository)' })
  async reindex(@Param('id', ParseUUIDPipe) id: string): Promise<TriggerAcceptedView> {
    await this.ensureExists(id);
    const job = await this.jobs.enqueue(JobName.IndexRepository, { repositoryId: id }, NOW);
    return { jobId: job.id ?? '', status: 'queued' };
  }

  @Post(':id/metrics/refresh')
  @HttpCode(202)
  @ApiOperation({ summary: "Recompute the repository's metrics (job metrics.refresh)" })
  async refreshMetrics(@Param('id', ParseUUIDPipe) id: string): Promise<TriggerAcceptedView> {
    await this.ensureExists(id);
    const job = await this.jobs.enqueue(JobName.RefreshMetrics, { repositoryId: id }, NOW);
    return { jobId: job.id ?? '', status: 'queued' };
  }

  private async ensureExists(id: string): Promise<void> {
    if (!(await this.repositories.exists(id)))
      throw new AppError(ErrorCode.NotFound, `Repository ${id} does not exist`);
  }
}
