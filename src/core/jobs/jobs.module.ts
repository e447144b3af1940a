import { BullModule } from '@nestjs/bullmq';
import { Global, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { AppConfig } from '../../config/config';
import { ALL_QUEUES } from './job-catalogue';
import { JobRegistry } from './job-registry';
import { JobWorkersService } from './job-workers.service';
import { JobsService } from './jobs.service';

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
  providers: [JobsService, JobRegistry, JobWorkersService],
  exports: [JobsService, BullModule],
})
export class JobsModule {}
