import { Injectable } from '@nestjs/common';
import { AppError, ErrorCode } from '../../core/http/app-error';
import { JobName } from '../../core/jobs/job-catalogue';
import { JobsService } from '../../core/jobs/jobs.service';
import { BranchPatterns } from './branch-patterns';
import { CodeIndexRepository } from './code-index.repository';
import { CodeSearchRepository } from './code-search.repository';
import { IndexSettingsView } from './index-settings.dto';
import { IndexSettingsRepository } from './index-settings.repository';
import { IndexedFileView, IndexStatusView } from './search.dto';

/** A push to a branch other than the repository's default one (created, moved or deleted). */
export interface BranchPush {
  repositoryId: string;
  branch: string;
}

/** What other modules and the index routes ask of indexing. */
@Injectable()
export class IndexingService {
  constructor(
    private readonly store: CodeIndexRepository,
    private readonly search: CodeSearchRepository,
    private readonly settingsStore: IndexSettingsRepository,
    private readonly jobs: JobsService,
  ) {}

  async settings(repositoryId: string): Promise<IndexSettingsView> {
    const row = await this.settingsStore.get(repositoryId);
    if (!row) throw new AppError(ErrorCode.NotFound, `Repository ${repositoryId} does not exist`);
    return {
      repositoryId,
      indexedBranches: row.branches,
      updatedAt: row.updatedAt ? row.updatedAt.toISOString() : null,
    };
  }

  /** Replaces the indexed branches and starts a run that indexes new ones and drops old ones. */
  async updateSettings(repositoryId: string, branches: string[]): Promise<IndexSettingsView> {
    if (!(await this.store.exists(repositoryId))) {
      throw new AppError(ErrorCode.NotFound, `Repository ${repositoryId} does not exist`);
    }
    await this.settingsStore.setBranches(repositoryId, branches);
    await this.jobs.enqueueCoalesced(JobName.IndexRepository, { repositoryId });
    return this.settings(repositoryId);
  }

  /** The repositories among these pushes to non-default branches whose pushed branch is indexed. */
  async indexedAmong(pushes: readonly BranchPush[]): Promise<Set<string>> {
    const indexed = new Set<string>();
    if (pushes.length === 0) return indexed;
    const patterns = await this.settingsStore.branchesOf([
      ...new Set(pushes.map((p) => p.repositoryId)),
    ]);
    for (const push of pushes) {
      const branches = patterns.get(push.repositoryId);
      if (branches && new BranchPatterns(branches).matches(push.branch)) {
        indexed.add(push.repositoryId);
      }
    }
    return indexed;
  }

  /**
   * Queues a run for every index an upgrade emptied, so search comes back without waiting for
   * each repository's next push. Coalesced: a run already waiting absorbs it.
   */
  async resumeWaitingRebuilds(limit = 500): Promise<number> {
    const ids = await this.store.rebuildsWaitingForARun(limit);
    for (const repositoryId of ids) {
      await this.jobs.enqueueCoalesced(JobName.IndexRepository, { repositoryId });
    }
    return ids.length;
  }

  /** The next run of the repository's index job rebuilds it in full. */
  async requestFullRebuild(repositoryId: string): Promise<void> {
    if (!(await this.store.exists(repositoryId))) {
      throw new AppError(ErrorCode.NotFound, `Repository ${repositoryId} does not exist`);
    }
    await this.store.requestRebuild(repositoryId);
  }

  async status(repositoryId: string): Promise<IndexStatusView> {
    const row = await this.search.status(repositoryId);
    if (!row) throw new AppError(ErrorCode.NotFound, `Repository ${repositoryId} does not exist`);
    const ran = row.last_run_took_ms !== null;
    const refs = await this.search.refs(repositoryId);
    return {
      status: row.status ?? 'never',
      ref: row.ref,
      commitSha: row.commit_sha,
      indexedAt: row.indexed_at ? row.indexed_at.toISOString() : null,
      files: row.files ?? 0,
      bytes: Number(row.bytes ?? 0),
      skipped: row.skipped ?? 0,
      lastError: row.last_error,
      lastRun: ran
        ? {
            changedFiles: row.last_run_changed_files ?? 0,
            tookMs: row.last_run_took_ms ?? 0,
            blobsRead: row.last_run_blobs_read ?? 0,
            full: row.last_run_full ?? false,
          }
        : null,
      refs: refs.map((r) => ({
        ref: r.ref,
        commitSha: r.commit_sha,
        indexedAt: r.indexed_at.toISOString(),
        files: r.files,
        skipped: r.skipped,
      })),
    };
  }

  async file(
    repositoryId: string,
    path: string,
    ref: string | undefined,
  ): Promise<IndexedFileView> {
    const branch = ref?.replace(/^refs\/heads\//, '');
    const row = await this.search.file(repositoryId, path, branch);
    if (!row) {
      throw new AppError(
        ErrorCode.NotFound,
        `The index holds no file ${path} in this repository and ref`,
      );
    }
    if (row.content === null) {
      throw new AppError(
        ErrorCode.NotFound,
        `${path} is not indexed: ${row.skipped_reason ?? 'skipped'}`,
        {
          skippedReason: row.skipped_reason,
        },
      );
    }
    return {
      repository: row.repository,
      path: row.path,
      ref: row.ref,
      commitSha: row.commit_sha,
      language: row.language,
      bytes: Number(row.bytes),
      content: row.content,
    };
  }
}
