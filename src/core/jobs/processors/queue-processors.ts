import { Processor } from '@nestjs/bullmq';
import type { Type } from '@nestjs/common';
import { QueueName } from '../job-catalogue';
import { CatalogueProcessor } from './catalogue-processor';
import { WORKER_OPTIONS } from './worker-options';

@Processor(QueueName.Deliveries, WORKER_OPTIONS)
export class DeliveriesProcessor extends CatalogueProcessor {
  protected readonly queue = QueueName.Deliveries;
}

@Processor(QueueName.Followups, WORKER_OPTIONS)
export class FollowupsProcessor extends CatalogueProcessor {
  protected readonly queue = QueueName.Followups;
}

@Processor(QueueName.Maintenance, WORKER_OPTIONS)
export class MaintenanceProcessor extends CatalogueProcessor {
  protected readonly queue = QueueName.Maintenance;
}

/** One processor per queue: a new QueueName does not compile until it has one here. */
export const QUEUE_PROCESSORS: Record<QueueName, Type<CatalogueProcessor>> = {
  [QueueName.Deliveries]: DeliveriesProcessor,
  [QueueName.Followups]: FollowupsProcessor,
  [QueueName.Maintenance]: MaintenanceProcessor,
};
