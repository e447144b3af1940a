import { Injectable } from '@nestjs/common';
import type { Job, Queue } from 'bullmq';
import { AppError, ErrorCode } from '../../../core/http/app-error';
import { ALL_QUEUES, QueueName } from '../../../core/jobs/job-catalogue';
import { JobsService } from '../../../core/jobs/jobs.service';
import { DeliveryLifecycleRepository } from '../../deliveries/delivery-lifecycle.repository';
import {
  CleanableState,
  JOB_STATES,
  JobDeliveryView,
  JobDetailView,
  JobPageView,
  JobStateName,
  JobSummaryView,
  QueueOverviewView,
  StateCountsView,
  WindowThroughputView,
} from './queue.dto';
import { messageOf } from '../../../core/errors/message-of';

const MINUTE_MS = 60_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const CURSOR_TAG = 'jobs';

export function isQueueName(name: string): name is QueueName {
  return (ALL_QUEUES as readonly string[]).includes(name);
}

/** Finished jobs per absolute minute, as BullMQ's metrics record them. */
interface MinuteCounts {
  /** Count in the minute `currentMinute - i`. */
  at(minutesAgo: number): number;
}

function minuteCounts(
  metrics: { meta: { count: number; prevTS: number; prevCount: number }; data: number[] },
  nowMs: number,
): MinuteCounts {
  // BullMQ keeps jobs since the last flush as `count - prevCount` (they belong to prevTS's
  // minute) and flushed minutes newest first in `data`, the first entry being the minute
  // before prevTS's.
  const currentMinute = Math.floor(nowMs / MINUTE_MS);
  const flushMinute = Math.floor(metrics.meta.prevTS / MINUTE_MS);
  const pending = metrics.meta.count - metrics.meta.prevCount;
  return {
    at(minutesAgo: number): number {
      const minute = currentMinute - minutesAgo;
      if (metrics.meta.prevTS === 0) return 0;
      if (minute === flushMinute) return pending;
      const index = flushMinute - 1 - minute;
      return index >= 0 && index < metrics.data.length ? metrics.data[index] : 0;
    },
  };
}

/**
 * Jobs in the last `minutes` minutes: the whole minutes inside the window, plus the share of
 * the minute that straddles its start (a sliding-window estimate at minute granularity).
 */
function inWindow(counts: MinuteCounts, minutes: number, nowMs: number): number {
  const elapsed = (nowMs % MINUTE_MS) / MINUTE_MS;
  let total = 0;
  for (let i = 0; i < minutes; i++) total += counts.at(i);
  return total + counts.at(minutes) * (1 - elapsed);
}

const round = (value: number) => Math.round(value * 100) / 100;

function throughput(
  completed: MinuteCounts,
  failed: MinuteCounts,
  minutes: number,
  nowMs: number,
): WindowThroughputView {
  const c = round(inWindow(completed, minutes, nowMs));
  const f = round(inWindow(failed, minutes, nowMs));
  return {
    completed: c,
    failed: f,
    completedPerMinute: round(c / minutes),
    failedPerMinute: round(f / minutes),
  };
}

const iso = (ms: number | undefined): string | null =>
  ms === undefined || ms === null || ms === 0 ? null : new Date(ms).toISOString();

function conflict(message: string): AppError {
  return new AppError(ErrorCode.Conflict, message);
}

/** Inspects and steers the BullMQ queues for the admin API. */
@Injectable()
export class QueueAdminService {
  constructor(
    private readonly jobs: JobsService,
    private readonly deliveries: DeliveryLifecycleRepository,
  ) {}

  /** The queue of that name; 404 for a name the catalogue does not know. */
  queue(name: string): { name: QueueName; queue: Queue } {
    if (!isQueueName(name)) {
      throw new AppError(
        ErrorCode.NotFound,
        `Queue ${name} does not exist (queues: ${ALL_QUEUES.join(', ')})`,
      );
    }
    return { name, queue: this.jobs.queue(name) };
  }

  async overview(): Promise<QueueOverviewView[]> {
    return Promise.all(ALL_QUEUES.map((name) => this.overviewOf(name)));
  }

  private async overviewOf(name: QueueName): Promise<QueueOverviewView> {
    const queue = this.jobs.queue(name);
    const [raw, paused, [oldest], completedMetrics, failedMetrics] = await Promise.all([
      queue.getJobCounts(...JOB_STATES),
      queue.isPaused(),
      queue.getJobs('waiting', 0, 0, true),
      queue.getMetrics('completed', 0, 60),
      queue.getMetrics('failed', 0, 60),
    ]);
    const now = Date.now();
    const counts: StateCountsView = {
      waiting: raw.waiting ?? 0,
      active: raw.active ?? 0,
      delayed: raw.delayed ?? 0,
      completed: raw.completed ?? 0,
      failed: raw.failed ?? 0,
      prioritized: raw.prioritized ?? 0,
      'waiting-children': raw['waiting-children'] ?? 0,
    };
    const completed = minuteCounts(completedMetrics, now);
    const failed = minuteCounts(failedMetrics, now);
    const lastHour = throughput(completed, failed, 60, now);
    const finished = lastHour.completed + lastHour.failed;
    return {
      name,
      paused,
      counts,
      oldestWaitingAgeSeconds: oldest
        ? Math.max(0, Math.round((now - oldest.timestamp) / 100) / 10)
        : null,
      throughput: { lastMinute: throughput(completed, failed, 1, now), lastHour },
      failureRate: finished > 0 ? Math.round((lastHour.failed / finished) * 10000) / 10000 : null,
    };
  }

  async list(
    queueName: string,
    state: JobStateName,
    limit: number,
    cursor?: string,
  ): Promise<JobPageView> {
    const { name, queue } = this.queue(queueName);
    const offset = cursor ? decodeCursor(cursor, name, state) : 0;
    const found = (await queue.getJobs(state, offset, offset + limit)).filter(
      (job): job is Job => job !== undefined && job !== null,
    );
    const page = found.slice(0, limit);
    return {
      items: page.map((job) => summaryOf(job, name, state)),
      nextCursor: found.length > limit ? encodeCursor(name, state, offset + limit) : null,
    };
  }

  async detail(queueName: string, id: string): Promise<JobDetailView> {
    const { name, queue } = this.queue(queueName);
    // State first: the job read after it is at least as recent, never older than its state.
    const state = await queue.getJobState(id);
    const job = await this.find(name, queue, id);
    const [logs, delivery] = await Promise.all([
      queue.getJobLogs(id),
      name === QueueName.Deliveries ? this.deliveryOf(job) : Promise.resolve(null),
    ]);
    return {
      ...summaryOf(job, name, state),
      opts: job.opts,
      stacktrace: job.stacktrace ?? [],
      logs: logs.logs,
      returnvalue: job.returnvalue ?? null,
      delivery,
    };
  }

  /** failed → waiting; for a delivery job the delivery is reset so the worker claims it again. */
  async retry(queueName: string, id: string): Promise<void> {
    const { name, queue } = this.queue(queueName);
    const job = await this.find(name, queue, id);
    const state = await job.getState();
    if (state !== 'failed') {
      throw conflict(`Job ${id} is ${state}; only a failed job can be retried`);
    }
    if (name === QueueName.Deliveries) await this.requeueDeliveries([deliveryIdOf(job)]);
    try {
      await job.retry('failed');
    } catch (error) {
      throw conflict(`Job ${id} could not be retried: ${messageOf(error)}`);
    }
  }

  async promote(queueName: string, id: string): Promise<void> {
    const { name, queue } = this.queue(queueName);
    const job = await this.find(name, queue, id);
    const state = await job.getState();
    if (state !== 'delayed') {
      throw conflict(`Job ${id} is ${state}; only a delayed job can be promoted`);
    }
    try {
      await job.promote();
    } catch (error) {
      throw conflict(`Job ${id} could not be promoted: ${messageOf(error)}`);
    }
  }

  /**
   * A pending job is removed. A running delivery job cannot be interrupted from another
   * process (BullMQ's cancelJob only reaches the worker's own process): its delivery is marked
   * `cancelled`, which later claims respect, and the job runs to its end.
   */
  async remove(
    queueName: string,
    id: string,
    requestedBy: string,
  ): Promise<'removed' | 'cancelled'> {
    const { name, queue } = this.queue(queueName);
    const job = await this.find(name, queue, id);
    const state = await job.getState();
    switch (state) {
      case 'waiting':
      case 'prioritized':
      case 'delayed':
      case 'waiting-children':
        // Cancel first: should the job start meanwhile, its claim skips the delivery.
        if (name === QueueName.Deliveries) {
          await this.cancelDeliveries([deliveryIdOf(job)], requestedBy);
        }
        try {
          await job.remove();
        } catch (error) {
          throw conflict(`Job ${id} started before it could be removed: ${messageOf(error)}`);
        }
        return 'removed';
      case 'active':
        if (name !== QueueName.Deliveries) {
          throw conflict(
            `Job ${id} is running; ${name} jobs cannot be stopped while they run (delete it once it has finished)`,
          );
        }
        // The worker holds the row while it records the outcome: this waits for that commit,
        // and a delivery that has ended by then is left as it is.
        if ((await this.cancelDeliveries([deliveryIdOf(job)], requestedBy)) === 0) {
          throw conflict(
            `Job ${id} finished its delivery before it could be cancelled; nothing to cancel`,
          );
        }
        return 'cancelled';
      case 'completed':
      case 'failed':
        throw conflict(
          `Job ${id} is ${state}; finished jobs are removed with POST /api/v1/admin/queues/${name}/clean`,
        );
      case 'unknown':
        throw new AppError(ErrorCode.NotFound, `Job ${id} does not exist in queue ${name}`);
    }
  }

  async pause(queueName: string): Promise<boolean> {
    const { queue } = this.queue(queueName);
    await queue.pause();
    return queue.isPaused();
  }

  async resume(queueName: string): Promise<boolean> {
    const { queue } = this.queue(queueName);
    await queue.resume();
    return queue.isPaused();
  }

  /** Every failed job back to waiting; delivery jobs get their delivery reset too. */
  async retryFailed(queueName: string): Promise<number> {
    const { name, queue } = this.queue(queueName);
    const before = Date.now();
    const ids = await queue.getRanges(['failed'], 0, -1);
    if (ids.length === 0) return 0;
    if (name === QueueName.Deliveries) await this.requeueDeliveries(ids);
    await queue.retryJobs({ state: 'failed', timestamp: before, count: 1000 });
    return ids.length;
  }

  async clean(queueName: string, state: CleanableState, olderThanMs: number): Promise<number> {
    const { name, queue } = this.queue(queueName);
    const removed = await queue.clean(olderThanMs, 0, state);
    if (name === QueueName.Deliveries && (state === 'waiting' || state === 'delayed')) {
      await this.cancelDeliveries(removed, 'clean');
    }
    return removed.length;
  }

  private async find(name: QueueName, queue: Queue, id: string): Promise<Job> {
    const job = await queue.getJob(id);
    if (!job) throw new AppError(ErrorCode.NotFound, `Job ${id} does not exist in queue ${name}`);
    return job;
  }

  private async deliveryOf(job: Job): Promise<JobDeliveryView | null> {
    const id = deliveryIdOf(job);
    if (!UUID.test(id)) return null;
    return (await this.deliveries.summary(id)) ?? null;
  }

  private async requeueDeliveries(ids: string[]): Promise<void> {
    const valid = ids.filter((id) => UUID.test(id));
    if (valid.length === 0) return;
    await this.deliveries.markRequeued(valid);
  }

  /** Marks the deliveries that have not ended `cancelled`; answers how many were. */
  private async cancelDeliveries(ids: string[], requestedBy: string): Promise<number> {
    const valid = ids.filter((id) => UUID.test(id));
    if (valid.length === 0) return 0;
    return this.deliveries.cancel(valid, `cancelled by an administrator (${requestedBy})`);
  }
}

function deliveryIdOf(job: Job): string {
  const data: unknown = job.data;
  if (data && typeof data === 'object' && 'deliveryId' in data) {
    const value: unknown = data.deliveryId;
    if (typeof value === 'string') return value;
  }
  return job.id ?? '';
}

function summaryOf(job: Job, queue: QueueName, state: string): JobSummaryView {
  const runAt = job.delay > 0 ? job.timestamp + job.delay : undefined;
  return {
    id: job.id ?? '',
    name: job.name,
    queue,
    state,
    data: job.data,
    attemptsMade: job.attemptsMade,
    failedReason: job.failedReason ?? null,
    progress: job.progress,
    createdAt: new Date(job.timestamp).toISOString(),
    processedAt: iso(job.processedOn),
    finishedAt: iso(job.finishedOn),
    runAt: state === 'delayed' ? iso(runAt) : null,
  };
}

function encodeCursor(queue: QueueName, state: JobStateName, offset: number): string {
  return Buffer.from(JSON.stringify([CURSOR_TAG, queue, state, offset])).toString('base64url');
}

function decodeCursor(cursor: string, queue: QueueName, state: JobStateName): number {
  const invalid = () =>
    new AppError(ErrorCode.ValidationFailed, 'cursor is not a cursor this listing returned');
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (
    !Array.isArray(parsed) ||
    parsed.length !== 4 ||
    parsed[0] !== CURSOR_TAG ||
    parsed[1] !== queue ||
    parsed[2] !== state
  ) {
    throw invalid();
  }
  const offset: unknown = parsed[3];
  if (typeof offset !== 'number' || !Number.isSafeInteger(offset) || offset < 0) throw invalid();
  return offset;
}
