import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

/**
 * Serialises feedback on one pull request across replicas: a transaction holding a PostgreSQL
 * advisory lock on the key for as long as `work` runs.
 */
@Injectable()
export class FeedbackLockRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  whileLocked<T>(key: string, work: () => Promise<T>): Promise<T> {
    return this.dataSource.transaction(async (manager) => {
      await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`hookyard:${key}`]);
      return work();
    });
  }
}
