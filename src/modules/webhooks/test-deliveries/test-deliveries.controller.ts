import { applyDecorators, Controller, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ParseUuidPipe } from '../../../core/http/uuid';
import { ALL_PROVIDERS } from '../providers/provider-adapter';
import { TestDeliveryQuery, TestDeliveryView } from './test-delivery.dto';
import { TestDeliveryService } from './test-delivery.service';

const TestAnswers = () =>
  applyDecorators(
    ApiResponse({ status: 200, type: TestDeliveryView, description: 'Processed (or final)' }),
    ApiResponse({ status: 202, type: TestDeliveryView, description: 'Stored, not processed yet' }),
    ApiResponse({ status: 409, description: 'No secret to sign with, or the source is disabled' }),
    ApiResponse({ status: 429, description: "Over the source's webhook rate ceiling" }),
  );

/**
 * Sends a test delivery through the real webhook path: 200 once it is processed (or otherwise
 * final), 202 when it is stored but `wait` seconds were not enough.
 */
@ApiTags('admin: sources')
@ApiBearerAuth()
@Controller('api/v1/admin/sources')
export class TestDeliveriesController {
  constructor(private readonly tests: TestDeliveryService) {}

  @Post('default/:provider/test')
  @ApiOperation({ summary: 'Send a signed sample push to the default (env-configured) source' })
  @ApiParam({ name: 'provider', enum: ALL_PROVIDERS })
  @TestAnswers()
  async testDefault(
    @Param('provider') provider: string,
    @Query() query: TestDeliveryQuery,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<TestDeliveryView> {
    return answered(reply, await this.tests.toDefaultSource(provider, query.wait));
  }

  @Post(':id/test')
  @ApiOperation({ summary: 'Send a signed sample push to a named source' })
  @TestAnswers()
  async testNamed(
    @Param('id', ParseUuidPipe) id: string,
    @Query() query: TestDeliveryQuery,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<TestDeliveryView> {
    return answered(reply, await this.tests.toNamedSource(id, query.wait));
  }
}

function answered(reply: FastifyReply, view: TestDeliveryView): TestDeliveryView {
  void reply.status(view.final ? 200 : 202);
  return view;
}
