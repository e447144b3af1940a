import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ActivityModule } from '../activity/activity.module';
import { SourcesModule } from '../webhooks/sources/sources.module';
import { DeadLettersController } from './dead-letters/dead-letters.controller';
import { DeadLettersService } from './dead-letters/dead-letters.service';
import { DeliveriesController } from './deliveries.controller';
import { DeliveriesRepository } from './deliveries.repository';
import { DeliveryEntity } from './delivery.entity';
import { DeliveryLifecycleRepository } from './delivery-lifecycle.repository';
import { DeliveryProcessor } from './delivery-processor';
import { DeliveryReader } from './delivery-reader';
import { DeliveryReplayer } from './delivery-replayer';
import { DeliveryStore } from './delivery-store';
import { OutboxRelay } from './outbox-relay';
import { OutboxSweeper } from './outbox-sweeper';
import { RetentionService } from './retention.service';

/**
 * The life of a stored delivery: the store ingest writes to, the outbox relay and its sweep,
 * processing into the record, replay, dead letters and retention.
 */
@Module({
  imports: [SourcesModule, ActivityModule, TypeOrmModule.forFeature([DeliveryEntity])],
  controllers: [DeliveriesController, DeadLettersController],
  providers: [
    DeliveryStore,
    OutboxRelay,
    OutboxSweeper,
    RetentionService,
    DeliveryProcessor,
    DeliveryReader,
    DeliveriesRepository,
    DeliveryLifecycleRepository,
    DeliveryReplayer,
    DeadLettersService,
  ],
  exports: [DeliveryStore, DeliveryReplayer, DeliveryLifecycleRepository],
})
export class DeliveriesModule {}
