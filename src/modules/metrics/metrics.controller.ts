import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  DoraSeriesQuery,
  DoraSeriesView,
  DoraView,
  MetricDeploymentPageView,
  MetricsQuery,
  PullRequestFlowView,
  PullRequestMetricsQuery,
  PullRequestPhasesPageView,
} from './metrics.dto';
import { MetricsService } from './metrics.service';

@ApiTags('metrics')
@ApiBearerAuth()
@Controller('api/v1/metrics')
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  @Get('dora')
  @ApiOperation({ summary: 'The five DORA measures for a window, with levels and definitions' })
  @ApiOkResponse({ type: DoraView })
  dora(@Query() query: MetricsQuery): Promise<DoraView> {
    return this.metrics.dora(query);
  }

  @Get('dora/series')
  @ApiOperation({ summary: 'The DORA measures per day, week or month of the window' })
  @ApiOkResponse({ type: DoraSeriesView })
  series(@Query() query: DoraSeriesQuery): Promise<DoraSeriesView> {
    return this.metrics.series(query);
  }

  @Get('dora/deployments')
  @ApiOperation({
    summary: 'Every production deployment of the window: outcome, changes, incidents, recovery',
  })
  @ApiOkResponse({ type: MetricDeploymentPageView })
  deployments(@Query() query: MetricsQuery): Promise<MetricDeploymentPageView> {
    return this.metrics.deployments(query);
  }

  @Get('pull-requests')
  @ApiOperation({ summary: 'Pull-request flow of the pull requests merged in the window' })
  @ApiOkResponse({ type: PullRequestFlowView })
  pullRequests(@Query() query: PullRequestMetricsQuery): Promise<PullRequestFlowView> {
    return this.metrics.pullRequests(query);
  }

  @Get('pull-requests/items')
  @ApiOperation({ summary: 'Each merged pull request of the window with its phase durations' })
  @ApiOkResponse({ type: PullRequestPhasesPageView })
  pullRequestItems(@Query() query: PullRequestMetricsQuery): Promise<PullRequestPhasesPageView> {
    return this.metrics.pullRequestItems(query);
  }
}
