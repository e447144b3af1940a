import { Body, Controller, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuthenticatedRequest } from '../../core/auth/principal';
import { AppError, ErrorCode } from '../../core/http/app-error';
import { DeliveriesRepository } from './deliveries.repository';
import {
  BulkReplayAcceptedView,
  BulkReplayDto,
  DeliveryDetailView,
  DeliveryPageView,
  ListDeliveriesQuery,
  ReplayAcceptedView,
} from './delivery.dto';
import { DeliveryReplayer } from './delivery-replayer';
import { ParseUuidPipe } from '../../core/http/uuid';

@ApiTags('admin: deliveries')
@ApiBearerAuth()
@Controller('api/v1/admin/deliveries')
export class DeliveriesController {
  constructor(
    private readonly deliveries: DeliveriesRepository,
    private readonly replayer: DeliveryReplayer,
  ) {}

  @Get()
  @ApiOperation({ summary: 'List deliveries, newest first, filtered, with cursor pagination' })
  list(@Query() query: ListDeliveriesQuery): Promise<DeliveryPageView> {
    const { cursor, limit, ...filter } = query;
    return this.deliveries.page(filter, limit ?? 50, cursor);
  }

  @Post('replay')
  @HttpCode(202)
  @ApiOperation({ summary: 'Replay every delivery matching a filter, as a background job' })
  async replayMatching(
    @Body() dto: BulkReplayDto,
    @Req() request: AuthenticatedRequest,
  ): Promise<BulkReplayAcceptedView> {
    if (Object.values(dto.filter).every((v) => v === undefined)) {
      throw new AppError(
        ErrorCode.ValidationFailed,
        'filter needs at least one field (replaying everything is not allowed)',
      );
    }
    const jobId = await this.replayer.requestBulk(
      dto.filter,
      request.principal?.keyId ?? 'unknown',
    );
    return { jobId, status: 'queued' };
  }

  @Get(':id')
  @ApiOperation({ summary: 'One delivery with headers (without signatures) and body' })
  get(@Param('id', ParseUuidPipe) id: string): Promise<DeliveryDetailView> {
    return this.deliveries.detail(id);
  }

  @Post(':id/replay')
  @HttpCode(202)
  @ApiOperation({ summary: 'Process a delivery again' })
  async replay(@Param('id', ParseUuidPipe) id: string): Promise<ReplayAcceptedView> {
    await this.replayer.replayOne(id);
    return { id, status: 'queued' };
  }
}
