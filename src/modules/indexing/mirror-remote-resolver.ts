import { Inject, Injectable } from '@nestjs/common';
import { ForgeOriginRefusedError } from '../forges/forge-errors';
import { ForgesService } from '../forges/forges.service';

/** What the indexer knows of a repository when it asks where to fetch it from. */
export interface MirrorRepository {
  id: string;
  provider: string;
  fullName: string;
  /** The web URL a payload gave; used only when its origin is the source's. */
  url: string | null;
}

export type MirrorRemote =
  | {
      ok: true;
      cloneUrl: string;
      /** A full `Authorization: …` header line for http.extraHeader; never put in the URL. */
      authorizationHeader?: string;
    }
  | { ok: false; reason: string };

/** Where a repository's mirror is fetched from: the one seam between indexing and forge access. */
export abstract class MirrorRemoteResolver {
  abstract resolve(repository: MirrorRepository): Promise<MirrorRemote>;
}

/** What the resolver needs of forge access (ForgesService in the app). */
export type RepositoryForgeLookup = Pick<ForgesService, 'forRepository'>;

const SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9._-]*$/;

/**
 * `<source web base>/<full_name>.git` for the source the repository's deliveries come through,
 * checked by that source's origin guard, with the source's API credential as a Basic
 * `Authorization` header for git over HTTPS when it has one (anonymous otherwise). A payload's
 * URL is never fetched: when it is on another origin, the repository is refused.
 */
@Injectable()
export class SourceCredentialsResolver extends MirrorRemoteResolver {
  constructor(@Inject(ForgesService) private readonly forges: RepositoryForgeLookup) {
    super();
  }

  async resolve(repository: MirrorRepository): Promise<MirrorRemote> {
    const segments = repository.fullName.split('/');
    if (segments.length < 2 || !segments.every((s) => SEGMENT.test(s) && !s.includes('..'))) {
      return {
        ok: false,
        reason: `repository name ${JSON.stringify(repository.fullName)} is not a forge path`,
      };
    }
    const access = await this.forges.forRepository(repository.id);
    if (!access) {
      return {
        ok: false,
        reason: `no forge source with a web URL is configured for provider ${repository.provider}`,
      };
    }
    const web = new URL(access.endpoints.webUrl);
    if (repository.url && URL.canParse(repository.url)) {
      const given = new URL(repository.url);
      if (given.origin !== web.origin) {
        return {
          ok: false,
          reason: `the repository's URL is not on the source's origin ${web.origin}`,
        };
      }
    }
    const prefix = web.pathname.replace(/\/+$/, '');
    const cloneUrl = `${web.origin}${prefix}/${segments.join('/')}.git`;
    try {
      access.assertAllowedOrigin(cloneUrl);
    } catch (error) {
      if (error instanceof ForgeOriginRefusedError) return { ok: false, reason: error.message };
      throw error;
    }
    if (access.api.status !== 'available') return { ok: true, cloneUrl };
    const authorization = await access.client().gitAuthorization(access.repository);
    return { ok: true, cloneUrl, authorizationHeader: `Authorization: ${authorization}` };
  }
}
