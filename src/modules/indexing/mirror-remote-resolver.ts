import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/config';

/** What the indexer knows of a repository when it asks where to fetch it from. */
export interface MirrorRepository {
  id: string;
  provider: string;
  fullName: string;
  /** The web URL a payload gave; used only when its origin is the configured one. */
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

/**
 * Where a repository's mirror is fetched from. The one seam between indexing and forge
 * access: the default builds clone URLs from the configured forge origins; a later
 * implementation with per-source credentials replaces it by provider token.
 */
export abstract class MirrorRemoteResolver {
  abstract resolve(repository: MirrorRepository): Promise<MirrorRemote>;
}

const SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9._-]*$/;

/**
 * `<configured web base>/<full_name>.git` for the repository's forge. A payload's URL is never
 * fetched unless its origin equals the configured one, and then only its path is used.
 */
@Injectable()
export class ConfiguredOriginResolver extends MirrorRemoteResolver {
  constructor(private readonly config: AppConfig) {
    super();
  }

  resolve(repository: MirrorRepository): Promise<MirrorRemote> {
    return Promise.resolve(this.resolveNow(repository));
  }

  private resolveNow(repository: MirrorRepository): MirrorRemote {
    const base = this.baseFor(repository.provider);
    if (base === undefined) {
      return { ok: false, reason: `no web URL is configured for provider ${repository.provider}` };
    }
    const segments = repository.fullName.split('/');
    if (segments.length < 2 || !segments.every((s) => SEGMENT.test(s) && !s.includes('..'))) {
      return {
        ok: false,
        reason: `repository name ${JSON.stringify(repository.fullName)} is not a forge path`,
      };
    }
    const configured = new URL(base);
    if (repository.url) {
      let given: URL | undefined;
      try {
        given = new URL(repository.url);
      } catch {
        given = undefined;
      }
      if (given && given.origin !== configured.origin) {
        return {
          ok: false,
          reason: `the repository's URL is not on the configured origin ${configured.origin}`,
        };
      }
    }
    const prefix = configured.pathname.replace(/\/+$/, '');
    return { ok: true, cloneUrl: `${configured.origin}${prefix}/${segments.join('/')}.git` };
  }

  private baseFor(provider: string): string | undefined {
    const bases: Partial<Record<string, string | undefined>> = {
      github: this.config.githubUrl,
      gitlab: this.config.gitlabUrl,
      gitea: this.config.giteaUrl,
      bitbucket: this.config.bitbucketUrl,
    };
    return bases[provider];
  }
}
