import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import { BullBoardModule } from '@bull-board/nestjs';
import { Module } from '@nestjs/common';
import { ALL_QUEUES } from '../../core/jobs/job-catalogue';
import { IndexingModule } from '../indexing/indexing.module';
import { ActivityReadModule } from '../activity/read/activity-read.module';
import { DeliveriesModule } from '../deliveries/deliveries.module';
import { BULL_BOARD_ROUTE, BullBoardAuth } from './bull-board/bull-board-auth';
import { QueueAdminService } from './queues/queue-admin.service';
import { QueuesController } from './queues/queues.controller';
import { RepositoryTriggersController } from './triggers/repository-triggers.controller';

/** Operating the queued work: queues, jobs, manual triggers, the queue dashboard. */
@Module({
  imports: [
    IndexingModule,
    BullBoardModule.forRoot({ route: BULL_BOARD_ROUTE, adapter: FastifyAdapter }),
    // Read-only: the board's pause, retry, remove, clean… would bypass the audit log and the
    // delivery-status bookkeeping that the admin API's routes for the same actions keep.
    BullBoardModule.forFeature(
      ...ALL_QUEUES.map((name) => ({
        name,
        adapter: BullMQAdapter,
        options: { readOnlyMode: true },
      })),
    ),
    DeliveriesModule,
    ActivityReadModule,
  ],
  controllers: [QueuesController, RepositoryTriggersController],
  providers: [QueueAdminService, BullBoardAuth],
  exports: [QueueAdminService],
})
export class AdminModule {}
