import {
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
  Optional,
} from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { AppConfig } from '../../config/config';
import { SchedulerLock } from '../../core/database/scheduler-lock';
import { JobName } from '../../core/jobs/job-catalogue';
import { JobsService } from '../../core/jobs/jobs.service';
import { RollupRepository } from './rollup.repository';

const UPKEEP_JOB = 'metrics-upkeep';
const UPKEEP_INTERVAL_MS = 60_000;
/** Marks younger than this belong to a refresh that is probably waiting in its burst window. */
const STALE_AFTER_MS = 30_000;

/**
 * Rollup upkeep: a refresh job lost with Redis, or never queued (follow-ups are queued after
 * the delivery committed, best effort), leaves its change marks behind; this queues a refresh
 * for every repository whose marks are older than a refresh would leave them.
 */
@Injectable()
export class MetricsUpkeep implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(MetricsUpkeep.name);

  constructor(
    private readonly rollups: RollupRepository,
    private readonly jobs: JobsService,
    private readonly lock: SchedulerLock,
    private readonly config: AppConfig,
    // Present only where ROLE runs the scheduler (ScheduleModule is imported there).
    @Optional() private readonly scheduler?: SchedulerRegistry,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.runsScheduler || !this.scheduler) return;
    const timer = setInterval(() => void this.tick(), UPKEEP_INTERVAL_MS);
    this.scheduler.addInterval(UPKEEP_JOB, timer);
  }

  onApplicationShutdown(): void {
    if (this.scheduler?.doesExist('interval', UPKEEP_JOB))
      this.scheduler.deleteInterval(UPKEEP_JOB);
  }

  async tick(): Promise<void> {
    try {
      await this.lock.runExclusive(UPKEEP_JOB, async () => {
        const queued = await this.sweep();
        if (queued > 0) this.logger.warn(`metrics upkeep: queued ${queued} forgotten refreshes`);
      });
    } catch (error) {
      this.logger.warn(
        `metrics upkeep failed: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }

  /** Queues a refresh per repository with stale marks; answers how many. */
  async sweep(staleAfterMs = STALE_AFTER_MS): Promise<number> {
    const repositories = await this.rollups.repositoriesWithStaleMarks(staleAfterMs);
    for (const repositoryId of repositories) {
      await this.jobs.enqueue(JobName.RefreshMetrics, { repositoryId });
    }
    return repositories.length;
  }
}
