import { Body, Controller, Get, Param, ParseUUIDPipe, Patch } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { JobName } from '../../core/jobs/job-catalogue';
import { JobsService } from '../../core/jobs/jobs.service';
import { RepositorySettingsView, UpdateRepositorySettingsDto } from './repository-settings.dto';
import { RepositorySettingsRepository } from './repository-settings.repository';

@ApiTags('admin: repository settings')
@ApiBearerAuth()
@ApiNotFoundResponse({ description: 'Unknown repository' })
@Controller('api/v1/admin/repositories')
export class RepositorySettingsController {
  constructor(
    private readonly settings: RepositorySettingsRepository,
    private readonly jobs: JobsService,
  ) {}

  @Get(':id/settings')
  @ApiOperation({ summary: "The repository's metric settings (defaults until changed)" })
  @ApiOkResponse({ type: RepositorySettingsView })
  get(@Param('id', ParseUUIDPipe) id: string): Promise<RepositorySettingsView> {
    return this.settings.get(id);
  }

  @Patch(':id/settings')
  @ApiOperation({
    summary: 'Change metric settings; the repository is recomputed in full (audited)',
  })
  @ApiOkResponse({ type: RepositorySettingsView })
  async update(
    @Param('id', ParseUUIDPipe) id: string,
    @Body() dto: UpdateRepositorySettingsDto,
  ): Promise<RepositorySettingsView> {
    const view = await this.settings.update(id, dto);
    await this.jobs.enqueue(
      JobName.RefreshMetrics,
      { repositoryId: id, full: true },
      { delayMs: 0 },
    );
    return view;
  }
}
