import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { AppConfig } from '../../config/config';
import { ScheduledIntervals } from '../../core/scheduling/scheduled-intervals';
import { CodeIndexRepository } from './code-index.repository';

const TASK = 'code-index-cleanup';
const CHUNK = 2000;
/**
 * Blobs younger than this are kept even when no file points at them yet: a run stores its
 * blobs before the transaction that switches its files in.
 */
const DEFAULT_GRACE_MS = 60 * 60 * 1000;
const MIRROR = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.git$/;

export interface IndexCleanupResult {
  blobsDeleted: number;
  mirrorsDeleted: number;
}

/**
 * Collects what no index refers to any more: blobs no file points at (their symbols go with
 * them), and mirrors of repositories that were removed. Files of removed repositories and
 * refs go by cascade when their rows are deleted.
 */
@Injectable()
export class IndexCleanupTask implements OnApplicationBootstrap {
  private readonly logger = new Logger(IndexCleanupTask.name);

  constructor(
    private readonly index: CodeIndexRepository,
    private readonly config: AppConfig,
    private readonly intervals: ScheduledIntervals,
  ) {}

  /** Every RETENTION_INTERVAL_MS where ROLE runs the scheduler, one replica at a time. */
  onApplicationBootstrap(): void {
    this.intervals.every(TASK, this.config.retention.intervalMs, () => this.tick());
  }

  async tick(): Promise<void> {
    const result = await this.run();
    if (result.blobsDeleted + result.mirrorsDeleted > 0) {
      this.logger.log(
        `code index cleanup: ${result.blobsDeleted} blobs, ${result.mirrorsDeleted} mirrors`,
      );
    }
  }

  async run(graceMs = DEFAULT_GRACE_MS): Promise<IndexCleanupResult> {
    let blobsDeleted = 0;
    for (;;) {
      const deleted = await this.index.deleteUnreferencedBlobs(graceMs, CHUNK);
      blobsDeleted += deleted;
      if (deleted < CHUNK) break;
    }
    return { blobsDeleted, mirrorsDeleted: await this.removeOrphanMirrors() };
  }

  private async removeOrphanMirrors(): Promise<number> {
    let names: string[];
    try {
      names = await readdir(this.config.indexing.dir);
    } catch {
      return 0; // no mirror was ever made
    }
    const ids = names
      .map((n) => MIRROR.exec(n)?.[1])
      .filter((id): id is string => id !== undefined);
    if (ids.length === 0) return 0;
    const alive = await this.index.existingRepositoryIds(ids);
    const orphans = ids.filter((id) => !alive.has(id));
    for (const id of orphans) {
      await rm(join(this.config.indexing.dir, `${id}.git`), { recursive: true, force: true });
    }
    return orphans.length;
  }
}
