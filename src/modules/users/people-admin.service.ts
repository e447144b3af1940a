import { Injectable } from '@nestjs/common';
import { AppError, ErrorCode } from '../../core/http/app-error';
import { PersonDetailView } from './people.dto';
import { PeopleRepository } from './people.repository';
import { IdentityResolver } from './identity-resolver';
import { LockedIdentity, PeopleLinks, PeopleLinksRepository } from './people-links.repository';

/**
 * Corrections to who is who: moving identities between people by hand. Each operation is one
 * transaction; locks are taken identities first, then people in id order, the same order the
 * identity resolver uses while processing deliveries, so the two never deadlock each other.
 */
@Injectable()
export class PeopleAdminService {
  constructor(
    private readonly links: PeopleLinksRepository,
    private readonly identities: IdentityResolver,
    private readonly people: PeopleRepository,
  ) {}

  /** Moves an identity to a person; the person it leaves is deleted when it has none left. */
  async linkIdentity(personId: string, identityId: string): Promise<PersonDetailView> {
    await this.change(async (links) => {
      const identity = await this.lockIdentity(links, identityId);
      const locked = await links.lockPeople(present([personId, identity.personId]));
      if (!locked.has(personId)) throw this.personNotFound(personId);
      if (identity.personId === personId) return;
      await links.assign(identity.id, personId);
      if (identity.personId !== null) await links.deleteIfEmpty(identity.personId);
    });
    return this.people.detail(personId);
  }

  /** Moves every identity of the source person to the target and deletes the source. */
  async merge(sourcePersonId: string, targetPersonId: string): Promise<PersonDetailView> {
    if (sourcePersonId === targetPersonId) {
      throw new AppError(
        ErrorCode.ValidationFailed,
        'sourcePersonId and targetPersonId must be different people',
      );
    }
    await this.change(async (links) => {
      await links.lockIdentitiesOf(sourcePersonId);
      const locked = await links.lockPeople(present([sourcePersonId, targetPersonId]));
      for (const id of [sourcePersonId, targetPersonId]) {
        if (!locked.has(id)) throw this.personNotFound(id);
      }
      await links.mergeInto(sourcePersonId, targetPersonId);
    });
    return this.people.detail(targetPersonId);
  }

  /**
   * Gives an identity a person of its own, named after it. An identity that already is the
   * only one of its person keeps that person.
   */
  async unlink(identityId: string): Promise<PersonDetailView> {
    const personId = await this.change(async (links) => {
      const identity = await this.lockIdentity(links, identityId);
      const previous = identity.personId;
      if (previous !== null) {
        const locked = await links.lockPeople([previous]);
        const others = await links.countOtherIdentities(previous, identity.id);
        if (locked.has(previous) && others === 0) return previous;
      }
      const created = await links.createPerson(
        identity.name ?? identity.login ?? identity.email,
        identity.email,
      );
      await links.assign(identity.id, created);
      return created;
    });
    return this.people.detail(personId);
  }

  /** Runs one change in a transaction; cached identity lookups are dropped once it committed. */
  private async change<T>(work: (links: PeopleLinks) => Promise<T>): Promise<T> {
    const result = await this.links.transaction(work);
    this.identities.forget();
    return result;
  }

  private async lockIdentity(links: PeopleLinks, identityId: string): Promise<LockedIdentity> {
    const identity = await links.lockIdentity(identityId);
    if (!identity) throw new AppError(ErrorCode.NotFound, `Identity ${identityId} does not exist`);
    return identity;
  }

  private personNotFound(personId: string): AppError {
    return new AppError(ErrorCode.NotFound, `Person ${personId} does not exist`);
  }
}

function present(ids: (string | null)[]): string[] {
  return [...new Set(ids.filter((id): id is string => id !== null))];
}
