import {
  Column,
  CreateDateColumn,
  Entity,
  ForeignKey,
  PrimaryColumn,
  UpdateDateColumn,
} from 'typeorm';
import { RepositoryEntity } from '../../activity/entities/repository.entity';
import { SourceEntity } from '../../webhooks/sources/source.entity';

/** Sealed (SecretCipher) API credentials of a named source. Plaintext never leaves the store. */
export interface SealedForgeCredentials {
  token?: string;
  appId?: string;
  appPrivateKey?: string;
}

/** API endpoints, credentials and feedback switches of one named source. */
@Entity('forge_access')
export class ForgeAccessEntity {
  @PrimaryColumn('uuid', { name: 'source_id' })
  @ForeignKey(() => SourceEntity, { name: 'forge_access_source_id_fkey', onDelete: 'CASCADE' })
  sourceId!: string;

  @Column('text', { name: 'web_url' })
  webUrl!: string;

  @Column('text', { name: 'api_url' })
  apiUrl!: string;

  @Column('jsonb', { default: {} })
  credentials!: SealedForgeCredentials;

  @Column('text', { array: true, default: () => "'{comment,status}'" })
  feedback!: string[];

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

/** Feedback switches of one repository, overriding its source's. */
@Entity('forge_repository_feedback')
export class RepositoryFeedbackEntity {
  @PrimaryColumn('uuid', { name: 'repository_id' })
  @ForeignKey(() => RepositoryEntity, {
    name: 'forge_repository_feedback_repository_id_fkey',
    onDelete: 'CASCADE',
  })
  repositoryId!: string;

  @Column('text', { array: true })
  feedback!: string[];

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
