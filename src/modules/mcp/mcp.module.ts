import { Module } from '@nestjs/common';
import { AuthModule } from '../../core/auth/auth.module';
import { AdminModule } from '../admin/admin.module';
import { AnalysisModule } from '../analysis/analysis.module';
import { ActivityReadModule } from '../activity/read/activity-read.module';
import { IndexingModule } from '../indexing/indexing.module';
import { MetricsModule } from '../metrics/metrics.module';
import { McpServerFactory } from './mcp-server.factory';
import { McpController } from './mcp.controller';

/** The MCP endpoint at /mcp: the record, metrics and analysis for AI assistants. */
@Module({
  imports: [
    AuthModule,
    ActivityReadModule,
    MetricsModule,
    AdminModule,
    IndexingModule,
    AnalysisModule,
  ],
  controllers: [McpController],
  providers: [McpServerFactory],
})
export class McpModule {}
