import { execFileSync } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { join } from 'node:path';
import { IndexCleanupTask } from '../../src/modules/indexing/index-cleanup.task';
import { GitServer, WorkingCopy } from '../support/git-server';
import { githubHeaders } from '../support/signing';
import { eventually, startTestApp, TestApp } from '../support/test-app';

interface IndexedRef {
  ref: string;
  commitSha: string;
  indexedAt: string;
  files: number;
  skipped: number;
}

interface IndexStatus {
  status: string;
  ref: string | null;
  commitSha: string | null;
  lastError: string | null;
  lastRun: { changedFiles: number; blobsRead: number; full: boolean } | null;
  refs: IndexedRef[];
}

interface CodeItem {
  path: string;
  ref: string;
  commitSha: string;
  line: number;
}

const ZERO = '0'.repeat(40);

describe('code index: extra branches named by a per-repository setting', () => {
  let git: GitServer;
  let t: TestApp;
  let work: WorkingCopy;
  const externalId = randomInt(1_000_000_000, 2_000_000_000);
  const owner = `br${externalId}`;
  const fullName = `${owner}/app`;
  let repositoryId = '';
  const heads: Record<string, string> = {};

  beforeAll(async () => {
    git = await GitServer.start();
    t = await startTestApp({ GITHUB_URL: git.url, JOB_ATTEMPTS: '2' });
    work = git.createRepository(fullName);
  }, 60000);

  afterAll(async () => {
    await t?.close();
    await git?.close();
    work?.dispose();
  });

  const pushWebhook = async (branch: string, before: string, after: string): Promise<void> => {
    const deleted = after === ZERO;
    const body = JSON.stringify({
      ref: `refs/heads/${branch}`,
      before,
      after,
      created: before === ZERO,
      deleted,
      forced: false,
      repository: {
        id: externalId,
        node_id: `R_${externalId}`,
        name: 'app',
        full_name: fullName,
        private: false,
        html_url: `${git.url}/${fullName}`,
        default_branch: 'main',
        pushed_at: Math.floor(Date.now() / 1000),
        owner: { login: owner, id: externalId, type: 'Organization' },
      },
      pusher: { name: 'tester', email: 'tester@example.com' },
      sender: { login: 'tester', id: 4242, type: 'User' },
      commits: deleted
        ? []
        : [
            {
              id: after,
              tree_id: after,
              distinct: true,
              message: `push ${after}`,
              timestamp: new Date().toISOString(),
              url: `${git.url}/${fullName}/commit/${after}`,
              author: { name: 'Test Author', email: 'author@example.com' },
              committer: { name: 'Test Author', email: 'author@example.com' },
              added: [],
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
  };

  /** Commits on `branch` (created from the current HEAD if new), pushes it and sends the webhook. */
  const pushBranch = async (branch: string, files: Record<string, string>): Promise<string> => {
    work.checkout(branch);
    for (const [path, content] of Object.entries(files)) work.write(path, content);
    const commit = work.commit(`on ${branch}`);
    work.push({ branch });
    await pushWebhook(branch, heads[branch] ?? ZERO, commit);
    heads[branch] = commit;
    return commit;
  };

  const status = async (): Promise<IndexStatus> => {
    const response = await t.request('GET', `/api/v1/repositories/${repositoryId}/index`);
    expect(response.status).toBe(200);
    return response.json<IndexStatus>();
  };

  /** Waits until the index is ready with exactly these refs at these commits. */
  const indexedRefs = async (expected: Record<string, string>): Promise<IndexStatus> =>
    eventually(
      async () => {
        if (!repositoryId) {
          const [row] = await t.dataSource.query<{ id: string }[]>(
            `SELECT id FROM repositories WHERE provider = 'github' AND external_id = $1`,
            [String(externalId)],
          );
          if (!row) return undefined;
          repositoryId = row.id;
        }
        const s = await status();
        if (s.status === 'failed') throw new Error(`indexing failed: ${s.lastError}`);
        const refs = Object.fromEntries(s.refs.map((r) => [r.ref, r.commitSha]));
        return s.status === 'ready' && JSON.stringify(refs) === JSON.stringify(expected)
          ? s
          : undefined;
      },
      30000,
      `the index with refs ${JSON.stringify(expected)}`,
    );

  const code = async (query: string): Promise<CodeItem[]> => {
    const response = await t.request('GET', `/api/v1/search/code?${query}`);
    expect(response.status).toBe(200);
    return response.json<{ items: CodeItem[] }>().items;
  };

  const settings = (indexedBranches: unknown) =>
    t.request('PATCH', `/api/v1/admin/repositories/${repositoryId}/index-settings`, {
      json: { indexedBranches },
    });

  const mirrorBranches = (): string[] =>
    execFileSync(
      'git',
      [
        `--git-dir=${join(t.config.indexing.dir, `${repositoryId}.git`)}`,
        'for-each-ref',
        '--format=%(refname:short)',
        'refs/heads/',
      ],
      { encoding: 'utf8' },
    )
      .split('\n')
      .filter(Boolean);

  it('indexes only the default branch while the setting names none', async () => {
    await pushBranch('main', {
      'src/app.ts': 'export function mainFeature() { return "mainOnlyNeedle"; }\n',
      'src/shared.ts': 'export const sharedAcrossBranches = 1;\n',
    });
    // A branch nobody asked for: pushed and announced, never indexed.
    await pushBranch('develop', { 'src/dev.ts': 'export function devWork() { return 1; }\n' });
    const s = await indexedRefs({ main: heads.main });
    expect(s.refs.map((r) => r.ref)).toEqual(['main']);

    const view = await t.request(
      'GET',
      `/api/v1/admin/repositories/${repositoryId}/index-settings`,
    );
    expect(view.status).toBe(200);
    expect(view.json()).toEqual({ repositoryId, indexedBranches: [], updatedAt: null });
  });

  it('validates the setting: names and globs git could match, at most 50, known repositories', async () => {
    for (const bad of [['has space'], ['a..b'], ['/lead'], ['trail/'], ['x:y'], [''], 'develop']) {
      const response = await settings(bad);
      expect(response.status).toBe(400);
      expect(response.json<{ code: string }>().code).toBe('VALIDATION_FAILED');
    }
    expect((await settings(Array.from({ length: 51 }, (_, i) => `b${i}`))).status).toBe(400);
    const unknown = await t.request(
      'PATCH',
      '/api/v1/admin/repositories/00000000-0000-4000-8000-000000000000/index-settings',
      { json: { indexedBranches: ['develop'] } },
    );
    expect(unknown.status).toBe(404);
  });

  it('naming a branch indexes it at once; the ref filter finds it, the default search does not', async () => {
    const response = await settings(['develop', 'release/*']);
    expect(response.status).toBe(200);
    expect(response.json()).toMatchObject({ indexedBranches: ['develop', 'release/*'] });
    const s = await indexedRefs({ main: heads.main, develop: heads.develop });
    // develop holds main's two files too: their blobs are already in the index.
    expect(s.lastRun?.blobsRead).toBe(1);
    expect(s.refs.find((r) => r.ref === 'develop')?.files).toBe(3);
    // The top-level figures stay the default branch's.
    expect([s.ref, s.commitSha]).toEqual(['main', heads.main]);

    expect((await code('q=devWork&ref=develop')).map((i) => [i.path, i.ref, i.commitSha])).toEqual([
      ['src/dev.ts', 'develop', heads.develop],
    ]);
    expect(await code('q=devWork')).toEqual([]);
    expect((await code('q=mainOnlyNeedle&ref=refs/heads/develop')).map((i) => i.ref)).toEqual([
      'develop',
    ]);
    const symbols = await t.request('GET', '/api/v1/search/symbols?q=devWork&ref=develop');
    expect(symbols.json<{ items: Array<{ path: string }> }>().items.map((i) => i.path)).toEqual([
      'src/dev.ts',
    ]);
    const noSymbols = await t.request('GET', '/api/v1/search/symbols?q=devWork');
    expect(noSymbols.json<{ items: unknown[] }>().items).toEqual([]);
  });

  it('pushes to matching branches index them; others are left alone', async () => {
    work.checkout('develop');
    await pushBranch('release/1.0', {
      'src/release.ts': 'export const releaseOnlyNeedle = "1.0";\n',
    });
    work.checkout('main');
    await pushBranch('feature/x', { 'src/x.ts': 'export const featureOnlyNeedle = 1;\n' });
    await indexedRefs({
      main: heads.main,
      develop: heads.develop,
      'release/1.0': heads['release/1.0'],
    });
    expect((await code('q=releaseOnlyNeedle&ref=release/1.0')).map((i) => i.path)).toEqual([
      'src/release.ts',
    ]);
    expect(await code('q=featureOnlyNeedle&ref=feature/x')).toEqual([]);
    expect(mirrorBranches()).toEqual(['develop', 'main', 'release/1.0']);

    // A later push to an indexed branch is an incremental run over that branch alone.
    await pushBranch('develop', {
      'src/dev.ts': 'export function devWorkRenamed() { return 2; }\n',
    });
    const s = await indexedRefs({
      main: heads.main,
      develop: heads.develop,
      'release/1.0': heads['release/1.0'],
    });
    expect(s.lastRun).toMatchObject({ full: false, changedFiles: 1, blobsRead: 1 });
    expect(await code('q=devWorkRenamed&ref=develop')).toHaveLength(1);
  });

  it('a deleted branch loses its index and its mirror ref', async () => {
    work.deleteRemoteBranch('release/1.0');
    await pushWebhook('release/1.0', heads['release/1.0'], ZERO);
    await indexedRefs({ main: heads.main, develop: heads.develop });
    expect(await code('q=releaseOnlyNeedle&ref=release/1.0')).toEqual([]);
    expect(mirrorBranches()).toEqual(['develop', 'main']);
  });

  it('a branch taken out of the setting is dropped, and the cleanup collects its blobs', async () => {
    const devBlob = work.checkout('develop').blob('src/dev.ts');
    expect((await settings([])).status).toBe(200);
    await indexedRefs({ main: heads.main });
    expect(await code('q=devWorkRenamed&ref=develop')).toEqual([]);
    expect(mirrorBranches()).toEqual(['main']);
    await t.app.get(IndexCleanupTask).run(0);
    const left = await t.dataSource.query<unknown[]>('SELECT 1 FROM code_blobs WHERE sha = $1', [
      devBlob,
    ]);
    expect(left).toEqual([]);
    // main's files are still searchable.
    expect((await code('q=mainOnlyNeedle')).map((i) => i.ref)).toEqual(['main']);
  });
});
