import { Module } from '@nestjs/common';
import { DeliveriesModule } from '../deliveries/deliveries.module';
import { IngestService } from './ingest.service';
import { WebhookRateCeiling } from './rate-ceiling/webhook-rate-ceiling';
import { TestDeliveriesController } from './test-deliveries/test-deliveries.controller';
import { TestDeliveryMarker } from './test-deliveries/test-delivery-marker';
import { TestDeliveryRepository } from './test-deliveries/test-delivery.repository';
import { TestDeliveryService } from './test-deliveries/test-delivery.service';
import { SourcesModule } from './sources/sources.module';
import { WebhookScreen } from './webhook-screen';
import { WebhookSignatureGuard } from './webhook-signature.guard';
import { WebhooksController } from './webhooks.controller';

/**
 * Receiving webhooks: screen, verify, rate ceiling, identify, store and answer; test deliveries
 * sent through that same path. Processing is DeliveriesModule's.
 */
@Module({
  imports: [SourcesModule, DeliveriesModule],
  controllers: [WebhooksController, TestDeliveriesController],
  providers: [
    IngestService,
    WebhookScreen,
    WebhookSignatureGuard,
    WebhookRateCeiling,
    TestDeliveryMarker,
    TestDeliveryService,
    TestDeliveryRepository,
  ],
})
export class WebhooksModule {}
