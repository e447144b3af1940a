import { Column, Entity, ForeignKey, Index, PrimaryGeneratedColumn } from 'typeorm';
import { PersonEntity } from './person.entity';

/**
 * A forge account, or a commit author known only by email (migration 0002).
 *
 * Two of its indexes are on `lower(email)`, an expression TypeORM's @Index cannot state: they
 * are declared by name with `synchronize: false` (the schema builder leaves them to the
 * migration), their SQL is `expressionIndexes`, and the schema-drift test checks that against
 * the migrated database. The email-only one is what the resolver's ON CONFLICT relies on.
 */
@Entity('identities')
@Index('identities_account_unique', ['provider', 'externalId'], {
  unique: true,
  where: 'external_id IS NOT NULL',
})
@Index('identities_email_only_unique', { synchronize: false })
@Index('identities_verified_email_idx', { synchronize: false })
@Index('identities_person_idx', ['personId'])
export class IdentityEntity {
  static readonly expressionIndexes = {
    identities_email_only_unique: `CREATE UNIQUE INDEX identities_email_only_unique
      ON identities (provider, lower(email)) WHERE external_id IS NULL`,
    identities_verified_email_idx: `CREATE INDEX identities_verified_email_idx
      ON identities (lower(email)) WHERE email_verified`,
  };

  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'person_id', nullable: true })
  @ForeignKey(() => PersonEntity, { name: 'identities_person_id_fkey', onDelete: 'SET NULL' })
  personId!: string | null;

  @Column('text')
  provider!: string;

  /** The forge's account id; NULL for commit authors known only by email. */
  @Column('text', { name: 'external_id', nullable: true })
  externalId!: string | null;

  @Column('text', { nullable: true })
  login!: string | null;

  @Column('text', { nullable: true })
  name!: string | null;

  @Column('text', { nullable: true })
  email!: string | null;

  /** The forge vouches for the email (account data, not a commit header): used for linking. */
  @Column('boolean', { name: 'email_verified', default: false })
  emailVerified!: boolean;

  @Column('text', { name: 'avatar_url', nullable: true })
  avatarUrl!: string | null;

  @Column('boolean', { default: false })
  bot!: boolean;

  @Column('timestamptz', { name: 'created_at', default: () => 'now()' })
  createdAt!: Date;

  @Column('timestamptz', { name: 'updated_at', default: () => 'now()' })
  updatedAt!: Date;
}
