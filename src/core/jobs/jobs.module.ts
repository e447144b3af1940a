import { BullModule } from '@nestjs/bullmq';
import { Global, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { AppConfig } from '../../config/config';
import { ALL_QUEUES } from './job-catalogue';
import { JobRegistry } from './job-registry';
import { JobsService } from './jobs.service';

/**
 * Queues, the one way to enqueue (JobsService) and the handler registry, in every process
 * (each one checks at boot that every job has exactly one handler). The workers that consume
 * the queues are JobProcessorsModule's.
 */
@Global()
@Module({
  imports: [
    DiscoveryModule,
    BullModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        connection: { url: config.redisUrl },
        prefix: config.queuePrefix,
      }),
    }),
    BullModule.registerQueue(...ALL_QUEUES.map((name) => ({ name }))),
  ],
  providers: [JobsService, JobRegistry],
  exports: [JobsService, JobRegistry, BullModule],
})
export class JobsModule {}
