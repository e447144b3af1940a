import { Check, Column, Entity, Index, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { Scope } from './principal';

/** An API key (migration 0003): only a SHA-256 of the key is stored. */
@Entity('api_keys')
@Unique('api_keys_key_hash_key', ['keyHash'])
@Check(
  'api_keys_scopes_check',
  `scopes <@ ARRAY['read', 'admin']::text[] AND cardinality(scopes) >= 1`,
)
@Index('api_keys_created_idx', ['createdAt', 'id'])
export class ApiKeyEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column('text')
  name!: string;

  /** The first characters after "hy_", so people can tell keys apart in listings. */
  @Column('text')
  prefix!: string;

  @Column('bytea', { name: 'key_hash' })
  keyHash!: Buffer;

  @Column('text', { array: true })
  scopes!: Scope[];

  @Column('text', { name: 'created_by', nullable: true })
  createdBy!: string | null;

  @Column('timestamptz', { name: 'created_at', default: () => 'now()' })
  createdAt!: Date;

  @Column('timestamptz', { name: 'last_used_at', nullable: true })
  lastUsedAt!: Date | null;

  @Column('timestamptz', { name: 'revoked_at', nullable: true })
  revokedAt!: Date | null;
}
