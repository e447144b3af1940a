import { ForgeClient } from '../forges/clients/forge-client';
import { ForgeOriginRefusedError } from '../forges/forge-errors';
import { RepositoryForgeAccess } from '../forges/forges.service';
import { ForgeRepositoryRef } from '../forges/forge-types';
import { allowedOrigins, checkOrigin } from '../forges/origin-guard';
import { RepositoryForgeLookup, SourceCredentialsResolver } from './mirror-remote-resolver';

/** Forge access for one repository as ForgesService gives it, with the real origin guard. */
function access(
  webUrl: string,
  fullName: string,
  client?: Pick<ForgeClient, 'gitAuthorization'>,
): RepositoryForgeAccess {
  const endpoints = { webUrl, apiUrl: `${webUrl.replace(/\/+$/, '')}/api/v1` };
  return {
    repositoryId: '00000000-0000-4000-8000-000000000001',
    provider: 'gitea',
    source: 'default',
    repository: { fullName },
    endpoints,
    api: client ? { status: 'available' } : { status: 'no_credentials', message: 'none' },
    feedback: [],
    assertAllowedOrigin: (url) => {
      const verdict = checkOrigin(url, allowedOrigins(endpoints));
      if (!verdict.allowed) throw new ForgeOriginRefusedError(verdict.reason, 'gitea');
      return verdict.url;
    },
    client: () => {
      if (!client) throw new Error('no client');
      return client as ForgeClient;
    },
    knownSecrets: () => [],
  };
}

function resolverOver(found: RepositoryForgeAccess | undefined): SourceCredentialsResolver {
  const lookup: RepositoryForgeLookup = { forRepository: () => Promise.resolve(found) };
  return new SourceCredentialsResolver(lookup);
}

const repo = (fullName: string, url: string | null = null) => ({
  id: '00000000-0000-4000-8000-000000000001',
  provider: 'gitea',
  fullName,
  url,
});

describe('SourceCredentialsResolver', () => {
  it('builds <source web base>/<full name>.git, anonymous when the source has no credential', async () => {
    const resolver = resolverOver(access('https://git.example.com/forge/', 'group/sub/project'));
    expect(await resolver.resolve(repo('group/sub/project'))).toEqual({
      ok: true,
      cloneUrl: 'https://git.example.com/forge/group/sub/project.git',
    });
  });

  it("adds the client's Basic header for the repository when the source has a credential", async () => {
    const asked: ForgeRepositoryRef[] = [];
    const client = {
      gitAuthorization: (ref: ForgeRepositoryRef) => {
        asked.push(ref);
        return Promise.resolve('Basic aG9va3lhcmQ6dDBrZW4=');
      },
    };
    const resolver = resolverOver(access('http://127.0.0.1:3001', 'me/tool', client));
    expect(await resolver.resolve(repo('me/tool', 'http://127.0.0.1:3001/me/tool'))).toEqual({
      ok: true,
      cloneUrl: 'http://127.0.0.1:3001/me/tool.git',
      authorizationHeader: 'Authorization: Basic aG9va3lhcmQ6dDBrZW4=',
    });
    expect(asked).toEqual([{ fullName: 'me/tool' }]);
  });

  it('never follows a payload URL to another origin', async () => {
    const resolver = resolverOver(access('https://github.com', 'acme/api'));
    expect(await resolver.resolve(repo('acme/api', 'https://evil.example/acme/api'))).toEqual({
      ok: false,
      reason: "the repository's URL is not on the source's origin https://github.com",
    });
  });

  it('refuses names that are not forge paths, sources the guard refuses, and unknown sources', async () => {
    const resolver = resolverOver(access('https://github.com', 'acme/api'));
    for (const name of ['acme', 'acme/../admin', 'acme/api?x=1', '../x/y', 'a//b']) {
      expect((await resolver.resolve(repo(name))).ok).toBe(false);
    }
    const ftp = resolverOver(access('ftp://files.example.com', 'acme/api'));
    expect(await ftp.resolve(repo('acme/api'))).toEqual({
      ok: false,
      reason: "outbound gitea request refused: the URL's origin is not configured (scheme)",
    });
    expect(await resolverOver(undefined).resolve(repo('me/tool'))).toEqual({
      ok: false,
      reason: 'no forge source with a web URL is configured for provider gitea',
    });
  });
});
