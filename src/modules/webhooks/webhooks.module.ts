import { Module } from '@nestjs/common';
import { DeliveriesModule } from '../deliveries/deliveries.module';
import { IngestService } from './ingest.service';
import { WebhookRateCeiling } from './rate-ceiling/webhook-rate-ceiling';
import { SourcesModule } from './sources/sources.module';
import { WebhookScreen } from './webhook-screen';
import { WebhookSignatureGuard } from './webhook-signature.guard';
import { WebhooksController } from './webhooks.controller';

/** Receiving webhooks: screen, verify, identify, store and answer. Processing is DeliveriesModule's. */
@Module({
  imports: [SourcesModule, DeliveriesModule],
  controllers: [WebhooksController],
  providers: [IngestService, WebhookScreen, WebhookSignatureGuard, WebhookRateCeiling],
})
export class WebhooksModule {}
