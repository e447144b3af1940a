import {
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
  Optional,
} from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { InjectDataSource } from '@nestjs/typeorm';
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../config/config';
import { rowsOf } from '../../core/database/rows';
import { SchedulerLock } from '../../core/database/scheduler-lock';

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
export class IndexCleanupService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(IndexCleanupService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly lock: SchedulerLock,
    @Optional() private readonly scheduler?: SchedulerRegistry,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.runsScheduler || !this.scheduler) return;
    const timer = setInterval(() => void this.tick(), this.config.retention.intervalMs);
    this.scheduler.addInterval(TASK, timer);
  }

  onApplicationShutdown(): void {
    if (this.scheduler?.doesExist('interval', TASK)) this.scheduler.deleteInterval(TASK);
  }

  async tick(): Promise<void> {
    try {
      await this.lock.runExclusive(TASK, async () => {
        const result = await this.run();
        if (result.blobsDeleted + result.mirrorsDeleted > 0) {
          this.logger.log(
            `code index cleanup: ${result.blobsDeleted} blobs, ${result.mirrorsDeleted} mirrors`,
          );
        }
      });
    } catch (error) {
      // A scheduled tick has no caller to throw to; the next tick tries again.
      this.logger.warn(
        `code index cleanup failed: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }

  async run(graceMs = DEFAULT_GRACE_MS): Promise<IndexCleanupResult> {
    let blobsDeleted = 0;
    for (;;) {
      const deleted = rowsOf(
        await this.dataSource.query<{ sha: string }[]>(
          `DELETE FROM code_blobs WHERE sha IN (
             SELECT b.sha FROM code_blobs b
             WHERE b.created_at < now() - make_interval(secs => $1::double precision / 1000)
               AND NOT EXISTS (SELECT 1 FROM code_index_files f WHERE f.blob_sha = b.sha)
             LIMIT ${CHUNK}
           ) RETURNING sha`,
          [graceMs],
        ),
      );
      blobsDeleted += deleted.length;
      if (deleted.length < CHUNK) break;
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
    const rows = await this.dataSource.query<{ id: string }[]>(
      'SELECT id::text AS id FROM repositories WHERE id = ANY($1::uuid[])',
      [ids],
    );
    const alive = new Set(rows.map((r) => r.id));
    const orphans = ids.filter((id) => !alive.has(id));
    for (const id of orphans) {
      await rm(join(this.config.indexing.dir, `${id}.git`), { recursive: true, force: true });
    }
    return orphans.length;
  }
}
