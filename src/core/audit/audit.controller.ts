import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuditPageView, ListAuditQuery } from './audit.dto';
import { AuditService } from './audit.service';

@ApiTags('admin: audit')
@ApiBearerAuth()
@Controller('api/v1/admin/audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @ApiOperation({
    summary: 'Every state change made with a key, newest first, with cursor pagination',
  })
  list(@Query() query: ListAuditQuery): Promise<AuditPageView> {
    const { cursor, limit, ...filter } = query;
    return this.audit.page(filter, limit ?? 50, cursor);
  }
}
