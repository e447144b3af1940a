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
  private readonly recentlyAdded = new Map<string, number>();

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
   * For deduplicated jobs with a waiting window (follow-ups): skips the round trip to Redis
   * when this process already added the same key within the first half of the window. The
   * job added then has not started yet, so it will see what the caller just committed.
   */
  async enqueueCoalesced<N extends JobName>(name: N, payload: JobPayloads[N]): Promise<void> {
    const definition = JOB_CATALOGUE[name];
    const key = definition.dedupe?.(payload);
    const windowMs = definition.delayMs ?? 0;
    const now = Date.now();
    if (key !== undefined && windowMs > 0) {
      const last = this.recentlyAdded.get(key);
      if (last !== undefined && now - last < windowMs / 2) return;
      if (this.recentlyAdded.size > 10000) this.recentlyAdded.clear();
      this.recentlyAdded.set(key, now);
    }
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
