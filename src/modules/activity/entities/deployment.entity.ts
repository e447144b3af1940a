import { Column, Entity, ForeignKey, Index, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { IdentityEntity } from '../../users/identity.entity';
import { RepositoryEntity } from './repository.entity';

/** A deployment and its latest state (migration 0002). */
@Entity('deployments')
@Unique('deployments_repository_id_external_id_key', ['repositoryId', 'externalId'])
@Index('deployments_env_idx', ['repositoryId', 'environment', 'createdAt'])
export class DeploymentEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'repository_id' })
  @ForeignKey(() => RepositoryEntity, {
    name: 'deployments_repository_id_fkey',
    onDelete: 'CASCADE',
  })
  repositoryId!: string;

  @Column('text', { name: 'external_id' })
  externalId!: string;

  @Column('text')
  environment!: string;

  @Column('text', { nullable: true })
  ref!: string | null;

  @Column('text')
  sha!: string;

  @Column('uuid', { name: 'creator_identity_id', nullable: true })
  @ForeignKey(() => IdentityEntity, { name: 'deployments_creator_identity_id_fkey' })
  creatorIdentityId!: string | null;

  @Column('text', { nullable: true })
  url!: string | null;

  @Column('text', { name: 'latest_state', nullable: true })
  latestState!: string | null;

  @Column('timestamptz', { name: 'latest_state_at', nullable: true })
  latestStateAt!: Date | null;

  @Column('timestamptz', { name: 'created_at' })
  createdAt!: Date;

  @Column('timestamptz', { name: 'updated_at' })
  updatedAt!: Date;
}
