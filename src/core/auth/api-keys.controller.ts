import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  ApiKeyPageView,
  CreateApiKeyDto,
  CreatedApiKeyView,
  ListApiKeysQuery,
} from './api-keys.dto';
import { ApiKeysService } from './api-keys.service';
import { AuthenticatedRequest } from './principal';
import { ParseUuidPipe } from '../http/uuid';

@ApiTags('admin: api keys')
@ApiBearerAuth()
@Controller('api/v1/admin/api-keys')
export class ApiKeysController {
  constructor(private readonly apiKeys: ApiKeysService) {}

  @Post()
  @ApiOperation({ summary: 'Create an API key; the key is in this answer and nowhere else, ever' })
  create(
    @Body() dto: CreateApiKeyDto,
    @Req() request: AuthenticatedRequest,
  ): Promise<CreatedApiKeyView> {
    return this.apiKeys.create(dto.name, dto.scopes, request.principal?.keyId);
  }

  @Get()
  @ApiOperation({ summary: 'List API keys, newest first (never the key itself)' })
  list(@Query() query: ListApiKeysQuery): Promise<ApiKeyPageView> {
    return this.apiKeys.list(query.limit ?? 50, query.cursor);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke an API key (it answers 401 from then on)' })
  async revoke(@Param('id', ParseUuidPipe) id: string): Promise<void> {
    await this.apiKeys.revoke(id);
  }
}
