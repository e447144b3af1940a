import { Injectable, Logger } from '@nestjs/common';
import { messageOf } from '../../core/errors/message-of';
import { ForgeUnsupportedError } from '../forges/clients/forge-client';
import { ForgeOriginRefusedError, ForgeRequestError } from '../forges/forge-errors';
import { RepositoryForgeAccess } from '../forges/forges.service';
import { RunJobsRepository } from './run-jobs.repository';

/**
 * Asks the forge for the jobs of failed runs whose jobs never arrived as events, and records
 * them, so that the claim that follows analyses their failed ones like any other. Answers the
 * reasons of listings that failed for a reason that may pass (the job is then retried).
 */
@Injectable()
export class RunJobsDiscovery {
  private readonly logger = new Logger(RunJobsDiscovery.name);

  constructor(private readonly runs: RunJobsRepository) {}

  async discover(access: RepositoryForgeAccess | undefined): Promise<string[]> {
    if (access?.api.status !== 'available') return [];
    const retryable: string[] = [];
    for (const run of await this.runs.failedRunsWithoutJobs(access.repositoryId)) {
      try {
        const jobs = await access.client().listRunJobs(access.repository, run.externalId);
        await this.runs.record(access.repositoryId, run, jobs);
      } catch (error) {
        const final =
          error instanceof ForgeUnsupportedError ||
          error instanceof ForgeOriginRefusedError ||
          (error instanceof ForgeRequestError && !error.transient);
        const reason = `the jobs of run ${run.externalId} could not be listed: ${messageOf(error)}`;
        this.logger.warn(reason);
        if (!final) retryable.push(reason);
      }
    }
    return retryable;
  }
}
