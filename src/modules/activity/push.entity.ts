import { Column, Entity, Index, PrimaryGeneratedColumn, Unique } from 'typeorm';

/** A push as a link of a branch's history: before → after, with the commits it brought. */
@Entity('pushes')
@Unique('pushes_link_unique', ['repositoryId', 'ref', 'beforeSha', 'afterSha'])
@Index('pushes_after_idx', ['repositoryId', 'afterSha'])
export class PushEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('uuid', { name: 'repository_id' }) repositoryId!: string;
  @Column('text') ref!: string;
  @Column('text', { name: 'before_sha' }) beforeSha!: string;
  @Column('text', { name: 'after_sha' }) afterSha!: string;
  @Column('text', { name: 'commit_shas', array: true, default: () => "'{}'" })
  commitShas!: string[];
  @Column('timestamptz', { name: 'first_commit_at', nullable: true }) firstCommitAt!: Date | null;
  @Column('boolean', { default: false }) forced!: boolean;
  @Column('timestamptz', { name: 'occurred_at' }) occurredAt!: Date;
}
