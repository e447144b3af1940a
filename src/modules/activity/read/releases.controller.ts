import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { DEFAULT_PAGE_SIZE } from './read.dto';
import { ListReleasesQuery, ReleasePageView } from './releases.dto';
import { ReleasesRepository } from './releases.repository';

@ApiTags('activity: releases')
@ApiBearerAuth()
@Controller('api/v1/releases')
export class ReleasesController {
  constructor(private readonly releases: ReleasesRepository) {}

  @Get()
  @ApiOperation({ summary: 'List releases, newest first, with cursor pagination' })
  @ApiOkResponse({ type: ReleasePageView })
  list(@Query() query: ListReleasesQuery): Promise<ReleasePageView> {
    return this.releases.page(query, query.limit ?? DEFAULT_PAGE_SIZE);
  }
}
