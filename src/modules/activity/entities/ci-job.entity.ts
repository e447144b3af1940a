import { Column, Entity, ForeignKey, Index, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { RepositoryEntity } from './repository.entity';

/** A job of a CI run (migration 0002). */
@Entity('ci_jobs')
@Unique('ci_jobs_repository_id_source_external_id_key', ['repositoryId', 'source', 'externalId'])
@Index('ci_jobs_run_idx', ['repositoryId', 'runExternalId'])
@Index('ci_jobs_sha_idx', ['repositoryId', 'headSha'])
export class CiJobEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'repository_id' })
  @ForeignKey(() => RepositoryEntity, { name: 'ci_jobs_repository_id_fkey', onDelete: 'CASCADE' })
  repositoryId!: string;

  @Column('text')
  source!: string;

  @Column('text', { name: 'external_id' })
  externalId!: string;

  @Column('text', { name: 'run_external_id', nullable: true })
  runExternalId!: string | null;

  @Column('text')
  name!: string;

  @Column('text')
  status!: string;

  @Column('text', { nullable: true })
  conclusion!: string | null;

  @Column('text', { name: 'head_sha' })
  headSha!: string;

  @Column('text', { name: 'head_branch', nullable: true })
  headBranch!: string | null;

  @Column('text', { nullable: true })
  stage!: string | null;

  @Column('text', { nullable: true })
  url!: string | null;

  /** The forge lets this job fail without failing its run (GitLab `allow_failure`; migration 0012). */
  @Column('boolean', { name: 'allow_failure', default: false })
  allowFailure!: boolean;

  @Column('text', { name: 'runner_name', nullable: true })
  runnerName!: string | null;

  @Column('timestamptz', { name: 'created_at' })
  createdAt!: Date;

  @Column('timestamptz', { name: 'started_at', nullable: true })
  startedAt!: Date | null;

  @Column('timestamptz', { name: 'completed_at', nullable: true })
  completedAt!: Date | null;

  @Column('timestamptz', { name: 'updated_at' })
  updatedAt!: Date;
}
