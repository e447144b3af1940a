import { Column, Entity, Index, PrimaryGeneratedColumn, Unique } from 'typeorm';

/**
 * A commit (migrations 0002, 0004). No foreign keys since 0004: each inserted commit paid
 * three lookups with row locks; the worker writes only ids of committed rows.
 */
@Entity('commits')
@Unique('commits_repository_id_sha_key', ['repositoryId', 'sha'])
@Index('commits_repository_time_idx', ['repositoryId', 'committedAt'])
@Index('commits_author_idx', ['authorIdentityId'])
export class CommitEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'repository_id' })
  repositoryId!: string;

  @Column('text')
  sha!: string;

  @Column('text')
  message!: string;

  @Column('uuid', { name: 'author_identity_id', nullable: true })
  authorIdentityId!: string | null;

  @Column('uuid', { name: 'committer_identity_id', nullable: true })
  committerIdentityId!: string | null;

  @Column('timestamptz', { name: 'committed_at' })
  committedAt!: Date;

  @Column('text', { nullable: true })
  url!: string | null;

  @Column('text', { name: 'files_added', array: true, default: [] })
  filesAdded!: string[];

  @Column('text', { name: 'files_modified', array: true, default: [] })
  filesModified!: string[];

  @Column('text', { name: 'files_removed', array: true, default: [] })
  filesRemoved!: string[];

  @Column('text', { name: 'first_ref', nullable: true })
  firstRef!: string | null;

  @Column('timestamptz', { name: 'first_seen_at', default: () => 'now()' })
  firstSeenAt!: Date;
}
