import { Column, Entity, ForeignKey, Index, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { IdentityEntity } from '../../users/identity.entity';
import { RepositoryEntity } from './repository.entity';

/** A comment on a pull request, issue or commit (migration 0002). */
@Entity('comments')
@Unique('comments_repository_id_external_id_key', ['repositoryId', 'externalId'])
@Index('comments_target_idx', ['repositoryId', 'targetType', 'targetNumber'])
export class CommentEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'repository_id' })
  @ForeignKey(() => RepositoryEntity, { name: 'comments_repository_id_fkey', onDelete: 'CASCADE' })
  repositoryId!: string;

  @Column('text', { name: 'external_id' })
  externalId!: string;

  @Column('text', { name: 'target_type' })
  targetType!: string;

  @Column('integer', { name: 'target_number', nullable: true })
  targetNumber!: number | null;

  @Column('text', { name: 'target_sha', nullable: true })
  targetSha!: string | null;

  @Column('text')
  body!: string;

  @Column('uuid', { name: 'author_identity_id', nullable: true })
  @ForeignKey(() => IdentityEntity, { name: 'comments_author_identity_id_fkey' })
  authorIdentityId!: string | null;

  @Column('text', { nullable: true })
  path!: string | null;

  @Column('integer', { nullable: true })
  line!: number | null;

  @Column('text', { nullable: true })
  url!: string | null;

  @Column('boolean', { default: false })
  deleted!: boolean;

  @Column('timestamptz', { name: 'created_at' })
  createdAt!: Date;

  @Column('timestamptz', { name: 'updated_at' })
  updatedAt!: Date;
}
