import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In } from 'typeorm';
import { IdentityEntity } from './identity.entity';
import { PersonEntity } from './person.entity';

export type LockedIdentity = Pick<IdentityEntity, 'id' | 'personId' | 'name' | 'login' | 'email'>;

/**
 * The statements of one correction to who is who, inside its transaction. Locks are taken
 * identities first, then people in id order, the same order the identity resolver uses while
 * processing deliveries, so the two never deadlock each other.
 */
export class PeopleLinks {
  constructor(private readonly manager: EntityManager) {}

  lockIdentity(id: string): Promise<LockedIdentity | null> {
    return this.manager
      .getRepository(IdentityEntity)
      .createQueryBuilder('i')
      .select(['i.id', 'i.personId', 'i.name', 'i.login', 'i.email'])
      .where('i.id = :id', { id })
      .setLock('pessimistic_write')
      .getOne();
  }

  async lockIdentitiesOf(personId: string): Promise<void> {
    await this.manager
      .getRepository(IdentityEntity)
      .createQueryBuilder('i')
      .select('i.id')
      .where('i.personId = :personId', { personId })
      .orderBy('i.id')
      .setLock('pessimistic_write')
      .getMany();
  }

  /** Locks the people that exist among `ids`, in id order, and answers which those are. */
  async lockPeople(ids: string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const people = await this.manager
      .getRepository(PersonEntity)
      .createQueryBuilder('p')
      .select('p.id')
      .where({ id: In(ids) })
      .orderBy('p.id')
      .setLock('pessimistic_write')
      .getMany();
    return new Set(people.map((p) => p.id));
  }

  async countOtherIdentities(personId: string, exceptIdentityId: string): Promise<number> {
    return this.manager
      .getRepository(IdentityEntity)
      .createQueryBuilder('i')
      .where('i.personId = :personId AND i.id <> :exceptIdentityId', {
        personId,
        exceptIdentityId,
      })
      .getCount();
  }

  async createPerson(displayName: string | null, primaryEmail: string | null): Promise<string> {
    const result = await this.manager.insert(PersonEntity, { displayName, primaryEmail });
    return (result.identifiers[0] as { id: string }).id;
  }

  async assign(identityId: string, personId: string): Promise<void> {
    await this.manager.update(
      IdentityEntity,
      { id: identityId },
      { personId, updatedAt: () => 'now()' },
    );
    await this.manager.update(PersonEntity, { id: personId }, { updatedAt: () => 'now()' });
  }

  /** Every identity of the source moves to the target, which keeps its own name and email. */
  async mergeInto(sourcePersonId: string, targetPersonId: string): Promise<void> {
    await this.manager.update(
      IdentityEntity,
      { personId: sourcePersonId },
      { personId: targetPersonId, updatedAt: () => 'now()' },
    );
    // The source's name and email fill in what the target lacks.
    await this.manager.query(
      `UPDATE people target SET
         display_name = coalesce(target.display_name, source.display_name),
         primary_email = coalesce(target.primary_email, source.primary_email),
         updated_at = now()
       FROM people source WHERE target.id = $2 AND source.id = $1`,
      [sourcePersonId, targetPersonId],
    );
    await this.manager.delete(PersonEntity, { id: sourcePersonId });
  }

  /**
   * Deletes a person left without identities. The caller holds the person's row lock, so no
   * delivery can attach an identity to it between this check and the delete.
   */
  async deleteIfEmpty(personId: string): Promise<void> {
    await this.manager.query(
      `DELETE FROM people p WHERE p.id = $1
         AND NOT EXISTS (SELECT 1 FROM identities i WHERE i.person_id = p.id)`,
      [personId],
    );
  }
}

/** People and identities as administration changes them, one transaction per correction. */
@Injectable()
export class PeopleLinksRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  transaction<T>(work: (links: PeopleLinks) => Promise<T>): Promise<T> {
    return this.dataSource.transaction((manager) => work(new PeopleLinks(manager)));
  }
}
