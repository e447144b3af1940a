import type { DeliveryFilter } from '../../modules/deliveries/delivery-filter';

/** Every queue Hookyard runs. A queue groups jobs that share a worker pool. */
export enum QueueName {
  Deliveries = 'deliveries',
  /** Work that follows a processed delivery: metrics, indexing, analysis. */
  Followups = 'followups',
  Maintenance = 'maintenance',
}

/** Every job Hookyard runs. Names are stable: they are stored in Redis. */
export enum JobName {
  ProcessDelivery = 'delivery.process',
  ReplayDeliveries = 'deliveries.replay',
  RedriveDeadLetters = 'deliveries.redrive-dead',
  RefreshMetrics = 'metrics.refresh',
  IndexRepository = 'indexing.repository',
  AnalyzeCiFailure = 'analysis.ci-failure',
  MarkAnalysisOutdated = 'analysis.outdated',
}

/** The payload type of each job, by name. */
export interface JobPayloads {
  [JobName.ProcessDelivery]: { deliveryId: string };
  [JobName.ReplayDeliveries]: { filter: DeliveryFilter; requestedBy: string };
  [JobName.RedriveDeadLetters]: { ids?: string[]; filter?: DeliveryFilter; requestedBy: string };
  /** `full`: recompute the repository's whole history (admin action), else what changed. */
  [JobName.RefreshMetrics]: { repositoryId: string; full?: boolean };
  [JobName.IndexRepository]: { repositoryId: string };
  /** Analyses every failed CI run of the repository not analysed yet (one job per repository). */
  [JobName.AnalyzeCiFailure]: { repositoryId: string };
  /** A pull request's head moved: its analysis comment, if it describes another commit, says so. */
  [JobName.MarkAnalysisOutdated]: { repositoryId: string; pullRequest: number };
}

export interface JobDefinition<N extends JobName> {
  queue: QueueName;
  /** Stable job id for deduplication: BullMQ ignores an add whose id is already queued. */
  jobId?: (payload: JobPayloads[N]) => string;
  /** Lower runs first (BullMQ: 1 is the highest priority, 0 means none). */
  priority?: number;
  /** Overrides the configured JOB_ATTEMPTS. */
  attempts?: number;
  /** Waits this long before running, so that a burst of adds merges into one job (dedupe). */
  delayMs?: number;
  /**
   * At most one pending job per key: an add while one waits is dropped, and an add while one
   * runs is kept as the single next run.
   */
  dedupe?: (payload: JobPayloads[N]) => string;
}

export type JobCatalogue = { [N in JobName]: JobDefinition<N> };

/** Follow-ups wait this long, so that a burst of deliveries for one repository runs them once. */
const FOLLOWUP_WINDOW_MS = 2000;

export const JOB_CATALOGUE: JobCatalogue = {
  [JobName.ProcessDelivery]: {
    queue: QueueName.Deliveries,
    // The delivery id: enqueueing the same delivery twice is harmless.
    jobId: (p) => p.deliveryId,
  },
  [JobName.ReplayDeliveries]: { queue: QueueName.Maintenance, attempts: 1 },
  [JobName.RedriveDeadLetters]: { queue: QueueName.Maintenance, attempts: 1 },
  [JobName.RefreshMetrics]: {
    queue: QueueName.Followups,
    dedupe: (p) => `metrics-${p.repositoryId}${p.full === true ? '-full' : ''}`,
    delayMs: FOLLOWUP_WINDOW_MS,
  },
  [JobName.IndexRepository]: {
    queue: QueueName.Followups,
    dedupe: (p) => `index-${p.repositoryId}`,
    delayMs: FOLLOWUP_WINDOW_MS,
  },
  [JobName.AnalyzeCiFailure]: {
    queue: QueueName.Followups,
    dedupe: (p) => `analysis-${p.repositoryId}`,
    delayMs: FOLLOWUP_WINDOW_MS,
  },
  // Right away (no window): the comment should stop looking current when the head moves.
  [JobName.MarkAnalysisOutdated]: {
    queue: QueueName.Followups,
    dedupe: (p) => `analysis-outdated-${p.repositoryId}-${p.pullRequest}`,
  },
};

export const ALL_QUEUES: readonly QueueName[] = Object.values(QueueName);
export const ALL_JOBS: readonly JobName[] = Object.values(JobName);

export function isJobName(name: string): name is JobName {
  return (ALL_JOBS as readonly string[]).includes(name);
}
