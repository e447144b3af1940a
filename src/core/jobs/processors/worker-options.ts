import { MetricsTime, WorkerOptions } from 'bullmq';

/**
 * What every queue's worker shares. Concurrency comes from WORKER_CONCURRENCY at boot, which a
 * decorator cannot read: the worker is created stopped (`autorun: false`) and started by its
 * processor once the configuration is known.
 */
export const WORKER_OPTIONS: Omit<WorkerOptions, 'connection'> = {
  autorun: false,
  // Per-minute completed/failed counts for the admin queue overview (GET /admin/queues).
  metrics: { maxDataPoints: MetricsTime.ONE_WEEK },
  // A worker that dies (SIGKILL, OOM) leaves its jobs locked: they are found and run again
  // after the lock expires. 15 s instead of BullMQ's 30 s halves that wait; the lock is
  // renewed every 7.5 s by a live worker, so long jobs are not affected.
  lockDuration: 15000,
  stalledInterval: 10000,
  maxStalledCount: 3,
};
