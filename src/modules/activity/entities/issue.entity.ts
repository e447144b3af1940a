import { Check, Column, Entity, ForeignKey, Index, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { IdentityEntity } from '../../users/identity.entity';
import { RepositoryEntity } from './repository.entity';

export type IssueState = 'open' | 'closed';

/** An issue, newest state by the forge's `updated_at` (migration 0002). */
@Entity('issues')
@Unique('issues_repository_id_number_key', ['repositoryId', 'number'])
@Check('issues_state_check', `state IN ('open', 'closed')`)
@Index('issues_state_idx', ['repositoryId', 'state', 'updatedAt'])
export class IssueEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'repository_id' })
  @ForeignKey(() => RepositoryEntity, { name: 'issues_repository_id_fkey', onDelete: 'CASCADE' })
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
  state!: IssueState;

  @Column('uuid', { name: 'author_identity_id', nullable: true })
  @ForeignKey(() => IdentityEntity, { name: 'issues_author_identity_id_fkey' })
  authorIdentityId!: string | null;

  @Column('text', { array: true, default: [] })
  labels!: string[];

  @Column('text', { nullable: true })
  url!: string | null;

  @Column('timestamptz', { name: 'created_at' })
  createdAt!: Date;

  @Column('timestamptz', { name: 'updated_at' })
  updatedAt!: Date;

  @Column('timestamptz', { name: 'closed_at', nullable: true })
  closedAt!: Date | null;
}
