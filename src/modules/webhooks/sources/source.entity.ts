import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  PrimaryGeneratedColumn,
  Unique,
  UpdateDateColumn,
} from 'typeorm';

import type { SecretKind } from '../providers/provider-adapter';

export type { SecretKind };

/** One encrypted secret of a source. The plaintext never leaves SourcesService. */
export interface SealedSecret {
  id: string;
  kind: SecretKind;
  ciphertext: string;
  createdAt: string;
}

/**
 * Migrations 0001 (table); 0008 turned the provider CHECK into a name pattern, so a new forge
 * needs no migration; 0013 added the webhook rate ceiling.
 */
@Entity('webhook_sources')
@Unique('webhook_sources_provider_slug_key', ['provider', 'slug'])
@Check('webhook_sources_provider_check', `provider ~ '^[a-z][a-z0-9-]{0,31}$'`)
@Check('webhook_sources_rate_limit_per_minute_check', 'rate_limit_per_minute BETWEEN 1 AND 1000000')
@Check('webhook_sources_slug_check', `slug ~ '^[a-z0-9][a-z0-9-]{0,62}$' AND slug <> 'default'`)
export class SourceEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column('text')
  provider!: string;

  @Column('text')
  slug!: string;

  @Column('text', { nullable: true })
  description!: string | null;

  @Column('jsonb', { default: [] })
  secrets!: SealedSecret[];

  @Column('timestamptz', { name: 'secrets_rotated_at', nullable: true })
  secretsRotatedAt!: Date | null;

  @Column('text', { name: 'repository_filter', array: true, default: [] })
  repositoryFilter!: string[];

  @Column('boolean', { default: true })
  enabled!: boolean;

  /** Webhooks accepted per minute, over every replica; null: no ceiling. */
  @Column('integer', { name: 'rate_limit_per_minute', nullable: true })
  rateLimitPerMinute!: number | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
