import {
  Column,
  CreateDateColumn,
  Entity,
  PrimaryGeneratedColumn,
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

@Entity('webhook_sources')
export class SourceEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column('text')
  provider!: string;

  @Column('text')
  slug!: string;

  @Column('text', { nullable: true })
  description!: string | null;

  @Column('jsonb')
  secrets!: SealedSecret[];

  @Column('timestamptz', { name: 'secrets_rotated_at', nullable: true })
  secretsRotatedAt!: Date | null;

  @Column('text', { name: 'repository_filter', array: true })
  repositoryFilter!: string[];

  @Column('boolean')
  enabled!: boolean;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
