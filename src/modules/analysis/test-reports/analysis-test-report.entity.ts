import { Check, Column, Entity, ForeignKey, PrimaryColumn } from 'typeorm';
import { RepositoryEntity } from '../../activity/entities/repository.entity';

export type TestReportFetchStatus = 'read' | 'empty' | 'not_found' | 'failed';

/**
 * A pipeline's test report as fetched once from GitLab (migration 0017): its counts and its
 * failed and error cases (gzip JSON), shared by every failed job of the pipeline.
 */
@Entity('analysis_test_reports')
@Check('analysis_test_reports_status_check', `status IN ('read', 'empty', 'not_found', 'failed')`)
export class AnalysisTestReportEntity {
  @PrimaryColumn('uuid', {
    name: 'repository_id',
    primaryKeyConstraintName: 'analysis_test_reports_pkey',
  })
  @ForeignKey(() => RepositoryEntity, {
    name: 'analysis_test_reports_repository_id_fkey',
    onDelete: 'CASCADE',
  })
  repositoryId!: string;

  /** The forge's pipeline id (`ci_jobs.run_external_id`). */
  @PrimaryColumn('text', {
    name: 'pipeline_id',
    primaryKeyConstraintName: 'analysis_test_reports_pkey',
  })
  pipelineId!: string;

  @Column('text')
  status!: TestReportFetchStatus;

  @Column('text', { nullable: true })
  reason!: string | null;

  @Column('integer', { name: 'total_count', default: 0 })
  totalCount!: number;

  @Column('integer', { name: 'failed_count', default: 0 })
  failedCount!: number;

  @Column('integer', { name: 'error_count', default: 0 })
  errorCount!: number;

  /** The failed and error cases by suite, gzip-compressed JSON; null unless read. */
  @Column('bytea', { name: 'failed_cases', nullable: true })
  failedCases!: Buffer | null;

  @Column('timestamptz', { name: 'fetched_at', default: () => 'now()' })
  fetchedAt!: Date;
}
