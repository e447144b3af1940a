import { Column, Entity, ForeignKey, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { IdentityEntity } from '../../users/identity.entity';
import { RepositoryEntity } from './repository.entity';

/** A release or tag release (migration 0002). */
@Entity('releases')
@Unique('releases_repository_id_external_id_key', ['repositoryId', 'externalId'])
export class ReleaseEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'repository_id' })
  @ForeignKey(() => RepositoryEntity, { name: 'releases_repository_id_fkey', onDelete: 'CASCADE' })
  repositoryId!: string;

  @Column('text', { name: 'external_id' })
  externalId!: string;

  @Column('text', { name: 'tag_name' })
  tagName!: string;

  @Column('text', { nullable: true })
  name!: string | null;

  @Column('text', { nullable: true })
  body!: string | null;

  @Column('boolean', { default: false })
  draft!: boolean;

  @Column('boolean', { default: false })
  prerelease!: boolean;

  @Column('uuid', { name: 'author_identity_id', nullable: true })
  @ForeignKey(() => IdentityEntity, { name: 'releases_author_identity_id_fkey' })
  authorIdentityId!: string | null;

  @Column('text', { nullable: true })
  url!: string | null;

  @Column('boolean', { default: false })
  deleted!: boolean;

  @Column('timestamptz', { name: 'created_at' })
  createdAt!: Date;

  @Column('timestamptz', { name: 'published_at', nullable: true })
  publishedAt!: Date | null;

  @Column('timestamptz', { name: 'updated_at' })
  updatedAt!: Date;
}
