import { Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AppError, ErrorCode } from '../../../core/http/app-error';
import {
  ListReconciliationsQuery,
  ReconciliationPageView,
  ReconciliationRunView,
} from './reconciliation.dto';
import { ReconciliationRepository, RunRow } from './reconciliation.repository';
import { ReconciliationService } from './reconciliation.service';

function view(row: RunRow): ReconciliationRunView {
  return {
    id: row.id,
    trigger: row.trigger,
    status: row.status,
    startedAt: row.started_at.toISOString(),
    finishedAt: row.finished_at?.toISOString() ?? null,
    hooksChecked: row.hooks_checked,
    deliveriesSeen: row.deliveries_seen,
    missing: row.missing,
    redeliveryRequested: row.redelivery_requested,
    recovered: row.recovered,
    problems: row.problems,
  };
}

@ApiTags('admin: reconciliations')
@ApiBearerAuth()
@Controller('api/v1/admin/reconciliations')
export class ReconciliationController {
  constructor(
    private readonly reconciliation: ReconciliationService,
    private readonly runs: ReconciliationRepository,
  ) {}

  @Post()
  @HttpCode(202)
  @ApiOperation({
    summary: 'Start a missed-delivery reconciliation now (409 while one is running)',
  })
  async start(): Promise<ReconciliationRunView> {
    const run = await this.reconciliation.start('manual');
    if (!run) throw new AppError(ErrorCode.Conflict, 'A reconciliation is already running');
    return view(run);
  }

  @Get()
  @ApiOperation({ summary: 'Reconciliation runs, newest first, with cursor pagination' })
  async list(@Query() query: ListReconciliationsQuery): Promise<ReconciliationPageView> {
    const page = await this.runs.page(query.limit ?? 50, query.cursor);
    return { items: page.rows.map(view), nextCursor: page.nextCursor };
  }
}
