import { randomInt } from 'node:crypto';
import { git, GitError, gitEnvironment } from '../../src/modules/indexing/git';
import { GitServer, WorkingCopy } from '../support/git-server';
import { githubHeaders } from '../support/signing';
import { eventually, startTestApp, TestApp } from '../support/test-app';

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

interface IndexStatus {
  status: string;
  commitSha: string | null;
  files: number;
  lastError: string | null;
}

const TOKEN = 'ghp_s3cretSourceToken0123456789';
const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe("indexing a private repository with the source's credential (GitHub token)", () => {
  let server: GitServer;
  let work: WorkingCopy;
  let head = '';
  const owner = `priv${randomInt(1_000_000_000, 2_000_000_000)}`;
  const fullName = `${owner}/vault`;

  beforeAll(async () => {
    // GitHub's documented form for git over HTTPS with a token: user x-access-token.
    server = await GitServer.start({ requireAuthorization: basic('x-access-token', TOKEN) });
    work = server.createRepository(fullName);
    work.write('src/vault.ts', 'export function openVaultDoor(): void {}\n');
    head = work.commit('first');
    work.push();
  });

  afterAll(async () => {
    work?.dispose();
    await server?.close();
  });

  /** A signed push webhook for the repository; returns the repository's id once recorded. */
  const push = async (t: TestApp, externalId: number): Promise<string> => {
    const body = JSON.stringify({
      ref: 'refs/heads/main',
      before: '0'.repeat(40),
      after: head,
      created: true,
      deleted: false,
      forced: false,
      repository: {
        id: externalId,
        node_id: `R_${externalId}`,
        name: 'vault',
        full_name: fullName,
        private: true,
        html_url: `${server.url}/${fullName}`,
        default_branch: 'main',
        pushed_at: Math.floor(Date.now() / 1000),
        owner: { login: owner, id: externalId, type: 'Organization' },
      },
      pusher: { name: 'tester', email: 'tester@example.com' },
      sender: { login: 'tester', id: 4242, type: 'User' },
      commits: [
        {
          id: head,
          tree_id: head,
          distinct: true,
          message: 'first',
          timestamp: new Date().toISOString(),
          url: `${server.url}/${fullName}/commit/${head}`,
          author: { name: 'Test Author', email: 'author@example.com' },
          committer: { name: 'Test Author', email: 'author@example.com' },
          added: ['src/vault.ts'],
          removed: [],
          modified: [],
        },
      ],
      head_commit: null,
    });
    const response = await t.request('POST', '/webhooks/github', {
      body,
      headers: githubHeaders(body, 'push'),
      token: null,
    });
    expect(response.status).toBe(202);
    return eventually(async () => {
      const [row] = await t.dataSource.query<{ id: string }[]>(
        `SELECT id FROM repositories WHERE provider = 'github' AND external_id = $1`,
        [String(externalId)],
      );
      return row?.id;
    });
  };

  const settled = (t: TestApp, repositoryId: string): Promise<IndexStatus> =>
    eventually(
      async () => {
        const response = await t.request('GET', `/api/v1/repositories/${repositoryId}/index`);
        const s = response.json<IndexStatus>();
        return s.status === 'ready' || s.status === 'failed' ? s : undefined;
      },
      30000,
      'the index run to finish',
    );

  it('a push webhook gets the repository indexed, git authenticating with the token', async () => {
    const t = await startTestApp({
      GITHUB_URL: server.url,
      GITHUB_API_URL: 'http://127.0.0.1:9',
      GITHUB_TOKEN: TOKEN,
    });
    try {
      const seen = server.authorizations.length;
      const id = await push(t, randomInt(1_000_000_000, 2_000_000_000));
      const s = await settled(t, id);
      expect(s).toMatchObject({ status: 'ready', commitSha: head, files: 1, lastError: null });
      const sent = server.authorizations.slice(seen);
      expect(sent.length).toBeGreaterThan(0);
      expect(sent.every((a) => a === basic('x-access-token', TOKEN))).toBe(true);
      const found = await t.request('GET', '/api/v1/search/code?q=openVaultDoor');
      expect(found.json<{ items: Array<{ path: string }> }>().items.map((i) => i.path)).toEqual([
        'src/vault.ts',
      ]);
    } finally {
      await t.close();
    }
  }, 60000);

  it('with a wrong token the run fails with a clear error that does not carry the token', async () => {
    const wrong = 'ghp_wrongS3cretToken987654321';
    const t = await startTestApp({
      GITHUB_URL: server.url,
      GITHUB_API_URL: 'http://127.0.0.1:9',
      GITHUB_TOKEN: wrong,
      JOB_ATTEMPTS: '2',
    });
    try {
      const seen = server.authorizations.length;
      const id = await push(t, randomInt(1_000_000_000, 2_000_000_000));
      const s = await settled(t, id);
      expect(s.status).toBe('failed');
      expect(s.lastError).toContain("the forge refused the source's credentials for git");
      expect(s.lastError).not.toContain(wrong);
      expect(s.lastError).not.toContain(basic('x-access-token', wrong));
      expect(server.authorizations.slice(seen)).toContain(basic('x-access-token', wrong));
      expect(s.files).toBe(0);
    } finally {
      await t.close();
    }
  }, 60000);
});
