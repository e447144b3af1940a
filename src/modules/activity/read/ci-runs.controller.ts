import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CiRunPageView, ListCiRunsQuery } from './ci-runs.dto';
import { CiRunsRepository } from './ci-runs.repository';
import { DEFAULT_PAGE_SIZE } from './read.dto';

@ApiTags('activity: CI runs')
@ApiBearerAuth()
@Controller('api/v1/ci-runs')
export class CiRunsController {
  constructor(private readonly ciRuns: CiRunsRepository) {}

  @Get()
  @ApiOperation({ summary: 'List CI runs, newest first, filtered, with cursor pagination' })
  @ApiOkResponse({ type: CiRunPageView })
  list(@Query() query: ListCiRunsQuery): Promise<CiRunPageView> {
    return this.ciRuns.page(query, query.limit ?? DEFAULT_PAGE_SIZE);
  }
}
