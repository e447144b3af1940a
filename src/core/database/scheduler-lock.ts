import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

/**
 * Runs a scheduled task in at most one replica at a time: a transaction-scoped advisory
 * lock is taken without waiting, and a replica that does not get it skips the tick.
 */
@Injectable()
export class SchedulerLock {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async runExclusive(name: string, task: () => Promise<void>): Promise<boolean> {
    return this.dataSource.transaction(async (manager) => {
      const [{ locked }] = await manager.query<{ locked: boolean }[]>(
        'SELECT pg_try_advisory_xact_lock(hashtext($1)) AS locked',
        [`hookyard:${name}`],
      );
      if (!locked) return false;
      await task();
      return true;
    });
  }
}
