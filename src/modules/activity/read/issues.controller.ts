import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { IssueDetailView, IssuePageView, ListIssuesQuery } from './issues.dto';
import { IssuesRepository } from './issues.repository';
import { DEFAULT_PAGE_SIZE } from './read.dto';
import { ParseUuidPipe } from '../../../core/http/uuid';

@ApiTags('activity: issues')
@ApiBearerAuth()
@Controller('api/v1/issues')
export class IssuesController {
  constructor(private readonly issues: IssuesRepository) {}

  @Get()
  @ApiOperation({ summary: 'List issues, last updated first, filtered, paginated' })
  @ApiOkResponse({ type: IssuePageView })
  list(@Query() query: ListIssuesQuery): Promise<IssuePageView> {
    return this.issues.page(query, query.limit ?? DEFAULT_PAGE_SIZE);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One issue with its body and comments' })
  @ApiOkResponse({ type: IssueDetailView })
  get(@Param('id', ParseUuidPipe) id: string): Promise<IssueDetailView> {
    return this.issues.detail(id);
  }
}
