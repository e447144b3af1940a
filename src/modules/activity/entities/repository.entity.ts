import { Column, Entity, Index, PrimaryGeneratedColumn, Unique } from 'typeorm';

/** A repository on a forge (migration 0002). */
@Entity('repositories')
@Unique('repositories_provider_external_id_key', ['provider', 'externalId'])
@Index('repositories_full_name_idx', ['fullName'])
export class RepositoryEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column('text')
  provider!: string;

  @Column('text', { name: 'external_id' })
  externalId!: string;

  @Column('text', { name: 'full_name' })
  fullName!: string;

  @Column('text')
  name!: string;

  @Column('text', { name: 'default_branch', nullable: true })
  defaultBranch!: string | null;

  @Column('text', { nullable: true })
  url!: string | null;

  @Column('boolean', { nullable: true })
  private!: boolean | null;

  @Column('timestamptz', { name: 'created_at', default: () => 'now()' })
  createdAt!: Date;

  @Column('timestamptz', { name: 'updated_at', default: () => 'now()' })
  updatedAt!: Date;

  @Column('timestamptz', { name: 'last_event_at', nullable: true })
  lastEventAt!: Date | null;
}
