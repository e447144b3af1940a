import { Column, Entity, ForeignKey, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { DeploymentEntity } from './deployment.entity';

/** One state a deployment went through (migration 0002). */
@Entity('deployment_statuses')
@Unique('deployment_statuses_deployment_id_state_created_at_key', [
  'deploymentId',
  'state',
  'createdAt',
])
export class DeploymentStatusEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'deployment_id' })
  @ForeignKey(() => DeploymentEntity, {
    name: 'deployment_statuses_deployment_id_fkey',
    onDelete: 'CASCADE',
  })
  deploymentId!: string;

  @Column('text', { name: 'external_id', nullable: true })
  externalId!: string | null;

  @Column('text')
  state!: string;

  @Column('text', { nullable: true })
  description!: string | null;

  @Column('text', { nullable: true })
  url!: string | null;

  @Column('timestamptz', { name: 'created_at' })
  createdAt!: Date;
}
