import { Injectable, Logger } from '@nestjs/common';
import { JobName, JobPayloads } from '../../core/jobs/job-catalogue';
import { JobHandler } from '../../core/jobs/job-handler.decorator';

/**
 * Updates a repository's code index after a push to its default branch. The indexing
 * capability is not built yet: the job and its deduplication are real, the indexing is to come.
 */
@Injectable()
export class IndexRepositoryHandler {
  private readonly logger = new Logger(IndexRepositoryHandler.name);

  @JobHandler(JobName.IndexRepository)
  index(
    payload: JobPayloads[JobName.IndexRepository],
  ): Promise<{ indexed: false; reason: string }> {
    this.logger.debug(`indexing requested for repository ${payload.repositoryId}`);
    return Promise.resolve({ indexed: false, reason: 'indexing capability not built yet' });
  }
}
