import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import { BullBoardModule } from '@bull-board/nestjs';
import { Module } from '@nestjs/common';
import { ALL_QUEUES } from '../../core/jobs/job-catalogue';
import { IndexingModule } from '../indexing/indexing.module';
import { WebhooksModule } from '../webhooks/webhooks.module';
import { BULL_BOARD_ROUTE, BullBoardAuth } from './bull-board/bull-board-auth';
import { DeadLettersController } from './dead-letters/dead-letters.controller';
import { DeadLettersService } from './dead-letters/dead-letters.service';
import { QueueAdminService } from './queues/queue-admin.service';
import { QueuesController } from './queues/queues.controller';
import { RepositoryTriggersController } from './triggers/repository-triggers.controller';

/** Operating the queued work: queues, jobs, dead letters, manual triggers, the dashboard. */
@Module({
  imports: [
    WebhooksModule,
    IndexingModule,
    BullBoardModule.forRoot({ route: BULL_BOARD_ROUTE, adapter: FastifyAdapter }),
    BullBoardModule.forFeature(...ALL_QUEUES.map((name) => ({ name, adapter: BullMQAdapter }))),
  ],
  controllers: [QueuesController, DeadLettersController, RepositoryTriggersController],
  providers: [QueueAdminService, DeadLettersService, BullBoardAuth],
})
export class AdminModule {}
