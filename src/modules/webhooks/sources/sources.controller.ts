import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ChangeSecretsDto, CreateSourceDto, SourceView, UpdateSourceDto } from './source.dto';
import { SourcesService } from './sources.service';
import { ParseUuidPipe } from '../../../core/http/uuid';

@ApiTags('admin: sources')
@ApiBearerAuth()
@Controller('api/v1/admin/sources')
export class SourcesController {
  constructor(private readonly sources: SourcesService) {}

  @Post()
  @ApiOperation({ summary: 'Create a named source; its URL is /webhooks/{provider}/{slug}' })
  create(@Body() dto: CreateSourceDto): Promise<SourceView> {
    return this.sources.create(dto);
  }

  @Get()
  @ApiOperation({ summary: 'List named sources (secrets are never returned)' })
  list(): Promise<SourceView[]> {
    return this.sources.list();
  }

  @Get(':id')
  get(@Param('id', ParseUuidPipe) id: string): Promise<SourceView> {
    return this.sources.get(id);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change description, repository filter or enabled flag' })
  update(
    @Param('id', ParseUuidPipe) id: string,
    @Body() dto: UpdateSourceDto,
  ): Promise<SourceView> {
    return this.sources.update(id, dto);
  }

  @Delete(':id')
  @HttpCode(204)
  async remove(@Param('id', ParseUuidPipe) id: string): Promise<void> {
    await this.sources.remove(id);
  }

  @Post(':id/secrets')
  @HttpCode(200)
  @ApiOperation({ summary: 'Add, rotate or revoke a secret' })
  changeSecrets(
    @Param('id', ParseUuidPipe) id: string,
    @Body() dto: ChangeSecretsDto,
  ): Promise<SourceView> {
    return this.sources.changeSecrets(id, dto);
  }
}
