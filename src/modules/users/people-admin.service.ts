import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AppError, ErrorCode } from '../../core/http/app-error';
import { PersonDetailView } from './people.dto';
import { PeopleRepository } from './people.repository';
import { IdentityResolver } from './identity-resolver';

interface LockedIdentity {
  id: string;
  person_id: string | null;
  name: string | null;
  login: string | null;
  email: string | null;
}

/**
 * Corrections to who is who: moving identities between people by hand. Each operation is one
 * transaction; locks are taken identities first, then people in id order, the same order the
 * identity resolver uses while processing deliveries, so the two never deadlock each other.
 */
@Injectable()
export class PeopleAdminService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly identities: IdentityResolver,
    private readonly people: PeopleRepository,
  ) {}

  /** Moves an identity to a person; the person it leaves is deleted when it has none left. */
  async linkIdentity(personId: string, identityId: string): Promise<PersonDetailView> {
    await this.change(async (manager) => {
      const identity = await this.lockIdentity(manager, identityId);
      const locked = await this.lockPeople(manager, [personId, identity.person_id]);
      if (!locked.has(personId)) throw this.personNotFound(personId);
      if (identity.person_id === personId) return;
      await this.assign(manager, identity.id, personId);
      if (identity.person_id !== null) await this.deleteIfEmpty(manager, identity.person_id);
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
    await this.change(async (manager) => {
      await manager.query('SELECT id FROM identities WHERE person_id = $1 ORDER BY id FOR UPDATE', [
        sourcePersonId,
      ]);
      const locked = await this.lockPeople(manager, [sourcePersonId, targetPersonId]);
      for (const id of [sourcePersonId, targetPersonId]) {
        if (!locked.has(id)) throw this.personNotFound(id);
      }
      await manager.query(
        `UPDATE identities SET person_id = $2, updated_at = now() WHERE person_id = $1`,
        [sourcePersonId, targetPersonId],
      );
      // The target keeps its own name and email; the source's fill in what it lacks.
      await manager.query(
        `UPDATE people target SET
           display_name = coalesce(target.display_name, source.display_name),
           primary_email = coalesce(target.primary_email, source.primary_email),
           updated_at = now()
         FROM people source WHERE target.id = $2 AND source.id = $1`,
        [sourcePersonId, targetPersonId],
      );
      await manager.query('DELETE FROM people WHERE id = $1', [sourcePersonId]);
    });
    return this.people.detail(targetPersonId);
  }

  /**
   * Gives an identity a person of its own, named after it. An identity that already is the
   * only one of its person keeps that person.
   */
  async unlink(identityId: string): Promise<PersonDetailView> {
    const personId = await this.change(async (manager) => {
      const identity = await this.lockIdentity(manager, identityId);
      const previous = identity.person_id;
      if (previous !== null) {
        const locked = await this.lockPeople(manager, [previous]);
        const [others] = await manager.query<{ n: number }[]>(
          'SELECT count(*)::int AS n FROM identities WHERE person_id = $1 AND id <> $2',
          [previous, identity.id],
        );
        if (locked.has(previous) && others.n === 0) return previous;
      }
      const [person] = await manager.query<{ id: string }[]>(
        `INSERT INTO people (display_name, primary_email) VALUES ($1, $2) RETURNING id`,
        [identity.name ?? identity.login ?? identity.email, identity.email],
      );
      await this.assign(manager, identity.id, person.id);
      return person.id;
    });
    return this.people.detail(personId);
  }

  /** Runs one change in a transaction; cached identity lookups are dropped once it committed. */
  private async change<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    const result = await this.dataSource.transaction(work);
    this.identities.forget();
    return result;
  }

  private async lockIdentity(manager: EntityManager, identityId: string): Promise<LockedIdentity> {
    const [identity] = await manager.query<LockedIdentity[]>(
      'SELECT id, person_id, name, login, email FROM identities WHERE id = $1 FOR UPDATE',
      [identityId],
    );
    if (!identity) throw new AppError(ErrorCode.NotFound, `Identity ${identityId} does not exist`);
    return identity;
  }

  /** Locks the people that exist among `ids`, in id order, and answers which those are. */
  private async lockPeople(manager: EntityManager, ids: (string | null)[]): Promise<Set<string>> {
    const wanted = [...new Set(ids.filter((id): id is string => id !== null))];
    const rows = await manager.query<{ id: string }[]>(
      'SELECT id FROM people WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE',
      [wanted],
    );
    return new Set(rows.map((row) => row.id));
  }

  private async assign(
    manager: EntityManager,
    identityId: string,
    personId: string,
  ): Promise<void> {
    await manager.query('UPDATE identities SET person_id = $2, updated_at = now() WHERE id = $1', [
      identityId,
      personId,
    ]);
    await manager.query('UPDATE people SET updated_at = now() WHERE id = $1', [personId]);
  }

  /**
   * Deletes a person left without identities. The caller holds the person's row lock, so no
   * delivery can attach an identity to it between this check and the delete.
   */
  private async deleteIfEmpty(manager: EntityManager, personId: string): Promise<void> {
    await manager.query(
      `DELETE FROM people p WHERE p.id = $1
         AND NOT EXISTS (SELECT 1 FROM identities i WHERE i.person_id = p.id)`,
      [personId],
    );
  }

  private personNotFound(personId: string): AppError {
    return new AppError(ErrorCode.NotFound, `Person ${personId} does not exist`);
  }
}
