import { Check, Column, Entity, Index, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { sqlList } from '../../core/database/sql';
import { ALL_DELIVERY_STATUSES, DeliveryStatus } from './delivery-status';

/**
 * One webhook delivery as received (migrations 0001, 0004, 0005, 0013, 0016). Written by ingest and the
 * worker with plain SQL (DeliveryStore, the worker's units of work); this describes the table.
 * Index column order (`received_at DESC`) is in the migration: TypeORM's @Index has no
 * per-column direction, and the schema builder compares names, columns and uniqueness.
 */
@Entity('deliveries')
@Unique('deliveries_source_delivery_unique', ['provider', 'source', 'providerDeliveryId'])
// From the enum: the schema-drift test then also proves enum and CHECK list the same statuses.
@Check('deliveries_status_check', `status IN ${sqlList(ALL_DELIVERY_STATUSES)}`)
@Index('deliveries_received_idx', ['receivedAt', 'id'])
@Index('deliveries_status_idx', ['status', 'receivedAt'], {
  where: `status IN ('received', 'queued', 'processing', 'failed', 'dead')`,
})
// A repository's newest delivery, for the source it comes through (migration 0016).
@Index('deliveries_repository_idx', ['provider', 'repository', 'receivedAt'], {
  where: 'repository IS NOT NULL',
})
export class DeliveryEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column('text')
  provider!: string;

  @Column('text')
  source!: string;

  @Column('text', { name: 'provider_delivery_id' })
  providerDeliveryId!: string;

  @Column('text')
  event!: string;

  @Column('text', { nullable: true })
  action!: string | null;

  @Column('text', { nullable: true })
  repository!: string | null;

  @Column('text', { name: 'content_type' })
  contentType!: string;

  @Column('jsonb')
  headers!: Record<string, string>;

  /** The raw bytes as received (lz4-compressed out of line where the server supports it). */
  @Column('bytea', { nullable: true })
  body!: Buffer | null;

  @Column('integer', { name: 'body_size' })
  bodySize!: number;

  @Column('text', { default: DeliveryStatus.Received })
  status!: DeliveryStatus;

  @Column('integer', { default: 0 })
  attempts!: number;

  @Column('text', { name: 'last_error', nullable: true })
  lastError!: string | null;

  @Column('timestamptz', { name: 'received_at', default: () => 'now()' })
  receivedAt!: Date;

  @Column('timestamptz', { name: 'queued_at', nullable: true })
  queuedAt!: Date | null;

  @Column('timestamptz', { name: 'processed_at', nullable: true })
  processedAt!: Date | null;

  @Column('timestamptz', { name: 'updated_at', default: () => 'now()' })
  updatedAt!: Date;

  /** A test delivery sent by Hookyard itself (POST /api/v1/admin/sources/…/test). */
  @Column('boolean', { default: false })
  test!: boolean;

  /** When the outbox sweep last looked for this delivery's job (not indexed: HOT updates). */
  @Column('timestamptz', { name: 'checked_at', nullable: true })
  checkedAt!: Date | null;
}
