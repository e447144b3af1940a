import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

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
  sourceId!: string;

  @Column('text', { name: 'web_url' })
  webUrl!: string;

  @Column('text', { name: 'api_url' })
  apiUrl!: string;

  @Column('jsonb')
  credentials!: SealedForgeCredentials;

  @Column('text', { array: true })
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
  repositoryId!: string;

  @Column('text', { array: true })
  feedback!: string[];

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
