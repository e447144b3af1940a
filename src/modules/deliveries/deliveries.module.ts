import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ActivityModule } from '../activity/activity.module';
import { IndexingModule } from '../indexing/indexing.module';
import { SourcesModule } from '../webhooks/sources/sources.module';
import { DeadLettersController } from './dead-letters/dead-letters.controller';
import { DeadLettersService } from './dead-letters/dead-letters.service';
import { DeliveriesController } from './deliveries.controller';
import { DeliveriesRepository } from './deliveries.repository';
import { DeliveryEntity } from './delivery.entity';
import { DeliveryLifecycleRepository } from './delivery-lifecycle.repository';
import { DeliveryReader } from './delivery-reader';
import { DeliveryReplayer } from './delivery-replayer';
import { DeliveryStore } from './delivery-store';
import { ProcessDeliveryHandler } from './jobs/process-delivery.handler';
import { RedriveDeadLettersHandler } from './jobs/redrive-dead-letters.handler';
import { ReplayDeliveriesHandler } from './jobs/replay-deliveries.handler';
import { OutboxLagCollector } from './outbox-lag.collector';
import { OutboxRelay } from './outbox-relay';
import { OutboxSweepTask } from './tasks/outbox-sweep.task';
import { RetentionTask } from './tasks/retention.task';

/**
 * The life of a stored delivery: the store ingest writes to, the outbox relay, processing into
 * the record (jobs/), replay and dead letters, and the scheduled sweep and retention (tasks/).
 */
@Module({
  imports: [
    SourcesModule,
    ActivityModule,
    IndexingModule,
    TypeOrmModule.forFeature([DeliveryEntity]),
  ],
  controllers: [DeliveriesController, DeadLettersController],
  providers: [
    DeliveryStore,
    DeliveryReader,
    DeliveriesRepository,
    OutboxRelay,
    OutboxLagCollector,
    DeliveryLifecycleRepository,
    DeliveryReplayer,
    DeadLettersService,
    // jobs: one handler per job of the catalogue
    ProcessDeliveryHandler,
    ReplayDeliveriesHandler,
    RedriveDeadLettersHandler,
    // scheduled work (runs only where ROLE runs the scheduler)
    OutboxSweepTask,
    RetentionTask,
  ],
  exports: [DeliveryStore, DeliveryReplayer, DeliveryLifecycleRepository],
})
export class DeliveriesModule {}
