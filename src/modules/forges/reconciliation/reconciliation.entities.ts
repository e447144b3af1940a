import { Column, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';

export type ReconciliationTrigger = 'start' | 'schedule' | 'manual';
export type ReconciliationStatus = 'running' | 'finished' | 'failed';

/** One walk over every known hook's deliveries. */
@Entity('reconciliation_runs')
@Index('reconciliation_runs_started_idx', ['startedAt', 'id'])
export class ReconciliationRunEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column('text')
  trigger!: ReconciliationTrigger;

  @Column('text')
  status!: ReconciliationStatus;

  @Column('timestamptz', { name: 'started_at' })
  startedAt!: Date;

  @Column('timestamptz', { name: 'finished_at', nullable: true })
  finishedAt!: Date | null;

  @Column('integer', { name: 'hooks_checked' })
  hooksChecked!: number;

  @Column('integer', { name: 'deliveries_seen' })
  deliveriesSeen!: number;

  @Column('integer')
  missing!: number;

  @Column('integer', { name: 'redelivery_requested' })
  redeliveryRequested!: number;

  @Column('jsonb')
  problems!: string[];
}

/** A hook reconciliation knows of, and how far its deliveries have been walked. */
@Entity('reconciliation_hooks')
export class ReconciliationHookEntity {
  @PrimaryColumn('text')
  provider!: string;

  @PrimaryColumn('text')
  source!: string;

  @PrimaryColumn('text', { name: 'hook_key' })
  hookKey!: string;

  @Column('text', { nullable: true })
  repository!: string | null;

  @Column('text', { nullable: true })
  checkpoint!: string | null;

  @Column('timestamptz', { name: 'checked_at', nullable: true })
  checkedAt!: Date | null;

  @Column('timestamptz', { name: 'discovered_at' })
  discoveredAt!: Date;
}

/** A delivery asked for again; at most one request per delivery and window. */
@Entity('redelivery_requests')
@Index('redelivery_requests_run_idx', ['runId'])
export class RedeliveryRequestEntity {
  @PrimaryColumn('text')
  provider!: string;

  @PrimaryColumn('text')
  source!: string;

  @PrimaryColumn('text', { name: 'provider_delivery_id' })
  providerDeliveryId!: string;

  @Column('uuid', { name: 'run_id', nullable: true })
  runId!: string | null;

  @Column('timestamptz', { name: 'requested_at' })
  requestedAt!: Date;

  @Column('timestamptz', { name: 'recovered_at', nullable: true })
  recoveredAt!: Date | null;
}
