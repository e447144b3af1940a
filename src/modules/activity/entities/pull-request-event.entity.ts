import { Column, Entity, ForeignKey, Index, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { IdentityEntity } from '../../users/identity.entity';
import { PullRequestEntity } from './pull-request.entity';

/** What happened to a pull request, once per delivery and action (migration 0002). */
@Entity('pull_request_events')
@Unique('pull_request_events_pull_request_id_delivery_id_action_key', [
  'pullRequestId',
  'deliveryId',
  'action',
])
@Index('pull_request_events_time_idx', ['pullRequestId', 'occurredAt'])
export class PullRequestEventEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'pull_request_id' })
  @ForeignKey(() => PullRequestEntity, {
    name: 'pull_request_events_pull_request_id_fkey',
    onDelete: 'CASCADE',
  })
  pullRequestId!: string;

  /** The delivery it came from; not a foreign key, so retention can delete deliveries. */
  @Column('uuid', { name: 'delivery_id' })
  deliveryId!: string;

  @Column('text')
  action!: string;

  @Column('uuid', { name: 'actor_identity_id', nullable: true })
  @ForeignKey(() => IdentityEntity, { name: 'pull_request_events_actor_identity_id_fkey' })
  actorIdentityId!: string | null;

  @Column('timestamptz', { name: 'occurred_at' })
  occurredAt!: Date;
}
