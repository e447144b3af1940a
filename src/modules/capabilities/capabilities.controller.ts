import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CapabilitiesView } from './capabilities.dto';
import { CapabilitiesService } from './capabilities.service';

@ApiTags('capabilities')
@ApiBearerAuth()
@Controller('api/v1/capabilities')
export class CapabilitiesController {
  constructor(private readonly capabilities: CapabilitiesService) {}

  @Get()
  @ApiOperation({
    summary:
      'Per provider the events Hookyard models and what each becomes; configured sources (no ' +
      'secrets); forge API credentials and the features they enable',
  })
  @ApiOkResponse({ type: CapabilitiesView })
  get(): Promise<CapabilitiesView> {
    return this.capabilities.capabilities();
  }
}
