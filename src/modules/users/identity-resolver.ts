import { Injectable } from '@nestjs/common';
import { SqlSession } from '../../core/database/unit-of-work';
import type { ActorRef } from '../activity/domain-events';

export interface ResolvedIdentity {
  identityId: string;
  personId: string;
}

interface IdentityRow {
  id: string;
  person_id: string | null;
  name: string | null;
  login: string | null;
  email: string | null;
  email_verified: boolean;
}

const CACHE_TTL_MS = 5 * 60 * 1000;
const CACHE_MAX = 10000;

/**
 * Unit of work for identity lookups inside one delivery's transaction: what it resolves is
 * cached only once the transaction has committed (a rolled-back id must never be cached).
 */
export class IdentityScope {
  readonly resolved = new Map<string, ResolvedIdentity>();

  constructor(
    readonly session: SqlSession,
    readonly provider: string,
  ) {}
}

/**
 * Finds or creates the identity of an actor on one forge, and the person it belongs to.
 * Account identities are keyed by (provider, external id); commit authors without an account
 * by (provider, email). A new account identity whose email the forge vouches for joins the
 * person who already has that verified email on another forge.
 */
@Injectable()
export class IdentityResolver {
  private readonly cache = new Map<string, { at: number; value: ResolvedIdentity }>();

  scope(session: SqlSession, provider: string): IdentityScope {
    return new IdentityScope(session, provider);
  }

  /** Call after the scope's transaction committed. */
  commit(scope: IdentityScope): void {
    const now = Date.now();
    for (const [key, value] of scope.resolved) {
      if (this.cache.size >= CACHE_MAX) this.cache.delete(this.cache.keys().next().value as string);
      this.cache.set(key, { at: now, value });
    }
  }

  async resolve(
    scope: IdentityScope,
    actor: ActorRef | undefined,
  ): Promise<ResolvedIdentity | undefined> {
    if (!actor) return undefined;
    const key = this.keyOf(scope.provider, actor);
    if (!key) return undefined;
    const known = scope.resolved.get(key) ?? this.cached(key);
    if (known) return known;
    const row = actor.externalId
      ? await this.upsertAccount(scope, actor)
      : ((await this.findByLogin(scope, actor)) ?? (await this.upsertEmailOnly(scope, actor)));
    if (!row) return undefined;
    const personId = row.person_id ?? (await this.attachPerson(scope, row.id));
    const resolved = { identityId: row.id, personId };
    scope.resolved.set(key, resolved);
    return resolved;
  }

  /** Drops cached lookups (after identities are linked or unlinked by hand). */
  forget(): void {
    this.cache.clear();
  }

  private keyOf(provider: string, actor: ActorRef): string | undefined {
    if (actor.externalId) return `${provider}:id:${actor.externalId}`;
    if (actor.login)
      return `${provider}:login:${actor.login.toLowerCase()}:${actor.email?.toLowerCase() ?? ''}`;
    if (actor.email) return `${provider}:email:${actor.email.toLowerCase()}`;
    return undefined;
  }

  private cached(key: string): ResolvedIdentity | undefined {
    const hit = this.cache.get(key);
    if (!hit) return undefined;
    if (Date.now() - hit.at > CACHE_TTL_MS) {
      this.cache.delete(key);
      return undefined;
    }
    return hit.value;
  }

  /** Writes (and so locks the row) only when the forge tells us something new. */
  private async upsertAccount(scope: IdentityScope, actor: ActorRef): Promise<IdentityRow> {
    const [known] = await scope.session.query<
      IdentityRow & { avatar_url: string | null; bot: boolean }
    >(
      `SELECT id, person_id, name, login, email, email_verified, avatar_url, bot FROM identities
       WHERE provider = $1 AND external_id = $2`,
      [scope.provider, actor.externalId],
    );
    if (
      known?.person_id &&
      (actor.login === undefined || known.login === actor.login) &&
      (actor.name === undefined || known.name === actor.name) &&
      (actor.email === undefined ||
        (known.email === actor.email.toLowerCase() && known.email_verified)) &&
      (actor.avatarUrl === undefined || known.avatar_url === actor.avatarUrl) &&
      (actor.bot === undefined || !actor.bot || known.bot)
    ) {
      return known;
    }
    const [row] = await scope.session.query<IdentityRow>(
      `INSERT INTO identities (provider, external_id, login, name, email, email_verified, avatar_url, bot)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (provider, external_id) WHERE external_id IS NOT NULL DO UPDATE SET
         login = coalesce(excluded.login, identities.login),
         name = coalesce(excluded.name, identities.name),
         email = coalesce(excluded.email, identities.email),
         email_verified = identities.email_verified OR excluded.email_verified,
         avatar_url = coalesce(excluded.avatar_url, identities.avatar_url),
         bot = identities.bot OR excluded.bot,
         updated_at = now()
       RETURNING id, person_id, name, login, email, email_verified`,
      [
        scope.provider,
        actor.externalId,
        actor.login ?? null,
        actor.name ?? null,
        actor.email?.toLowerCase() ?? null,
        // An account's own email, sent by the forge, counts as verified by it.
        actor.email !== undefined,
        actor.avatarUrl ?? null,
        actor.bot ?? false,
      ],
    );
    return row;
  }

  /** A commit author named by login (GitHub's `username`) is that account when we know it. */
  private async findByLogin(
    scope: IdentityScope,
    actor: ActorRef,
  ): Promise<IdentityRow | undefined> {
    if (!actor.login) return undefined;
    const [row] = await scope.session.query<IdentityRow>(
      `SELECT id, person_id, name, login, email, email_verified FROM identities
       WHERE provider = $1 AND lower(login) = lower($2) AND external_id IS NOT NULL LIMIT 1`,
      [scope.provider, actor.login],
    );
    return row;
  }

  private async upsertEmailOnly(
    scope: IdentityScope,
    actor: ActorRef,
  ): Promise<IdentityRow | undefined> {
    if (!actor.email) return undefined;
    const [row] = await scope.session.query<IdentityRow>(
      `INSERT INTO identities (provider, login, name, email, bot)
       VALUES ($1, $2, $3, lower($4), $5)
       ON CONFLICT (provider, lower(email)) WHERE external_id IS NULL DO UPDATE SET
         name = coalesce(identities.name, excluded.name),
         login = coalesce(identities.login, excluded.login),
         updated_at = now()
       RETURNING id, person_id, name, login, email, email_verified`,
      [scope.provider, actor.login ?? null, actor.name ?? null, actor.email, actor.bot ?? false],
    );
    return row;
  }

  /** Gives an identity its person, under a row lock so that concurrent deliveries agree. */
  private async attachPerson(scope: IdentityScope, identityId: string): Promise<string> {
    const [locked] = await scope.session.query<IdentityRow>(
      `SELECT id, person_id, name, login, email, email_verified FROM identities WHERE id = $1 FOR UPDATE`,
      [identityId],
    );
    if (locked.person_id) return locked.person_id;
    let personId: string | undefined;
    if (locked.email && locked.email_verified) {
      // Two forges naming the same email at the same moment must end in one person: the second
      // transaction waits here until the first has committed its person, then finds it.
      await scope.session.query('SELECT pg_advisory_xact_lock(hashtextextended(lower($1), 0))', [
        locked.email,
      ]);
      const [match] = await scope.session.query<{ person_id: string }>(
        `SELECT person_id FROM identities
         WHERE email_verified AND lower(email) = lower($1) AND person_id IS NOT NULL AND id <> $2
         ORDER BY created_at LIMIT 1`,
        [locked.email, identityId],
      );
      personId = match?.person_id;
    }
    if (!personId) {
      const [person] = await scope.session.query<{ id: string }>(
        `INSERT INTO people (display_name, primary_email) VALUES ($1, $2) RETURNING id`,
        [locked.name ?? locked.login ?? locked.email, locked.email],
      );
      personId = person.id;
    }
    await scope.session.query(
      `UPDATE identities SET person_id = $2, updated_at = now() WHERE id = $1`,
      [identityId, personId],
    );
    return personId;
  }
}
