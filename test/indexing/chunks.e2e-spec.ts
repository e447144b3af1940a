import { randomInt } from 'node:crypto';
import { GitServer, WorkingCopy } from '../support/git-server';
import { githubHeaders } from '../support/signing';
import { eventually, startTestApp, TestApp } from '../support/test-app';

interface CodeItem {
  path: string;
  line: number;
  preview: { text: string; before: string[]; after: string[] };
  ranges: Array<[number, number]>;
}

interface CodePage {
  items: CodeItem[];
  nextCursor: string | null;
}

const ZERO = '0'.repeat(40);

/** 400 lines of about 40 characters: several 4 KB chunks, with matches on every line. */
const LINES = Array.from(
  { length: 400 },
  (_, i) => `const value${i + 1} = "needleLine ${i + 1}";${i % 3 === 0 ? ' // needleLine' : ''}`,
);
const BIG = `${LINES.join('\n')}\n`;

/**
 * Files for paging across ranking tiers and chunk edges with `walker_token`: a file defining a
 * symbol of that name (first tier), one whose path holds it (second), plain content (third),
 * each but the last with several matches per chunk and more than one chunk, and a last file
 * whose only occurrence is on a line too long to search: its chunk is a candidate of the
 * index with no matching line.
 */
const WALKER_PY = [
  'def walker_token():',
  '    return 1',
  ...Array.from(
    { length: 90 },
    (_, i) =>
      `value_${i} = walker_token() if ${i} % 2 else None  # padding to fill the chunk ${'.'.repeat(i % 7)}`,
  ),
].join('\n');
const WALKER_DOC = 'walker_token, the guide\n\nCall walker_token twice: walker_token.\n';
const WALKER_CONTENT = Array.from({ length: 240 }, (_, i) =>
  i % 4 === 0 ? `line ${i}: walker_token then Walker_Token` : `line ${i}: nothing here to see`,
).join('\n');
const WALKER_LONG = `${'x'.repeat(12_000)} walker_token\n`;

describe('code index: files stored in chunks search like whole files', () => {
  let git: GitServer;
  let t: TestApp;
  let work: WorkingCopy;
  const externalId = randomInt(1_000_000_000, 2_000_000_000);
  const fullName = `ch${externalId}/big`;

  beforeAll(async () => {
    git = await GitServer.start();
    t = await startTestApp({ GITHUB_URL: git.url, JOB_ATTEMPTS: '2' });
    work = git.createRepository(fullName);
    work
      .write('src/big.ts', BIG)
      .write('src/tail.ts', 'first\nneedleLine at the end')
      .write('walk/src/walker.py', WALKER_PY)
      .write('walk/docs/walker_token.md', WALKER_DOC)
      .write('walk/a/content.txt', WALKER_CONTENT)
      .write('walk/b/one.txt', 'just one walker_token here\n')
      .write('walk/zz/long.txt', WALKER_LONG);
    const commit = work.commit('big');
    work.push();
    const body = JSON.stringify({
      ref: 'refs/heads/main',
      before: ZERO,
      after: commit,
      created: true,
      deleted: false,
      forced: false,
      repository: {
        id: externalId,
        node_id: `R_${externalId}`,
        private: false,
        pushed_at: Math.floor(Date.now() / 1000),
        name: 'big',
        full_name: fullName,
        html_url: `${git.url}/${fullName}`,
        default_branch: 'main',
        owner: { login: `ch${externalId}`, id: externalId, type: 'Organization' },
      },
      pusher: { name: 'tester', email: 'tester@example.com' },
      sender: { login: 'tester', id: 4242, type: 'User' },
      commits: [
        {
          id: commit,
          tree_id: commit,
          distinct: true,
          message: 'big',
          timestamp: new Date().toISOString(),
          url: `${git.url}/${fullName}/commit/${commit}`,
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
    await eventually(
      async () => {
        const [row] = await t.dataSource.query<{ status: string }[]>(
          `SELECT i.status FROM code_indexes i JOIN repositories r ON r.id = i.repository_id
           WHERE r.full_name = $1 AND i.status IN ('ready', 'failed')`,
          [fullName],
        );
        return row?.status;
      },
      30000,
      'the index',
    );
  }, 90000);

  afterAll(async () => {
    await t?.close();
    await git?.close();
    work?.dispose();
  });

  const code = async (query: string): Promise<CodePage> => {
    const response = await t.request('GET', `/api/v1/search/code?${query}`);
    expect(response.status).toBe(200);
    return response.json<CodePage>();
  };

  it('stores the file in several chunks that join back into it', async () => {
    const [{ chunks }] = await t.dataSource.query<{ chunks: number }[]>(
      'SELECT count(*)::int AS chunks FROM code_chunks WHERE blob_sha = $1',
      [work.blob('src/big.ts')],
    );
    expect(chunks).toBeGreaterThan(2);
    const [repository] = await t.dataSource.query<{ id: string }[]>(
      'SELECT id FROM repositories WHERE full_name = $1',
      [fullName],
    );
    const file = await t.request(
      'GET',
      `/api/v1/repositories/${repository.id}/files?path=src/big.ts`,
    );
    expect(file.json<{ content: string }>().content).toBe(BIG);
  });

  it('finds every matching line with its neighbours, across chunk edges, as git grep does', async () => {
    const page = await code('q=needleLine&caseSensitive=true&path=src/big.ts&limit=200');
    const more = await code(
      `q=needleLine&caseSensitive=true&path=src/big.ts&limit=200&cursor=${encodeURIComponent(page.nextCursor ?? '')}`,
    );
    const items = [...page.items, ...more.items];
    expect(more.nextCursor).toBeNull();
    const expected = work
      .grep(['-n', '--fixed-strings', 'needleLine', '--', 'src/big.ts'])
      .split('\n')
      .map((l) => Number(l.split(':')[1]));
    expect(items.map((i) => i.line)).toEqual(expected);
    for (const item of items) {
      const at = item.line - 1;
      expect(item.preview).toEqual({
        text: LINES[at],
        before: at > 0 ? [LINES[at - 1]] : [],
        // The line after the last one is the empty text after the final newline.
        after: [at + 1 < LINES.length ? LINES[at + 1] : ''],
      });
      const twice = LINES[at].includes('// needleLine');
      expect(item.ranges).toHaveLength(twice ? 2 : 1);
    }
  });

  it('pages of a few lines walk every match once, in order', async () => {
    const walk = async (limit: number): Promise<string[]> => {
      const walked: string[] = [];
      let cursor: string | null = null;
      do {
        const page: CodePage = await code(
          `q=needleLine&caseSensitive=true&limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        );
        walked.push(...page.items.map((i) => `${i.path}:${i.line}`));
        cursor = page.nextCursor;
      } while (cursor);
      return walked;
    };
    const expected = await walk(200);
    expect(expected).toHaveLength(401);
    expect(expected.at(-1)).toBe('src/tail.ts:2');
    const walked = await walk(7);
    expect(walked).toEqual(expected);
    const tail = (await code('q=needleLine&path=src/tail.ts')).items;
    expect(tail.map((i) => i.preview)).toEqual([
      { text: 'needleLine at the end', before: ['first'], after: [] },
    ]);
  });

  describe('pages follow the ranking across tiers and chunk edges, and end at the last match', () => {
    const scope = () => `repository=${encodeURIComponent(fullName)}&path=walk/**`;
    const walk = async (query: string, limit: number) => {
      const walked: string[] = [];
      const pages: number[] = [];
      let cursor: string | null = null;
      do {
        const page: CodePage = await code(
          `${query}&${scope()}&limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        );
        walked.push(...page.items.map((i) => `${i.path}:${i.line}`));
        pages.push(page.items.length);
        cursor = page.nextCursor;
      } while (cursor);
      return { walked, pages };
    };
    // What git grep finds (the long line aside), in the ranking's order: the symbol definition,
    // the path match, then plain content by path; lines in order within a file.
    const expected = (): string[] => {
      const grep = work
        .grep(['-n', '-i', '--fixed-strings', 'walker_token', '--', 'walk'])
        .split('\n')
        .filter((l) => !l.startsWith('walk/zz/'))
        .map((l) => {
          const [path, line] = l.split(':');
          return { path, line: Number(line) };
        });
      const tier = (path: string) =>
        path === 'walk/src/walker.py' ? 0 : path === 'walk/docs/walker_token.md' ? 1 : 2;
      return grep
        .sort(
          (a, b) =>
            tier(a.path) - tier(b.path) ||
            (a.path < b.path ? -1 : a.path > b.path ? 1 : 0) ||
            a.line - b.line,
        )
        .map((m) => `${m.path}:${m.line}`);
    };

    it.each([
      ['literal', 'q=walker_token'],
      ['regular expression', `q=${encodeURIComponent('walker_to+ken')}&regex=true`],
    ])('%s: one big page, pages of 1 and of 7 lines agree', async (_kind, query) => {
      const want = expected();
      // Several matches in one chunk and files of several chunks, in every tier.
      expect(want.filter((l) => l.startsWith('walk/src/walker.py')).length).toBeGreaterThan(40);
      expect(want.filter((l) => l.startsWith('walk/docs/')).length).toBe(2);
      expect(want.filter((l) => l.startsWith('walk/a/')).length).toBe(60);
      const all = await code(`${query}&${scope()}&limit=200`);
      expect(all.items.map((i) => `${i.path}:${i.line}`)).toEqual(want);
      expect(all.nextCursor).toBeNull();
      for (const limit of [1, 7]) {
        const { walked, pages } = await walk(query, limit);
        expect(walked).toEqual(want);
        // No page past the last match: every page but the last is full, and none is empty.
        expect(pages.slice(0, -1).every((n) => n === limit)).toBe(true);
        expect(pages.at(-1)).toBeGreaterThan(0);
      }
      // A page that ends exactly at the last match has no next page.
      const exact = await code(`${query}&${scope()}&limit=${want.length}`);
      expect(exact.items).toHaveLength(want.length);
      expect(exact.nextCursor).toBeNull();
      const short = await code(`${query}&${scope()}&limit=${want.length - 1}`);
      expect(short.nextCursor).not.toBeNull();
      const rest = await code(
        `${query}&${scope()}&limit=5&cursor=${encodeURIComponent(short.nextCursor ?? '')}`,
      );
      expect(rest.items.map((i) => `${i.path}:${i.line}`)).toEqual([want[want.length - 1]]);
      expect(rest.nextCursor).toBeNull();
    });
  });
});
