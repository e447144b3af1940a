import { Injectable } from '@nestjs/common';
import type { Job } from 'bullmq';
import { JobName, JobPayloads } from '../../../core/jobs/job-catalogue';
import { JobHandler } from '../../../core/jobs/job-handler.decorator';
import { DeadLettersService } from '../dead-letters/dead-letters.service';
import { DeliveryReplayer } from '../delivery-replayer';

/** Job `deliveries.redrive-dead`: dead deliveries (by id or filter) go through processing again. */
@Injectable()
export class RedriveDeadLettersHandler {
  constructor(
    private readonly deadLetters: DeadLettersService,
    private readonly replayer: DeliveryReplayer,
  ) {}

  @JobHandler(JobName.RedriveDeadLetters)
  async redrive(
    payload: JobPayloads[JobName.RedriveDeadLetters],
    job: Job,
  ): Promise<{ redriven: number }> {
    let redriven = 0;
    let after: string | undefined;
    await job.updateProgress({ redriven });
    for (;;) {
      const ids = payload.ids
        ? await this.deadLetters.deadAmong(payload.ids, after)
        : await this.deadLetters.deadMatching(payload.filter ?? {}, after);
      if (ids.length === 0) break;
      await this.replayer.replayIds(ids);
      redriven += ids.length;
      after = ids[ids.length - 1];
      await job.updateProgress({ redriven });
      await job.log(`redriven ${redriven} dead deliveries`);
    }
    return { redriven };
  }
}
