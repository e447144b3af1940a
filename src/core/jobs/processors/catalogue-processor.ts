import {
  BeforeApplicationShutdown,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { OnWorkerEvent, WorkerHost } from '@nestjs/bullmq';
import type { Job } from 'bullmq';
import { AppConfig } from '../../../config/config';
import { messageOf } from '../../errors/message-of';
import { MetricsService } from '../../observability/metrics.service';
import { QueueName, isJobName } from '../job-catalogue';
import { JobRegistry } from '../job-registry';

/**
 * The worker of one queue: sends each job to the @JobHandler registered for its name. Errors
 * are never swallowed here: BullMQ must see them to retry (or, for UnrecoverableError, to stop).
 * Provided only where ROLE runs workers (JobProcessorsModule).
 */
// @Injectable() makes the constructor's parameter types known to the queue subclasses.
@Injectable()
export abstract class CatalogueProcessor
  extends WorkerHost
  implements OnApplicationBootstrap, BeforeApplicationShutdown
{
  protected abstract readonly queue: QueueName;
  private readonly logger = new Logger('JobProcessor');

  constructor(
    private readonly registry: JobRegistry,
    private readonly metrics: MetricsService,
    private readonly config: AppConfig,
  ) {
    super();
  }

  /** Every handler is known by now (JobRegistry checked them at module init): start taking jobs. */
  onApplicationBootstrap(): void {
    this.worker.concurrency = this.config.workerConcurrency;
    this.worker.run().catch((error: unknown) => {
      this.logger.error(`worker ${this.queue} stopped: ${messageOf(error)}`);
    });
    this.logger.log(`worker started for queue ${this.queue}`);
  }

  async process(job: Job): Promise<unknown> {
    if (!isJobName(job.name))
      throw new Error(`Unknown job name "${job.name}" in queue ${this.queue}`);
    const handler = this.registry.handlerFor(job.name);
    const stop = this.metrics.jobDuration.startTimer({ queue: this.queue, job: job.name });
    try {
      const result = await handler(job.data as never, job as never);
      stop({ outcome: 'completed' });
      return result;
    } catch (error) {
      stop({ outcome: 'failed' });
      throw error;
    }
  }

  @OnWorkerEvent('error')
  onWorkerError(error: Error): void {
    this.logger.error(`worker ${this.queue}: ${error.message}`);
  }

  /**
   * Stops taking new jobs and waits for the running ones, at most SHUTDOWN_TIMEOUT_MS. Runs
   * before any onApplicationShutdown hook, so the database and Redis are still there for the
   * jobs that finish. A job still running after that is retried elsewhere once its lock expires.
   */
  async beforeApplicationShutdown(): Promise<void> {
    const closing = this.worker.close();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.config.shutdownTimeoutMs);
      timer.unref();
    });
    const outcome = await Promise.race([closing, timeout]);
    clearTimeout(timer);
    if (outcome === 'timeout') {
      this.logger.warn(`worker ${this.queue} did not finish in time; its jobs will be retried`);
    }
  }
}
