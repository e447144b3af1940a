import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { DEFAULT_PAGE_SIZE } from '../../../core/http/page-query.dto';
import { ParseUuidPipe } from '../../../core/http/uuid';
import {
  CiJobAnalysisView,
  FailedJobsView,
  FileProblemsQuery,
  ProblemFilter,
  ProblemPageView,
  TraceQuery,
  TraceView,
} from './analysis.dto';
import { AnalysisQueryService } from './analysis-query.service';

@ApiTags('analysis')
@ApiBearerAuth()
@Controller('api/v1/analysis')
export class AnalysisController {
  constructor(private readonly analysis: AnalysisQueryService) {}

  @Get('problems')
  @ApiOperation({
    summary: 'Problems found in failed CI jobs, newest first, with cursor pagination',
  })
  @ApiOkResponse({ type: ProblemPageView })
  problems(@Query() query: ProblemFilter): Promise<ProblemPageView> {
    return this.analysis.problems(
      {
        repository: query.repository,
        sha: query.sha,
        pullRequest: query.pullRequest,
        file: query.file,
        tool: query.tool,
        isNew: query.new === undefined ? undefined : query.new === 'true',
        cursor: query.cursor,
      },
      query.limit ?? DEFAULT_PAGE_SIZE,
    );
  }

  @Get('ci-jobs/:id')
  @ApiOperation({ summary: "A CI job's analysis: status, reason, log hash and problems" })
  @ApiOkResponse({ type: CiJobAnalysisView })
  ciJob(@Param('id', ParseUuidPipe) id: string): Promise<CiJobAnalysisView> {
    return this.analysis.ciJob(id);
  }

  @Get('ci-runs/:id/failed-jobs')
  @ApiOperation({ summary: 'The failed jobs of a CI run with their analysis status' })
  @ApiOkResponse({ type: FailedJobsView })
  failedJobs(@Param('id', ParseUuidPipe) id: string): Promise<FailedJobsView> {
    return this.analysis.failedJobs(id);
  }

  @Get('problems/:id/trace')
  @ApiOperation({ summary: 'The log excerpt of a problem (compact, balanced or the full log)' })
  @ApiOkResponse({ type: TraceView })
  trace(@Param('id', ParseUuidPipe) id: string, @Query() query: TraceQuery): Promise<TraceView> {
    return this.analysis.trace(id, query.mode ?? 'balanced');
  }

  @Get('files')
  @ApiOperation({ summary: 'The problems that name a file of a repository' })
  @ApiOkResponse({ type: ProblemPageView })
  files(@Query() query: FileProblemsQuery): Promise<ProblemPageView> {
    return this.analysis.problems(
      { repository: query.repository, file: query.path, cursor: query.cursor },
      query.limit ?? DEFAULT_PAGE_SIZE,
    );
  }
}
