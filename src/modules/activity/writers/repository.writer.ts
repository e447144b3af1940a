import { Injectable } from '@nestjs/common';
import { namedInsert } from '../../../core/database/sql';
import { RepositoryRef } from '../domain-events';
import { RecordContext } from './record-context';

interface KnownRepository {
  id: string;
  fullName: string;
  name: string;
  defaultBranch: string | null;
  url: string | null;
  private: boolean | null;
  /** Epoch ms of last_event_at as stored. */
  lastEventAt: number;
  cachedAt: number;
}

interface StoredRepository {
  id: string;
  full_name: string;
  name: string;
  default_branch: string | null;
  url: string | null;
  private: boolean | null;
  fresh: boolean;
  last_event_at: Date | null;
}

const REPOSITORY_CACHE_TTL_MS = 5 * 60 * 1000;
const REPOSITORY_CACHE_MAX = 10000;

/** last_event_at is kept to this resolution, so that busy repositories are rarely rewritten. */
const LAST_EVENT_RESOLUTION = '1 minute';

const READ = `SELECT id, full_name, name, default_branch, url, private, last_event_at,
         last_event_at IS NOT NULL AND last_event_at >= $3::timestamptz - interval '${LAST_EVENT_RESOLUTION}' AS fresh
  FROM repositories WHERE provider = $1 AND external_id = $2`;

const NEWER = `repositories.last_event_at IS NULL OR excluded.last_event_at >= repositories.last_event_at`;

const UPSERT = namedInsert(
  'repositories',
  [
    'provider',
    'external_id',
    'full_name',
    'name',
    'default_branch',
    'url',
    'private',
    'last_event_at',
  ],
  `ON CONFLICT ON CONSTRAINT repositories_provider_external_id_key DO UPDATE SET
     full_name = CASE WHEN ${NEWER} THEN excluded.full_name ELSE repositories.full_name END,
     name = CASE WHEN ${NEWER} THEN excluded.name ELSE repositories.name END,
     default_branch = coalesce(excluded.default_branch, repositories.default_branch),
     url = coalesce(excluded.url, repositories.url),
     private = coalesce(excluded.private, repositories.private),
     last_event_at = greatest(repositories.last_event_at, excluded.last_event_at),
     updated_at = now()
   RETURNING id`,
);

/** True when writing this repository again would change nothing worth a row lock. */
function unchanged(known: KnownRepository, repo: RepositoryRef, at: string): boolean {
  return (
    known.lastEventAt >= Date.parse(at) - 60_000 &&
    known.fullName === repo.fullName &&
    known.name === repo.name &&
    (repo.defaultBranch === undefined || known.defaultBranch === repo.defaultBranch) &&
    (repo.url === undefined || known.url === repo.url) &&
    (repo.private === undefined || known.private === repo.private)
  );
}

/**
 * Repositories (table `repositories`). Most events change nothing about their repository: it is
 * read without a lock (or found in a cache of committed rows) and written only when something
 * changed. An unconditional upsert would lock the row for the rest of the transaction and
 * serialise every delivery of a busy repository.
 */
@Injectable()
export class RepositoryWriter {
  private readonly known = new Map<string, KnownRepository>();

  async upsert(ctx: RecordContext, repo: RepositoryRef, at: string): Promise<string> {
    const key = `${ctx.provider}:${repo.externalId}`;
    const cached = this.known.get(key);
    if (
      cached &&
      Date.now() - cached.cachedAt < REPOSITORY_CACHE_TTL_MS &&
      unchanged(cached, repo, at)
    ) {
      return cached.id;
    }
    const [stored] = await ctx.session.query<StoredRepository>(READ, [
      ctx.provider,
      repo.externalId,
      at,
    ]);
    if (
      stored &&
      stored.fresh &&
      stored.full_name === repo.fullName &&
      stored.name === repo.name &&
      (repo.defaultBranch === undefined || stored.default_branch === repo.defaultBranch) &&
      (repo.url === undefined || stored.url === repo.url) &&
      (repo.private === undefined || stored.private === repo.private)
    ) {
      this.remember(ctx, key, {
        id: stored.id,
        fullName: stored.full_name,
        name: stored.name,
        defaultBranch: stored.default_branch,
        url: stored.url,
        private: stored.private,
        lastEventAt: stored.last_event_at?.getTime() ?? 0,
        cachedAt: 0,
      });
      return stored.id;
    }
    const [row] = await ctx.session.query<{ id: string }>(
      UPSERT.sql,
      UPSERT.paramsOf({
        provider: ctx.provider,
        external_id: repo.externalId,
        full_name: repo.fullName,
        name: repo.name,
        default_branch: repo.defaultBranch ?? null,
        url: repo.url ?? null,
        private: repo.private ?? null,
        last_event_at: at,
      }),
    );
    return row.id;
  }

  private remember(ctx: RecordContext, key: string, repository: KnownRepository): void {
    ctx.afterCommit.push(() => {
      if (this.known.size >= REPOSITORY_CACHE_MAX) this.known.clear();
      this.known.set(key, { ...repository, cachedAt: Date.now() });
    });
  }
}
