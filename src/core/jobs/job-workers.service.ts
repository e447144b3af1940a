import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Job, MetricsTime, Worker } from 'bullmq';
import { AppConfig } from '../../config/config';
import { MetricsService } from '../observability/metrics.service';
import { ALL_QUEUES, QueueName, isJobName } from './job-catalogue';
import { JobRegistry } from './job-registry';

/**
 * Runs one BullMQ worker per queue in processes whose ROLE includes workers, and sends
 * each job to its registered handler. Errors are never swallowed here: BullMQ must see
 * them to retry (or, for UnrecoverableError, to stop).
 */
@Injectable()
export class JobWorkersService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(JobWorkersService.name);
  private readonly workers: Worker[] = [];

  constructor(
    private readonly config: AppConfig,
    private readonly registry: JobRegistry,
    private readonly metrics: MetricsService,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.runsWorkers) return;
    for (const queue of ALL_QUEUES) this.workers.push(this.createWorker(queue));
    this.logger.log(`workers started for queues: ${ALL_QUEUES.join(', ')}`);
  }

  /** Stops taking new jobs and waits for the running ones (bounded by SHUTDOWN_TIMEOUT_MS). */
  async onApplicationShutdown(): Promise<void> {
    if (this.workers.length === 0) return;
    const closing = Promise.all(this.workers.map((w) => w.close()));
    const timeout = new Promise<'timeout'>((resolve) =>
      setTimeout(() => resolve('timeout'), this.config.shutdownTimeoutMs).unref(),
    );
    if ((await Promise.race([closing, timeout])) === 'timeout') {
      this.logger.warn('workers did not finish in time; their jobs will be retried');
      await Promise.all(this.workers.map((w) => w.close(true)));
    }
    this.workers.length = 0;
  }

  private createWorker(queue: QueueName): Worker {
    const worker = new Worker(queue, (job: Job) => this.run(queue, job), {
      connection: { url: this.config.redisUrl },
      prefix: this.config.queuePrefix,
      concurrency: this.config.workerConcurrency,
      // Per-minute completed/failed counts for the admin queue overview (GET /admin/queues).
      metrics: { maxDataPoints: MetricsTime.ONE_WEEK },
      // A worker that dies (SIGKILL, OOM) leaves its jobs locked: they are found and run again
      // after the lock expires. 15 s instead of BullMQ's 30 s halves that wait; the lock is
      // renewed every 7.5 s by a live worker, so long jobs are not affected.
      lockDuration: 15000,
      stalledInterval: 10000,
      maxStalledCount: 3,
    });
    worker.on('error', (error) => this.logger.error(`worker ${queue}: ${error.message}`));
    return worker;
  }

  private async run(queue: QueueName, job: Job): Promise<unknown> {
    if (!isJobName(job.name)) throw new Error(`Unknown job name "${job.name}" in queue ${queue}`);
    const handler = this.registry.handlerFor(job.name);
    const stop = this.metrics.jobDuration.startTimer({ queue, job: job.name });
    try {
      const result = await handler(job.data as never, job as never);
      stop({ outcome: 'completed' });
      return result;
    } catch (error) {
      stop({ outcome: 'failed' });
      throw error;
    }
  }
}
