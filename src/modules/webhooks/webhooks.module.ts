import { Module } from '@nestjs/common';
import { DeliveriesModule } from '../deliveries/deliveries.module';
import { IngestService } from './ingest.service';
import { SourcesModule } from './sources/sources.module';
import { WebhookIngress } from './webhook-ingress';
import { WebhooksController } from './webhooks.controller';

/** Receiving webhooks: verify, identify, store and answer. Processing is DeliveriesModule's. */
@Module({
  imports: [SourcesModule, DeliveriesModule],
  controllers: [WebhooksController],
  providers: [IngestService, WebhookIngress],
})
export class WebhooksModule {}
