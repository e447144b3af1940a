import { Module } from '@nestjs/common';
import { ForgesModule } from '../forges/forges.module';
import { SourcesModule } from '../webhooks/sources/sources.module';
import { CapabilitiesController } from './capabilities.controller';
import { CapabilitiesService } from './capabilities.service';

/** GET /api/v1/capabilities: what this Hookyard models, from the catalogue the README uses. */
@Module({
  imports: [SourcesModule, ForgesModule],
  controllers: [CapabilitiesController],
  providers: [CapabilitiesService],
})
export class CapabilitiesModule {}
