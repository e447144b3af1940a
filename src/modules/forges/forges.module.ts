import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { SchedulerLock } from '../../core/database/scheduler-lock';
import { SecretCipher } from '../webhooks/sources/secret-cipher';
import { ForgeAccessController } from './access/forge-access.controller';
import { ForgeAccessEntity, RepositoryFeedbackEntity } from './access/forge-access.entity';
import { ForgeAccessService } from './access/forge-access.service';
import { ForgeAccessStore } from './access/forge-access.store';
import { FeedbackLockRepository } from './feedback/feedback-lock.repository';
import { FeedbackService } from './feedback/feedback.service';
import { ForgeMetrics } from './forge-metrics';
import { ForgesService } from './forges.service';
import { OutboundPolicy } from './outbound-policy';
import { ReconciliationController } from './reconciliation/reconciliation.controller';
import {
  ReconciliationHookEntity,
  ReconciliationRunEntity,
  RedeliveryRequestEntity,
} from './reconciliation/reconciliation.entities';
import { ReconciliationRepository } from './reconciliation/reconciliation.repository';
import { ReconciliationService } from './reconciliation/reconciliation.service';
import { ReconciliationTask } from './reconciliation/reconciliation.task';

/**
 * Outbound forge access: per-source endpoints and credentials, the origin guard, one client per
 * forge behind one outbound policy, pull-request feedback, and missed-delivery reconciliation.
 * Other modules use ForgesService (clients, endpoints, origin guard) and FeedbackService.
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([
      ForgeAccessEntity,
      RepositoryFeedbackEntity,
      ReconciliationRunEntity,
      ReconciliationHookEntity,
      RedeliveryRequestEntity,
    ]),
  ],
  controllers: [ForgeAccessController, ReconciliationController],
  providers: [
    ForgeMetrics,
    OutboundPolicy,
    ForgesService,
    ForgeAccessStore,
    ForgeAccessService,
    FeedbackService,
    FeedbackLockRepository,
    ReconciliationRepository,
    ReconciliationService,
    ReconciliationTask,
    SecretCipher,
    SchedulerLock,
  ],
  exports: [ForgesService, FeedbackService],
})
export class ForgesModule {}
