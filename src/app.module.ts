import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { LoggerModule } from 'nestjs-pino';
import { AppConfig } from './config/config';
import { ConfigModule } from './config/config.module';
import { ApiKeyGuard } from './core/auth/api-key.guard';
import { AuthModule } from './core/auth/auth.module';
import { DatabaseModule } from './core/database/database.module';
import { AllExceptionsFilter } from './core/http/all-exceptions.filter';
import { InputShapeGuard } from './core/http/input-shape.guard';
import { JobsModule } from './core/jobs/jobs.module';
import { JobProcessorsModule } from './core/jobs/processors/job-processors.module';
import { loggerParams } from './core/observability/logging';
import { ApiThrottlerGuard } from './core/http/rate-limit/api-throttler.guard';
import { RateLimitModule } from './core/http/rate-limit/rate-limit.module';
import { ObservabilityModule } from './core/observability/observability.module';
import { SchedulingModule } from './core/scheduling/scheduling.module';
import { AdminModule } from './modules/admin/admin.module';
import { AnalysisModule } from './modules/analysis/analysis.module';
import { DashboardModule } from './modules/dashboard/dashboard.module';
import { DeliveriesModule } from './modules/deliveries/deliveries.module';
import { ActivityReadModule } from './modules/activity/read/activity-read.module';
import { ForgesModule } from './modules/forges/forges.module';
import { HealthModule } from './modules/health/health.module';
import { CapabilitiesModule } from './modules/capabilities/capabilities.module';
import { McpModule } from './modules/mcp/mcp.module';
import { MetricsModule } from './modules/metrics/metrics.module';
import { IndexingModule } from './modules/indexing/indexing.module';
import { UsersModule } from './modules/users/users.module';
import { WebhooksModule } from './modules/webhooks/webhooks.module';

@Module({})
export class AppModule {
  static register(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forConfig(config),
        LoggerModule.forRoot(loggerParams(config)),
        DatabaseModule,
        AuthModule,
        JobsModule,
        ObservabilityModule,
        HealthModule,
        WebhooksModule,
        DeliveriesModule,
        AdminModule,
        AnalysisModule,
        IndexingModule,
        ActivityReadModule,
        UsersModule,
        ForgesModule,
        MetricsModule,
        DashboardModule,
        McpModule,
        CapabilitiesModule,
        RateLimitModule,
        SchedulingModule.forRoot(config),
        ...(config.runsWorkers ? [JobProcessorsModule] : []),
      ],
      providers: [
        // The rate limit first: requests without a valid key are counted too.
        { provide: APP_GUARD, useClass: ApiThrottlerGuard },
        { provide: APP_GUARD, useClass: ApiKeyGuard },
        // Last: input is checked only for requests that may reach their handler.
        { provide: APP_GUARD, useClass: InputShapeGuard },
        { provide: APP_FILTER, useClass: AllExceptionsFilter },
      ],
    };
  }
}
