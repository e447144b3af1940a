import { Column, Entity, ForeignKey, Index, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { IdentityEntity } from '../../users/identity.entity';
import { RepositoryEntity } from './repository.entity';

/** A CI pipeline or workflow run (migration 0002). */
@Entity('ci_runs')
@Unique('ci_runs_repository_id_source_external_id_key', ['repositoryId', 'source', 'externalId'])
@Index('ci_runs_time_idx', ['repositoryId', 'createdAt'])
export class CiRunEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'repository_id' })
  @ForeignKey(() => RepositoryEntity, { name: 'ci_runs_repository_id_fkey', onDelete: 'CASCADE' })
  repositoryId!: string;

  @Column('text')
  source!: string;

  @Column('text', { name: 'external_id' })
  externalId!: string;

  @Column('text', { nullable: true })
  name!: string | null;

  @Column('text')
  status!: string;

  @Column('text', { nullable: true })
  conclusion!: string | null;

  @Column('text', { name: 'head_sha' })
  headSha!: string;

  @Column('text', { name: 'head_branch', nullable: true })
  headBranch!: string | null;

  @Column('text', { nullable: true })
  trigger!: string | null;

  @Column('integer', { name: 'run_number', nullable: true })
  runNumber!: number | null;

  @Column('integer', { nullable: true })
  attempt!: number | null;

  @Column('text', { nullable: true })
  url!: string | null;

  @Column('uuid', { name: 'actor_identity_id', nullable: true })
  @ForeignKey(() => IdentityEntity, { name: 'ci_runs_actor_identity_id_fkey' })
  actorIdentityId!: string | null;

  @Column('integer', { name: 'pull_request_numbers', array: true, default: [] })
  pullRequestNumbers!: number[];

  @Column('timestamptz', { name: 'created_at' })
  createdAt!: Date;

  @Column('timestamptz', { name: 'started_at', nullable: true })
  startedAt!: Date | null;

  @Column('timestamptz', { name: 'completed_at', nullable: true })
  completedAt!: Date | null;

  @Column('timestamptz', { name: 'updated_at' })
  updatedAt!: Date;
}
