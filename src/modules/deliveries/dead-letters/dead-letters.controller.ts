import { Body, Controller, Get, HttpCode, Post, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuthenticatedRequest } from '../../../core/auth/principal';
import { AppError, ErrorCode } from '../../../core/http/app-error';
import {
  DeadLetterPageView,
  ListDeadLettersQuery,
  RedriveAcceptedView,
  RedriveDto,
} from './dead-letter.dto';
import { DeadLettersService } from './dead-letters.service';

@ApiTags('admin: dead letters')
@ApiBearerAuth()
@Controller('api/v1/admin/dead-letters')
export class DeadLettersController {
  constructor(private readonly deadLetters: DeadLettersService) {}

  @Get()
  @ApiOperation({
    summary: 'Dead deliveries with the reason they were given up, newest first, filtered',
  })
  list(@Query() query: ListDeadLettersQuery): Promise<DeadLetterPageView> {
    const { cursor, limit, ...filter } = query;
    return this.deadLetters.page(filter, limit ?? 50, cursor);
  }

  @Post('redrive')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Process dead deliveries again, chosen by ids or by a filter, as a background job',
    description:
      'Send exactly one of `ids` and `filter`. The maintenance job reports `{ redriven }` as its progress.',
  })
  async redrive(
    @Body() dto: RedriveDto,
    @Req() request: AuthenticatedRequest,
  ): Promise<RedriveAcceptedView> {
    if ((dto.ids === undefined) === (dto.filter === undefined)) {
      throw new AppError(ErrorCode.ValidationFailed, 'send exactly one of ids and filter');
    }
    const requestedBy = request.principal?.keyId ?? 'unknown';
    const jobId = await this.deadLetters.requestRedrive(
      dto.ids ? { ids: dto.ids } : { filter: { ...dto.filter } },
      requestedBy,
    );
    return { jobId, status: 'queued' };
  }
}
