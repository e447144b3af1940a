import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  ListPullRequestsQuery,
  PullRequestDetailView,
  PullRequestPageView,
} from './pull-requests.dto';
import { PullRequestsRepository } from './pull-requests.repository';
import { DEFAULT_PAGE_SIZE } from './read.dto';
import { ParseUuidPipe } from '../../../core/http/uuid';

@ApiTags('activity: pull requests')
@ApiBearerAuth()
@Controller('api/v1/pull-requests')
export class PullRequestsController {
  constructor(private readonly pullRequests: PullRequestsRepository) {}

  @Get()
  @ApiOperation({ summary: 'List pull requests, last updated first, filtered, paginated' })
  @ApiOkResponse({ type: PullRequestPageView })
  list(@Query() query: ListPullRequestsQuery): Promise<PullRequestPageView> {
    return this.pullRequests.page(query, query.limit ?? DEFAULT_PAGE_SIZE);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One pull request with its reviews, timeline and comments' })
  @ApiOkResponse({ type: PullRequestDetailView })
  get(@Param('id', ParseUuidPipe) id: string): Promise<PullRequestDetailView> {
    return this.pullRequests.detail(id);
  }
}
