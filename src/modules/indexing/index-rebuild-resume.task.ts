import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { ScheduledIntervals } from '../../core/scheduling/scheduled-intervals';
import { IndexingService } from './indexing.service';

const TASK = 'code-index-rebuild-resume';
/** Often enough that search is back a minute after an upgrade; the query reads a few rows. */
const EVERY_MS = 60_000;

/**
 * Queues the full rebuilds an upgrade asked for (an index emptied by a migration), where
 * ROLE runs the scheduler, one replica at a time. Without it a repository's search stays
 * empty until its next push.
 */
@Injectable()
export class IndexRebuildResumeTask implements OnApplicationBootstrap {
  private readonly logger = new Logger(IndexRebuildResumeTask.name);

  constructor(
    private readonly indexing: IndexingService,
    private readonly intervals: ScheduledIntervals,
  ) {}

  onApplicationBootstrap(): void {
    this.intervals.every(TASK, EVERY_MS, async () => {
      await this.tick();
    });
  }

  async tick(): Promise<number> {
    const queued = await this.indexing.resumeWaitingRebuilds();
    if (queued > 0) this.logger.log(`queued ${queued} code index rebuild(s) an upgrade asked for`);
    return queued;
  }
}
