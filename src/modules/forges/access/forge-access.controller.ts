import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  ForgeAccessView,
  RepositoryFeedbackView,
  SetForgeAccessDto,
  SetRepositoryFeedbackDto,
} from './forge-access.dto';
import { ForgeAccessService } from './forge-access.service';

@ApiTags('admin: forge access')
@ApiBearerAuth()
@Controller('api/v1/admin')
export class ForgeAccessController {
  constructor(private readonly access: ForgeAccessService) {}

  @Get('sources/:id/forge-access')
  @ApiOperation({ summary: "A named source's API endpoints and feedback (never its credentials)" })
  get(@Param('id', ParseUUIDPipe) id: string): Promise<ForgeAccessView> {
    return this.access.get(id);
  }

  @Put('sources/:id/forge-access')
  @ApiOperation({
    summary: 'Set API endpoints, credentials (token or GitHub App) and feedback of a named source',
  })
  set(
    @Param('id', ParseUUIDPipe) id: string,
    @Body() dto: SetForgeAccessDto,
  ): Promise<ForgeAccessView> {
    return this.access.set(id, dto);
  }

  @Delete('sources/:id/forge-access')
  @HttpCode(204)
  @ApiOperation({ summary: "Forget a named source's API access" })
  async remove(@Param('id', ParseUUIDPipe) id: string): Promise<void> {
    await this.access.remove(id);
  }

  @Put('repositories/:id/feedback')
  @ApiOperation({ summary: 'Switch pull-request feedback of one repository (null: as its source)' })
  setRepositoryFeedback(
    @Param('id', ParseUUIDPipe) id: string,
    @Body() dto: SetRepositoryFeedbackDto,
  ): Promise<RepositoryFeedbackView> {
    return this.access.setRepositoryFeedback(id, dto.feedback ?? null);
  }
}
