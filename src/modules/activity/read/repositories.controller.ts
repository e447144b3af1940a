import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { DEFAULT_PAGE_SIZE } from './read.dto';
import {
  ListRepositoriesQuery,
  RepositoryDetailView,
  RepositoryPageView,
} from './repositories.dto';
import { RepositoriesRepository } from './repositories.repository';
import { ParseUuidPipe } from '../../../core/http/uuid';

@ApiTags('activity: repositories')
@ApiBearerAuth()
@Controller('api/v1/repositories')
export class RepositoriesController {
  constructor(private readonly repositories: RepositoriesRepository) {}

  @Get()
  @ApiOperation({ summary: 'List repositories by full name, filtered, with cursor pagination' })
  @ApiOkResponse({ type: RepositoryPageView })
  list(@Query() query: ListRepositoriesQuery): Promise<RepositoryPageView> {
    return this.repositories.page(query, query.limit ?? DEFAULT_PAGE_SIZE);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One repository with counts of its records' })
  @ApiOkResponse({ type: RepositoryDetailView })
  get(@Param('id', ParseUuidPipe) id: string): Promise<RepositoryDetailView> {
    return this.repositories.detail(id);
  }
}
