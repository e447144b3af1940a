import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Patch,
  Post,
  Query,
} from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { DEFAULT_PAGE_SIZE, PageQuery } from '../activity/read/read.dto';
import { CreateTeamDto, TeamPageView, TeamView, UpdateTeamDto } from './teams.dto';
import { TeamsRepository } from './teams.repository';

@ApiTags('admin: teams')
@ApiBearerAuth()
@Controller('api/v1/admin/teams')
export class TeamsController {
  constructor(private readonly teams: TeamsRepository) {}

  @Post()
  @ApiOperation({ summary: 'Create a team of people; every metric can be asked for it' })
  @ApiCreatedResponse({ type: TeamView })
  @ApiConflictResponse({ description: 'A team with this name exists' })
  @ApiNotFoundResponse({ description: 'A member is not a known person' })
  create(@Body() dto: CreateTeamDto): Promise<TeamView> {
    return this.teams.create(dto.name, dto.members);
  }

  @Get()
  @ApiOperation({ summary: 'List teams by name' })
  @ApiOkResponse({ type: TeamPageView })
  list(@Query() query: PageQuery): Promise<TeamPageView> {
    return this.teams.page(query.cursor, query.limit ?? DEFAULT_PAGE_SIZE);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One team with its members' })
  @ApiOkResponse({ type: TeamView })
  @ApiNotFoundResponse({ description: 'Unknown team' })
  get(@Param('id', ParseUUIDPipe) id: string): Promise<TeamView> {
    return this.teams.get(id);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Rename a team or replace its members' })
  @ApiOkResponse({ type: TeamView })
  @ApiNotFoundResponse({ description: 'Unknown team or person' })
  @ApiConflictResponse({ description: 'A team with this name exists' })
  update(@Param('id', ParseUUIDPipe) id: string, @Body() dto: UpdateTeamDto): Promise<TeamView> {
    return this.teams.update(id, dto.name, dto.members);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a team (its people stay)' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ description: 'Unknown team' })
  delete(@Param('id', ParseUUIDPipe) id: string): Promise<void> {
    return this.teams.delete(id);
  }
}
