import { Injectable, Logger } from '@nestjs/common';
import { Job, UnrecoverableError } from 'bullmq';
import { JobName, JobPayloads } from '../../core/jobs/job-catalogue';
import { JobHandler } from '../../core/jobs/job-handler.decorator';
import { CodeIndexRepository } from './code-index.repository';
import { IndexRefusedError, IndexRunResult, RepositoryIndexer } from './repository-indexer';

export type IndexJobResult = IndexRunResult | { indexed: false; reason: string };

/**
 * Brings a repository's code index up to date after a push (or a reindex trigger). Runs are
 * coalesced per repository by the job's dedupe key; a full rebuild is asked for through
 * `code_indexes.rebuild_requested`, so that a trigger merges with a waiting push run.
 */
@Injectable()
export class IndexRepositoryHandler {
  private readonly logger = new Logger(IndexRepositoryHandler.name);

  constructor(
    private readonly store: CodeIndexRepository,
    private readonly indexer: RepositoryIndexer,
  ) {}

  @JobHandler(JobName.IndexRepository)
  async index(payload: JobPayloads[JobName.IndexRepository], job: Job): Promise<IndexJobResult> {
    const repository = await this.store.repository(payload.repositoryId);
    if (!repository) return { indexed: false, reason: 'the repository no longer exists' };
    const state = await this.store.start(repository.id);
    const full = state.rebuildRequested || state.optionsHash !== this.indexer.optionsHash;
    try {
      const result = await this.indexer.run(repository, full, (progress) =>
        job.updateProgress({ ...progress }),
      );
      // After the switch (searchable already), before the run is reported done.
      if (result.blobsRead > 0) await this.store.mergePendingIndexEntries();
      await this.store.finish(repository.id, this.indexer.optionsHash, result);
      if (result.full) await this.store.analyze();
      this.logger.log(
        `indexed ${repository.fullName}: ${result.full ? 'full' : 'incremental'}, ${result.changedFiles} changed files, ${result.blobsRead} blobs read in ${result.tookMs} ms`,
      );
      return result;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      await this.store.fail(repository.id, message, state.rebuildRequested);
      if (error instanceof IndexRefusedError) throw new UnrecoverableError(message);
      throw error;
    }
  }
}
