import { Check, Column, Entity, ForeignKey, Index, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { IdentityEntity } from '../../users/identity.entity';
import { RepositoryEntity } from './repository.entity';

export type PullRequestState = 'open' | 'closed' | 'merged';

/** A pull or merge request, newest state by the forge's `updated_at` (migration 0002). */
@Entity('pull_requests')
@Unique('pull_requests_repository_id_number_key', ['repositoryId', 'number'])
@Check('pull_requests_state_check', `state IN ('open', 'closed', 'merged')`)
@Index('pull_requests_state_idx', ['repositoryId', 'state', 'updatedAt'])
@Index('pull_requests_merged_idx', ['mergedAt'], { where: 'merged_at IS NOT NULL' })
@Index('pull_requests_author_idx', ['authorIdentityId'])
export class PullRequestEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'repository_id' })
  @ForeignKey(() => RepositoryEntity, {
    name: 'pull_requests_repository_id_fkey',
    onDelete: 'CASCADE',
  })
  repositoryId!: string;

  @Column('text', { name: 'external_id' })
  externalId!: string;

  @Column('integer')
  number!: number;

  @Column('text')
  title!: string;

  @Column('text', { nullable: true })
  body!: string | null;

  @Column('text')
  state!: PullRequestState;

  @Column('boolean', { default: false })
  draft!: boolean;

  @Column('uuid', { name: 'author_identity_id', nullable: true })
  @ForeignKey(() => IdentityEntity, { name: 'pull_requests_author_identity_id_fkey' })
  authorIdentityId!: string | null;

  @Column('text', { name: 'head_ref' })
  headRef!: string;

  @Column('text', { name: 'base_ref' })
  baseRef!: string;

  @Column('text', { name: 'head_sha', nullable: true })
  headSha!: string | null;

  @Column('text', { nullable: true })
  url!: string | null;

  @Column('text', { array: true, default: [] })
  labels!: string[];

  @Column('integer', { nullable: true })
  additions!: number | null;

  @Column('integer', { nullable: true })
  deletions!: number | null;

  @Column('integer', { name: 'changed_files', nullable: true })
  changedFiles!: number | null;

  @Column('integer', { name: 'commits_count', nullable: true })
  commitsCount!: number | null;

  @Column('timestamptz', { name: 'created_at' })
  createdAt!: Date;

  @Column('timestamptz', { name: 'updated_at' })
  updatedAt!: Date;

  @Column('timestamptz', { name: 'closed_at', nullable: true })
  closedAt!: Date | null;

  @Column('timestamptz', { name: 'merged_at', nullable: true })
  mergedAt!: Date | null;

  @Column('uuid', { name: 'merged_by_identity_id', nullable: true })
  @ForeignKey(() => IdentityEntity, { name: 'pull_requests_merged_by_identity_id_fkey' })
  mergedByIdentityId!: string | null;

  @Column('timestamptz', { name: 'first_seen_at', default: () => 'now()' })
  firstSeenAt!: Date;
}
