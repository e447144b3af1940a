import {
  Check,
  Column,
  Entity,
  ForeignKey,
  Index,
  PrimaryColumn,
  PrimaryGeneratedColumn,
} from 'typeorm';

export type ReconciliationTrigger = 'start' | 'schedule' | 'manual';
export type ReconciliationStatus = 'running' | 'finished' | 'failed';

/** One walk over every known hook's deliveries. */
@Entity('reconciliation_runs')
@Index('reconciliation_runs_started_idx', ['startedAt', 'id'])
@Check('reconciliation_runs_trigger_check', `trigger IN ('start', 'schedule', 'manual')`)
@Check('reconciliation_runs_status_check', `status IN ('running', 'finished', 'failed')`)
export class ReconciliationRunEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column('text')
  trigger!: ReconciliationTrigger;

  @Column('text', { default: 'running' })
  status!: ReconciliationStatus;

  @Column('timestamptz', { name: 'started_at', default: () => 'now()' })
  startedAt!: Date;

  @Column('timestamptz', { name: 'finished_at', nullable: true })
  finishedAt!: Date | null;

  @Column('integer', { name: 'hooks_checked', default: 0 })
  hooksChecked!: number;

  @Column('integer', { name: 'deliveries_seen', default: 0 })
  deliveriesSeen!: number;

  @Column('integer', { default: 0 })
  missing!: number;

  @Column('integer', { name: 'redelivery_requested', default: 0 })
  redeliveryRequested!: number;

  @Column('jsonb', { default: [] })
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

  @Column('timestamptz', { name: 'discovered_at', default: () => 'now()' })
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
  @ForeignKey(() => ReconciliationRunEntity, {
    name: 'redelivery_requests_run_id_fkey',
    onDelete: 'SET NULL',
  })
  runId!: string | null;

  @Column('timestamptz', { name: 'requested_at', default: () => 'now()' })
  requestedAt!: Date;

  @Column('timestamptz', { name: 'recovered_at', nullable: true })
  recoveredAt!: Date | null;
}
