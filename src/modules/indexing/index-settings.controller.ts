import { Body, Controller, Get, Param, Patch } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { ParseUuidPipe } from '../../core/http/uuid';
import { IndexSettingsView, UpdateIndexSettingsDto } from './index-settings.dto';
import { IndexingService } from './indexing.service';

@ApiTags('admin: code index')
@ApiBearerAuth()
@ApiNotFoundResponse({ description: 'Unknown repository' })
@Controller('api/v1/admin/repositories')
export class IndexSettingsController {
  constructor(private readonly indexing: IndexingService) {}

  @Get(':id/index-settings')
  @ApiOperation({ summary: 'Branches the code index holds besides the default one' })
  @ApiOkResponse({ type: IndexSettingsView })
  get(@Param('id', ParseUuidPipe) id: string): Promise<IndexSettingsView> {
    return this.indexing.settings(id);
  }

  @Patch(':id/index-settings')
  @ApiOperation({
    summary: 'Change the indexed branches; an index run follows (audited)',
  })
  @ApiOkResponse({ type: IndexSettingsView })
  update(
    @Param('id', ParseUuidPipe) id: string,
    @Body() dto: UpdateIndexSettingsDto,
  ): Promise<IndexSettingsView> {
    return this.indexing.updateSettings(id, dto.indexedBranches);
  }
}
