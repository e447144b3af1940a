import type { DeliveryFilter } from '../../modules/webhooks/deliveries/delivery-filter';

/** Every queue Hookyard runs. A queue groups jobs that share a worker pool. */
export enum QueueName {
  Deliveries = 'deliveries',
  Maintenance = 'maintenance',
}

/** Every job Hookyard runs. Names are stable: they are stored in Redis. */
export enum JobName {
  ProcessDelivery = 'delivery.process',
  ReplayDeliveries = 'deliveries.replay',
}

/** The payload type of each job, by name. */
export interface JobPayloads {
  [JobName.ProcessDelivery]: { deliveryId: string };
  [JobName.ReplayDeliveries]: { filter: DeliveryFilter; requestedBy: string };
}

export interface JobDefinition<N extends JobName> {
  queue: QueueName;
  /** Stable job id for deduplication: BullMQ ignores an add whose id is already queued. */
  jobId?: (payload: JobPayloads[N]) => string;
  /** Lower runs first (BullMQ: 1 is the highest priority, 0 means none). */
  priority?: number;
  /** Overrides the configured JOB_ATTEMPTS. */
  attempts?: number;
}

export type JobCatalogue = { [N in JobName]: JobDefinition<N> };

export const JOB_CATALOGUE: JobCatalogue = {
  [JobName.ProcessDelivery]: {
    queue: QueueName.Deliveries,
    // The delivery id: enqueueing the same delivery twice is harmless.
    jobId: (p) => p.deliveryId,
  },
  [JobName.ReplayDeliveries]: { queue: QueueName.Maintenance, attempts: 1 },
};

export const ALL_QUEUES: readonly QueueName[] = Object.values(QueueName);
export const ALL_JOBS: readonly JobName[] = Object.values(JobName);

export function isJobName(name: string): name is JobName {
  return (ALL_JOBS as readonly string[]).includes(name);
}
