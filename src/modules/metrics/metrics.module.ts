import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { PushEntity } from '../activity/push.entity';
import { METRIC_ENTITIES } from './metric.entities';
import { MetricsQueryRepository } from './metrics-query.repository';
import { MetricsRefreshHandler } from './metrics-refresh.handler';
import { MetricsUpkeepTask } from './metrics-upkeep.task';
import { MetricsController } from './metrics.controller';
import { MetricsService } from './metrics.service';
import { RepositorySettingsController } from './repository-settings.controller';
import { RepositorySettingsRepository } from './repository-settings.repository';
import { RollupRepository } from './rollup.repository';
import { ValueBinsRepository } from './value-bins.repository';

/** DORA measures and pull-request flow: rollups kept by metrics.refresh, and their API. */
@Module({
  imports: [TypeOrmModule.forFeature([...METRIC_ENTITIES, PushEntity])],
  controllers: [MetricsController, RepositorySettingsController],
  providers: [
    MetricsRefreshHandler,
    RollupRepository,
    MetricsQueryRepository,
    ValueBinsRepository,
    MetricsService,
    RepositorySettingsRepository,
    MetricsUpkeepTask,
  ],
  exports: [MetricsService],
})
export class MetricsModule {}
