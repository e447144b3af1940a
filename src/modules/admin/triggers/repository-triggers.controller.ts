import { Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProperty, ApiResponse, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppError, ErrorCode } from '../../../core/http/app-error';
import { JobName } from '../../../core/jobs/job-catalogue';
import { JobsService } from '../../../core/jobs/jobs.service';
import { ParseUuidPipe } from '../../../core/http/uuid';
import { IndexingService } from '../../indexing/indexing.service';

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
    private readonly indexing: IndexingService,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  @Post(':id/reindex')
  @HttpCode(202)
  @ApiOperation({
    summary: "Rebuild the repository's code index in full (job indexing.repository)",
    description:
      'A run already waiting for the repository picks up the request (runs are coalesced per repository).',
  })
  async reindex(@Param('id', ParseUuidPipe) id: string): Promise<TriggerAcceptedView> {
    await this.indexing.requestFullRebuild(id);
    const job = await this.jobs.enqueue(JobName.IndexRepository, { repositoryId: id }, NOW);
    return { jobId: job.id ?? '', status: 'queued' };
  }

  @Post(':id/metrics/refresh')
  @HttpCode(202)
  @ApiOperation({
    summary:
      "Recompute the repository's metrics from its whole history (job metrics.refresh, full)",
    description: 'Gives the same figures as the incremental refresh that follows each delivery.',
  })
  async refreshMetrics(@Param('id', ParseUuidPipe) id: string): Promise<TriggerAcceptedView> {
    await this.ensureExists(id);
    const job = await this.jobs.enqueue(
      JobName.RefreshMetrics,
      { repositoryId: id, full: true },
      NOW,
    );
    return { jobId: job.id ?? '', status: 'queued' };
  }

  private async ensureExists(id: string): Promise<void> {
    const [row] = await this.dataSource.query<{ id: string }[]>(
      'SELECT id FROM repositories WHERE id = $1',
      [id],
    );
    if (!row) throw new AppError(ErrorCode.NotFound, `Repository ${id} does not exist`);
  }
}
