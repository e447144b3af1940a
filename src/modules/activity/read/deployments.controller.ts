import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { DeploymentDetailView, DeploymentPageView, ListDeploymentsQuery } from './deployments.dto';
import { DeploymentsRepository } from './deployments.repository';
import { DEFAULT_PAGE_SIZE } from './read.dto';
import { ParseUuidPipe } from '../../../core/http/uuid';

@ApiTags('activity: deployments')
@ApiBearerAuth()
@Controller('api/v1/deployments')
export class DeploymentsController {
  constructor(private readonly deployments: DeploymentsRepository) {}

  @Get()
  @ApiOperation({ summary: 'List deployments, newest first, filtered, with cursor pagination' })
  @ApiOkResponse({ type: DeploymentPageView })
  list(@Query() query: ListDeploymentsQuery): Promise<DeploymentPageView> {
    return this.deployments.page(query, query.limit ?? DEFAULT_PAGE_SIZE);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One deployment with its status history' })
  @ApiOkResponse({ type: DeploymentDetailView })
  get(@Param('id', ParseUuidPipe) id: string): Promise<DeploymentDetailView> {
    return this.deployments.detail(id);
  }
}
