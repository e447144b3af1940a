import { Injectable } from '@nestjs/common';
import { AppError, ErrorCode } from '../../core/http/app-error';
import { CodeIndexRepository } from './code-index.repository';
import { CodeSearchRepository } from './code-search.repository';
import { IndexedFileView, IndexStatusView } from './search.dto';

/** What other modules and the index routes ask of indexing. */
@Injectable()
export class IndexingService {
  constructor(
    private readonly store: CodeIndexRepository,
    private readonly search: CodeSearchRepository,
  ) {}

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
