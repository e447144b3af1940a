import { Module } from '@nestjs/common';
import { QUEUE_PROCESSORS } from './queue-processors';

/**
 * The BullMQ workers, one @Processor per queue. AppModule imports this module only where ROLE
 * runs workers, so an API-only process never takes a job.
 */
@Module({
  providers: Object.values(QUEUE_PROCESSORS),
})
export class JobProcessorsModule {}
