import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ListPeopleQuery, PersonDetailView, PersonPageView } from './people.dto';
import { PeopleRepository } from './people.repository';
import { DEFAULT_PAGE_SIZE } from '../activity/read/read.dto';
import { ParseUuidPipe } from '../../core/http/uuid';

@ApiTags('activity: people')
@ApiBearerAuth()
@Controller('api/v1/people')
export class PeopleController {
  constructor(private readonly people: PeopleRepository) {}

  @Get()
  @ApiOperation({ summary: 'List people by display name, filtered, with cursor pagination' })
  @ApiOkResponse({ type: PersonPageView })
  list(@Query() query: ListPeopleQuery): Promise<PersonPageView> {
    return this.people.page(query, query.limit ?? DEFAULT_PAGE_SIZE);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One person with their forge identities' })
  @ApiOkResponse({ type: PersonDetailView })
  get(@Param('id', ParseUuidPipe) id: string): Promise<PersonDetailView> {
    return this.people.detail(id);
  }
}
