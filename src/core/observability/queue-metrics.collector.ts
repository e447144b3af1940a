import { Injectable, OnModuleInit } from '@nestjs/common';
import { JobsService } from '../jobs/jobs.service';
import { MetricsService } from './metrics.service';

const STATES = ['waiting', 'active', 'delayed', 'completed', 'failed', 'prioritized'] as const;

/** Reads queue depth by state from Redis at scrape time. */
@Injectable()
export class QueueMetricsCollector implements OnModuleInit {
  constructor(
    private readonly metrics: MetricsService,
    private readonly jobs: JobsService,
  ) {}

  onModuleInit(): void {
    this.metrics.onScrape(async () => {
      await Promise.all(
        this.jobs.allQueues().map(async (queue) => {
          const counts = await queue.getJobCounts(...STATES);
          for (const state of STATES) {
            this.metrics.queueJobs.set({ queue: queue.name, state }, counts[state] ?? 0);
          }
        }),
      );
    });
  }
}
