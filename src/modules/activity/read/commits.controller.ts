import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CommitPageView, ListCommitsQuery } from './commits.dto';
import { CommitsRepository } from './commits.repository';
import { DEFAULT_PAGE_SIZE } from './read.dto';

@ApiTags('activity: commits')
@ApiBearerAuth()
@Controller('api/v1/commits')
export class CommitsController {
  constructor(private readonly commits: CommitsRepository) {}

  @Get()
  @ApiOperation({ summary: 'List commits, newest first, filtered, with cursor pagination' })
  @ApiOkResponse({ type: CommitPageView })
  list(@Query() query: ListCommitsQuery): Promise<CommitPageView> {
    return this.commits.page(query, query.limit ?? DEFAULT_PAGE_SIZE);
  }
}
