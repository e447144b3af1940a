import { git, GitError, gitEnvironment } from '../src/modules/indexing/git';
import { GitServer } from './support/git-server';

const SECRET = 'Bearer s3cret-token-never-shown';

describe('git access with a credential: sent as a header, never in arguments or messages', () => {
  let server: GitServer;
  let url = '';

  beforeAll(async () => {
    server = await GitServer.start({ requireAuthorization: SECRET });
    const work = server.createRepository('team/private');
    work.write('a.txt', 'hello\n');
    work.commit('first');
    work.push();
    work.dispose();
    url = `${server.url}/team/private.git`;
  });

  afterAll(() => server.close());

  it('reaches the repository with http.extraHeader from GIT_CONFIG_* only', async () => {
    const config = [['http.extraHeader', `Authorization: ${SECRET}`]] as const;
    const args = ['ls-remote', url, 'refs/heads/main'];
    const out = (await git(args, { config })).toString('utf8');
    expect(out).toMatch(/^[0-9a-f]{40}\trefs\/heads\/main\n$/);
    expect(server.authorizations.at(-1)).toBe(SECRET);
    // Nothing of the credential is on the command line (what `ps` shows).
    expect(args.join(' ')).not.toContain('s3cret');
    const env = gitEnvironment({ config });
    expect(env.GIT_CONFIG_VALUE_1).toBe(`Authorization: ${SECRET}`);
    expect(env.GIT_TERMINAL_PROMPT).toBe('0');
  });

  it('fails without it, and the error does not carry the credential', async () => {
    const wrong = [['http.extraHeader', 'Authorization: Bearer wrong-s3cret']] as const;
    let error: unknown;
    try {
      await git(['ls-remote', url], { config: wrong });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(GitError);
    expect((error as GitError).message).not.toContain('s3cret');
    expect((error as GitError).stderr).not.toContain('s3cret');
  });
});
