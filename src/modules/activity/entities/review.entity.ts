import { Column, Entity, ForeignKey, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { IdentityEntity } from '../../users/identity.entity';
import { PullRequestEntity } from './pull-request.entity';

/** A review of a pull request (migration 0002). */
@Entity('reviews')
@Unique('reviews_pull_request_id_external_id_key', ['pullRequestId', 'externalId'])
export class ReviewEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'pull_request_id' })
  @ForeignKey(() => PullRequestEntity, {
    name: 'reviews_pull_request_id_fkey',
    onDelete: 'CASCADE',
  })
  pullRequestId!: string;

  @Column('text', { name: 'external_id' })
  externalId!: string;

  @Column('text')
  state!: string;

  @Column('text', { nullable: true })
  body!: string | null;

  @Column('uuid', { name: 'author_identity_id', nullable: true })
  @ForeignKey(() => IdentityEntity, { name: 'reviews_author_identity_id_fkey' })
  authorIdentityId!: string | null;

  @Column('timestamptz', { name: 'submitted_at' })
  submittedAt!: Date;

  @Column('text', { name: 'commit_sha', nullable: true })
  commitSha!: string | null;

  @Column('text', { nullable: true })
  url!: string | null;
}
