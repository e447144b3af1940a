import { Global, Module } from '@nestjs/common';
import { AccessLog } from './access-log';
import { MetricsController } from './metrics.controller';
import { MetricsService } from './metrics.service';
import { QueueMetricsCollector } from './queue-metrics.collector';

@Global()
@Module({
  controllers: [MetricsController],
  providers: [MetricsService, QueueMetricsCollector, AccessLog],
  exports: [MetricsService],
})
export class ObservabilityModule {}
