import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ActivityModule } from '../activity/activity.module';
import { SchedulerLock } from '../../core/database/scheduler-lock';
import { DeliveriesController } from './deliveries/deliveries.controller';
import { DeliveriesRepository } from './deliveries/deliveries.repository';
import { DeliveryProcessor } from './deliveries/delivery-processor';
import { DeliveryReader } from './deliveries/delivery-reader';
import { DeliveryReplayer } from './deliveries/delivery-replayer';
import { DeliveryStore } from './deliveries/delivery-store';
import { OutboxRelay } from './deliveries/outbox-relay';
import { OutboxSweeper } from './deliveries/outbox-sweeper';
import { RetentionService } from './deliveries/retention.service';
import { IngestService } from './ingest.service';
import { SecretCipher } from './sources/secret-cipher';
import { SourceEntity } from './sources/source.entity';
import { SourcesController } from './sources/sources.controller';
import { SourcesService } from './sources/sources.service';
import { WebhookScreen } from './webhook-screen';
import { WebhookSignatureGuard } from './webhook-signature.guard';
import { WebhooksController } from './webhooks.controller';

@Module({
  imports: [TypeOrmModule.forFeature([SourceEntity]), ActivityModule],
  controllers: [WebhooksController, SourcesController, DeliveriesController],
  providers: [
    IngestService,
    WebhookScreen,
    WebhookSignatureGuard,
    DeliveryStore,
    OutboxRelay,
    OutboxSweeper,
    RetentionService,
    DeliveryProcessor,
    DeliveryReader,
    DeliveriesRepository,
    DeliveryReplayer,
    SourcesService,
    SecretCipher,
    SchedulerLock,
  ],
  exports: [DeliveryReplayer],
})
export class WebhooksModule {}
