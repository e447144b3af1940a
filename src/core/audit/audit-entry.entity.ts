import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** One state change made with an API key (migration 0003). */
@Entity('audit_log')
@Index('audit_log_at_idx', ['at', 'id'])
export class AuditEntryEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column('timestamptz', { default: () => 'now()' })
  at!: Date;

  /** Text, not a foreign key: the bootstrap ADMIN_TOKEN has no row, and entries outlive keys. */
  @Column('text', { name: 'key_id' })
  keyId!: string;

  @Column('text', { name: 'key_name', nullable: true })
  keyName!: string | null;

  @Column('text', { nullable: true })
  method!: string | null;

  @Column('text', { nullable: true })
  path!: string | null;

  @Column('text')
  action!: string;

  @Column('text', { nullable: true })
  target!: string | null;

  @Column('integer', { name: 'status_code', nullable: true })
  statusCode!: number | null;

  @Column('jsonb', { nullable: true })
  details!: unknown;
}
