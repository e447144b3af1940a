import { loadConfig } from '../../config/config';
import { ConfiguredOriginResolver } from './mirror-remote-resolver';

describe('ConfiguredOriginResolver', () => {
  const resolver = new ConfiguredOriginResolver(
    loadConfig({
      GITLAB_URL: 'https://git.example.com/gitlab/',
      GITEA_URL: 'http://127.0.0.1:3001',
    }),
  );
  const repo = (provider: string, fullName: string, url: string | null = null) => ({
    id: '00000000-0000-4000-8000-000000000001',
    provider,
    fullName,
    url,
  });

  it('builds <configured base>/<full name>.git for each forge', async () => {
    expect(await resolver.resolve(repo('github', 'acme/api'))).toEqual({
      ok: true,
      cloneUrl: 'https://github.com/acme/api.git',
    });
    expect(await resolver.resolve(repo('gitlab', 'group/sub/project'))).toEqual({
      ok: true,
      cloneUrl: 'https://git.example.com/gitlab/group/sub/project.git',
    });
    expect(
      await resolver.resolve(repo('gitea', 'me/tool', 'http://127.0.0.1:3001/me/tool')),
    ).toEqual({
      ok: true,
      cloneUrl: 'http://127.0.0.1:3001/me/tool.git',
    });
  });

  it('never follows a payload URL to another origin', async () => {
    const answer = await resolver.resolve(
      repo('github', 'acme/api', 'https://evil.example/acme/api'),
    );
    expect(answer).toEqual({
      ok: false,
      reason: "the repository's URL is not on the configured origin https://github.com",
    });
  });

  it('refuses names that are not forge paths, and forges without a configured URL', async () => {
    for (const name of ['acme', 'acme/../admin', 'acme/api?x=1', '../x/y', 'a//b']) {
      expect((await resolver.resolve(repo('github', name))).ok).toBe(false);
    }
    const noGitea = new ConfiguredOriginResolver(loadConfig({}));
    expect(await noGitea.resolve(repo('gitea', 'me/tool'))).toEqual({
      ok: false,
      reason: 'no web URL is configured for provider gitea',
    });
  });
});
