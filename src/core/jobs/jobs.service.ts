import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import type { Job, JobsOptions, Queue } from 'bullmq';
import { AppConfig } from '../../config/config';
import { JOB_CATALOGUE, JobName, JobPayloads, QueueName } from './job-catalogue';

export interface EnqueueOptions {
  /** Run after this many milliseconds. */
  delayMs?: number;
}

/** The one way to enqueue a job: id, attempts, backoff and priority are decided here. */
@Injectable()
export class JobsService {
  private readonly queues: Record<QueueName, Queue>;

  constructor(
    private readonly config: AppConfig,
    @InjectQueue(QueueName.Deliveries) deliveries: Queue,
    @InjectQueue(QueueName.Followups) followups: Queue,
    @InjectQueue(QueueName.Maintenance) maintenance: Queue,
  ) {
    this.queues = {
      [QueueName.Deliveries]: deliveries,
      [QueueName.Followups]: followups,
      [QueueName.Maintenance]: maintenance,
    };
  }

  queue(name: QueueName): Queue {
    return this.queues[name];
  }

  /** Round trip to Redis through the queue connection (health checks). */
  async pingRedis(): Promise<void> {
    const client = await this.queues[QueueName.Deliveries].getBackend().client;
    await client.info();
  }

  allQueues(): Queue[] {
    return Object.values(this.queues);
  }

  async enqueue<N extends JobName>(
    name: N,
    payload: JobPayloads[N],
    options: EnqueueOptions = {},
  ): Promise<Job> {
    return this.queue(JOB_CATALOGUE[name].queue).add(
      name,
      payload,
      this.options(name, payload, options),
    );
  }

  /**
   * For follow-ups (deduplicated jobs with a waiting window), called after the caller's
   * transaction committed. Every call goes to Redis: BullMQ decides atomically whether a pending
   * job of the key will see the commit (it waits or is delayed: the add is merged into it),
   * or whether one is running and may already have read past it (the add is kept as the single
   * next run, `keepLastIfActive`), or whether none exists (a job is queued). Skipping the add
   * here because this process asked "recently" lost wake-ups: the recent add may itself have
   * been merged into an older job that was about to start, so that job could take its work
   * before this caller's commit, and nothing ran after it (see
   * test/metrics/refresh-wakeup.e2e-spec.ts).
   */
  async enqueueCoalesced<N extends JobName>(name: N, payload: JobPayloads[N]): Promise<void> {
    await this.enqueue(name, payload);
  }

  /** Enqueues many jobs of one name in one round trip. */
  async enqueueBulk<N extends JobName>(name: N, payloads: JobPayloads[N][]): Promise<Job[]> {
    if (payloads.length === 0) return [];
    return this.queue(JOB_CATALOGUE[name].queue).addBulk(
      payloads.map((data) => ({ name, data, opts: this.options(name, data, {}) })),
    );
  }

  /** The state of each job id; `unknown` when Redis no longer has it (e.g. after a wipe). */
  async jobStates(queueName: QueueName, jobIds: string[]): Promise<Map<string, string>> {
    const queue = this.queue(queueName);
    const states = await Promise.all(jobIds.map((id) => queue.getJobState(id)));
    return new Map(jobIds.map((id, i) => [id, states[i]]));
  }

  private options<N extends JobName>(
    name: N,
    payload: JobPayloads[N],
    options: EnqueueOptions,
  ): JobsOptions {
    const definition = JOB_CATALOGUE[name];
    const dedupeKey = definition.dedupe?.(payload);
    return {
      deduplication: dedupeKey ? { id: dedupeKey, keepLastIfActive: true } : undefined,
      jobId: definition.jobId?.(payload),
      attempts: definition.attempts ?? this.config.jobAttempts,
      backoff: { type: 'exponential', delay: 1000 },
      priority: definition.priority,
      delay: options.delayMs ?? definition.delayMs,
      // The count bounds Redis memory under heavy load; PostgreSQL keeps the history anyway.
      removeOnComplete: { age: this.config.retention.completedJobsHours * 3600, count: 10000 },
      removeOnFail: { age: this.config.retention.failedJobsHours * 3600 },
    };
  }
}
