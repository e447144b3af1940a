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

/** Migrations 0001 (table). The provider CHECK is widened by each migration that adds a forge. */
@Entity('webhook_sources')
@Unique('webhook_sources_provider_slug_key', ['provider', 'slug'])
@Check('webhook_sources_provider_check', `provider IN ('github', 'gitlab', 'gitea', 'bitbucket')`)
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

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
