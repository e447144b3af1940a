import { randomInt } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { IndexRebuildResumeTask } from '../../src/modules/indexing/index-rebuild-resume.task';
import { CodeIndexRepository } from '../../src/modules/indexing/code-index.repository';
import { IndexCleanupTask } from '../../src/modules/indexing/index-cleanup.task';
import { GitServer, WorkingCopy } from '../support/git-server';
import { eventually, startTestApp, TestApp } from '../support/test-app';
import { githubHeaders } from '../support/signing';

type Json = Record<string, unknown>;

interface IndexStatus {
  status: string;
  ref: string | null;
  commitSha: string | null;
  indexedAt: string | null;
  files: number;
  bytes: number;
  skipped: number;
  lastError: string | null;
  lastRun: { changedFiles: number; tookMs: number; blobsRead: number; full: boolean } | null;
}

interface CodeItem {
  repository: string;
  path: string;
  ref: string;
  commitSha: string;
  line: number;
  preview: { text: string; before: string[]; after: string[] };
  ranges: Array<[number, number]>;
}

interface CodePage {
  items: CodeItem[];
  nextCursor: string | null;
  tookMs: number;
}

interface SymbolItem {
  repository: string;
  path: string;
  line: number;
  name: string;
  kind: string;
  language: string;
  commitSha: string;
}

const ZERO = '0'.repeat(40);
const MAX_FILE_BYTES = 4096;

const APP_TS = `import { helper } from './helper';

export class InvoiceBuilder {
  addLine(amount: number): void {
    this.total += amount;
  }
}

export function computeTotals(lines: number[]): number {
  return lines.reduce((sum, n) => sum + n, 0);
}
`;

const UTIL_PY = `def parse_ledger(text):
    return [line.split(",") for line in text.splitlines()]

class LedgerError(Exception):
    pass
`;

const MAIN_GO = `package main

func StartServer(port int) error {
	return nil
}
`;

const SHARED = `export const SHARED_LIMIT = 42; // searchableSharedConstant\n`;

describe('code index: real git mirrors kept current by push webhooks', () => {
  let git: GitServer;
  let t: TestApp;
  let work: WorkingCopy;
  const externalId = randomInt(1_000_000_000, 2_000_000_000);
  const owner = `idx${externalId}`;
  const fullName = `${owner}/shop`;
  let repositoryId = '';
  const commits: string[] = [];

  beforeAll(async () => {
    git = await GitServer.start();
    t = await startTestApp({
      GITHUB_URL: git.url,
      INDEX_MAX_FILE_BYTES: String(MAX_FILE_BYTES),
      JOB_ATTEMPTS: '2',
    });
    work = git.createRepository(fullName);
  }, 60000);

  afterAll(async () => {
    await t?.close();
    await git?.close();
    work?.dispose();
  });

  const pushWebhook = async (before: string, after: string, forced = false): Promise<void> => {
    const payload: Json = {
      ref: 'refs/heads/main',
      before,
      after,
      created: before === ZERO,
      deleted: false,
      forced,
      repository: {
        id: externalId,
        node_id: `R_${externalId}`,
        name: 'shop',
        full_name: fullName,
        private: false,
        html_url: `${git.url}/${fullName}`,
        default_branch: 'main',
        pushed_at: Math.floor(Date.now() / 1000),
        owner: { login: owner, id: externalId, type: 'Organization' },
      },
      pusher: { name: 'tester', email: 'tester@example.com' },
      sender: { login: 'tester', id: 4242, type: 'User' },
      commits: [
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
    };
    const body = JSON.stringify(payload);
    const response = await t.request('POST', '/webhooks/github', {
      body,
      headers: githubHeaders(body, 'push'),
      token: null,
    });
    expect(response.status).toBe(202);
  };

  const status = async (): Promise<IndexStatus> => {
    const response = await t.request('GET', `/api/v1/repositories/${repositoryId}/index`);
    expect(response.status).toBe(200);
    return response.json<IndexStatus>();
  };

  /** Waits until the index is ready at `commit` after a run that finished after `since`. */
  const indexedAt = async (commit: string, since: string): Promise<IndexStatus> => {
    if (!repositoryId) {
      repositoryId = await eventually(async () => {
        const [row] = await t.dataSource.query<{ id: string }[]>(
          `SELECT id FROM repositories WHERE provider = 'github' AND external_id = $1`,
          [String(externalId)],
        );
        return row?.id;
      });
    }
    return eventually(
      async () => {
        const s = await status();
        if (s.status === 'failed') throw new Error(`indexing failed: ${s.lastError}`);
        return s.status === 'ready' && s.commitSha === commit && (s.indexedAt ?? '') > since
          ? s
          : undefined;
      },
      30000,
      `the index at ${commit}`,
    );
  };

  const code = async (query: string): Promise<CodePage> => {
    const response = await t.request('GET', `/api/v1/search/code?${query}`);
    expect(response.status).toBe(200);
    return response.json<CodePage>();
  };

  const symbols = async (query: string): Promise<SymbolItem[]> => {
    const response = await t.request('GET', `/api/v1/search/symbols?${query}`);
    expect(response.status).toBe(200);
    return response.json<{ items: SymbolItem[] }>().items;
  };

  const dbNow = async () =>
    (await t.dataSource.query<{ now: string }[]>(`SELECT to_json(now())#>>'{}' AS now`))[0].now;

  it('a first push indexes the whole tree, skipping binaries, large, vendored and generated files', async () => {
    work
      .write('src/app.ts', APP_TS)
      .write('src/util.py', UTIL_PY)
      .write('lib/main.go', MAIN_GO)
      .write('docs/readme.md', '# Shop\n\nHow the shop computes totals.\n')
      .write('big.txt', `${'x'.repeat(MAX_FILE_BYTES)}\nbigFileNeedle\n`)
      .write('logo.png', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 3, 0, 0x42]))
      .write('node_modules/dep/index.js', 'export const vendoredNeedle = 1;\n')
      .write('gen/out.js', 'export const generatedNeedle = 1;\n')
      .write('.gitattributes', 'gen/** linguist-generated\n')
      .write('dup/a.ts', SHARED)
      .write('dup/b.ts', SHARED)
      .write('docs/parse_ledger.md', 'How to use parse_ledger.\n')
      .write('a/notes.txt', 'Then call parse_ledger on the export.\n');
    commits.push(work.commit('initial'));
    work.push();
    const since = await dbNow();
    await pushWebhook(ZERO, commits[0]);
    const s = await indexedAt(commits[0], since);

    // Indexed: app.ts, util.py, main.go, readme.md, .gitattributes, dup/a.ts, dup/b.ts,
    // parse_ledger.md, notes.txt.
    expect(s.files).toBe(9);
    // Skipped: big.txt (too large), logo.png (binary), node_modules (excluded), gen (generated).
    expect(s.skipped).toBe(4);
    expect(s.ref).toBe('main');
    expect(s.lastRun).toMatchObject({ full: true, changedFiles: 13 });
    // Eight distinct text blobs (dup/a.ts and dup/b.ts share one) and the binary, read to see it is one.
    expect(s.lastRun?.blobsRead).toBe(9);

    const [{ n }] = await t.dataSource.query<{ n: number }[]>(
      'SELECT count(*)::int AS n FROM code_blobs WHERE sha = $1',
      [work.blob('dup/a.ts')],
    );
    expect(n).toBe(1);
    const shared = await code('q=searchableSharedConstant');
    expect(shared.items.map((i) => i.path)).toEqual(['dup/a.ts', 'dup/b.ts']);

    for (const hidden of ['bigFileNeedle', 'vendoredNeedle', 'generatedNeedle']) {
      expect((await code(`q=${hidden}`)).items).toEqual([]);
    }
    const skipped = await t.request(
      'GET',
      `/api/v1/repositories/${repositoryId}/files?path=big.txt`,
    );
    expect(skipped.status).toBe(404);
    expect(skipped.json<{ message: string }>().message).toContain('too_large');
  });

  it('code search: literal matches with line, preview, ranges and the indexed commit', async () => {
    const page = await code('q=computeTotals');
    // The file that defines computeTotals ranks first; the readme mentions "computes totals" only.
    expect(page.items).toEqual([
      {
        repository: fullName,
        path: 'src/app.ts',
        ref: 'main',
        commitSha: commits[0],
        line: 9,
        preview: {
          text: 'export function computeTotals(lines: number[]): number {',
          before: [''],
          after: ['  return lines.reduce((sum, n) => sum + n, 0);'],
        },
        ranges: [[16, 29]],
      },
    ]);
    expect(typeof page.tookMs).toBe('number');

    // Case-insensitive by default; case-sensitive on request.
    expect((await code('q=COMPUTETOTALS')).items).toHaveLength(1);
    expect((await code('q=COMPUTETOTALS&caseSensitive=true')).items).toHaveLength(0);

    // The reference tool agrees on which lines hold the literal.
    const expected = work
      .grep(['-n', '-i', '--fixed-strings', 'total', '--', 'src/app.ts'])
      .split('\n')
      .map((l) => Number(l.split(':')[1]));
    const found = (await code('q=total&path=src/**/*.ts')).items.map((i) => i.line);
    expect(found).toEqual(expected);
  });

  it('code search: regular expressions, filters, ranking and pagination', async () => {
    const regex = await code(`q=${encodeURIComponent('def \\w+_ledger')}&regex=true`);
    expect(regex.items.map((i) => [i.path, i.line, i.ranges])).toEqual([
      ['src/util.py', 1, [[0, 16]]],
    ]);

    expect((await code('q=StartServer&language=go')).items).toHaveLength(1);
    expect((await code('q=StartServer&language=python')).items).toHaveLength(0);
    expect(
      (await code(`q=StartServer&repository=${encodeURIComponent(fullName)}`)).items,
    ).toHaveLength(1);
    expect((await code(`q=StartServer&repository=${repositoryId}`)).items).toHaveLength(1);
    expect((await code('q=StartServer&repository=nobody/else')).items).toHaveLength(0);
    expect((await code('q=StartServer&ref=refs/heads/main')).items).toHaveLength(1);
    expect((await code('q=StartServer&ref=develop')).items).toHaveLength(0);

    // The definition first, then a path match, then plain content (alphabetically the reverse).
    const ranked = await code('q=parse_ledger');
    expect(ranked.items.map((i) => i.path)).toEqual([
      'src/util.py',
      'docs/parse_ledger.md',
      'a/notes.txt',
    ]);
    expect((await code('q=readme')).items).toEqual([]);
    const shop = await code('q=shop');
    expect(shop.items.map((i) => `${i.path}:${i.line}`)).toEqual([
      'docs/readme.md:1',
      'docs/readme.md:3',
    ]);

    // Pages of one line each walk every match once, in the same order as one big page, and
    // the walk ends with the last match. Only this repository: the run's other specs share the
    // database, and their matches would fill the big page past its 200 lines.
    const scope = `repository=${encodeURIComponent(fullName)}`;
    const all = await code(`q=line&${scope}&limit=200`);
    expect(all.items.length).toBeGreaterThan(3);
    expect(all.nextCursor).toBeNull();
    const walked: string[] = [];
    let cursor: string | null = null;
    do {
      const page: CodePage = await code(
        `q=line&${scope}&limit=1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      expect(page.items).toHaveLength(1);
      walked.push(...page.items.map((i) => `${i.path}:${i.line}`));
      cursor = page.nextCursor;
    } while (cursor);
    expect(walked).toEqual(all.items.map((i) => `${i.path}:${i.line}`));
  });

  it('refuses queries the trigram index cannot narrow, with a clear 400', async () => {
    for (const query of [
      'q=ab',
      'q=a.b',
      `q=${encodeURIComponent('.*')}&regex=true`,
      `q=${encodeURIComponent('abc|x')}&regex=true`,
    ]) {
      const response = await t.request('GET', `/api/v1/search/code?${query}`);
      expect(response.status).toBe(400);
      const body = response.json<{ code: string; message: string }>();
      expect(body.code).toBe('QUERY_TOO_BROAD');
      expect(body.message).toMatch(/trigram/);
    }
    const bad = await t.request(
      'GET',
      `/api/v1/search/code?q=${encodeURIComponent('abc(')}&regex=true`,
    );
    expect(bad.status).toBe(400);
    expect(bad.json<{ code: string }>().code).toBe('VALIDATION_FAILED');
    const cursor = await t.request('GET', '/api/v1/search/code?q=abcdef&cursor=bm9wZQ');
    expect(cursor.status).toBe(400);
  });

  it('symbol search: definitions by exact name, prefix and substring, with kind and language', async () => {
    expect(await symbols('q=InvoiceBuilder')).toEqual([
      {
        repository: fullName,
        path: 'src/app.ts',
        line: 3,
        name: 'InvoiceBuilder',
        kind: 'class',
        language: 'typescript',
        commitSha: commits[0],
      },
    ]);
    expect((await symbols('q=parse_')).map((s) => [s.name, s.kind, s.language])).toEqual([
      ['parse_ledger', 'function', 'python'],
    ]);
    expect((await symbols('q=ledger')).map((s) => s.name)).toEqual(['LedgerError', 'parse_ledger']);
    expect((await symbols('q=ledger&kind=class')).map((s) => s.name)).toEqual(['LedgerError']);
    expect((await symbols('q=start&language=go')).map((s) => [s.name, s.line])).toEqual([
      ['StartServer', 3],
    ]);
    expect((await symbols('q=addline')).map((s) => s.kind)).toEqual(['method']);
  });

  it('the files route answers the indexed content', async () => {
    const response = await t.request(
      'GET',
      `/api/v1/repositories/${repositoryId}/files?path=src/util.py`,
    );
    expect(response.status).toBe(200);
    expect(response.json()).toEqual({
      repository: fullName,
      path: 'src/util.py',
      ref: 'main',
      commitSha: commits[0],
      language: 'python',
      bytes: Buffer.byteLength(UTIL_PY),
      content: UTIL_PY,
    });
  });

  it('an incremental push reads only the changed blobs: edit, rename, delete, add', async () => {
    work
      .write('src/app.ts', APP_TS.replace('computeTotals', 'computeGrandTotals'))
      .move('docs/readme.md', 'docs/guide.md')
      .remove('lib/main.go')
      .write('src/extra.ts', 'export function freshlyAdded() { return 1; }\n');
    commits.push(work.commit('second'));
    work.push();
    const since = await dbNow();
    await pushWebhook(commits[0], commits[1]);
    const s = await indexedAt(commits[1], since);

    // Edit + add + delete + rename (the old path goes, the new one comes).
    expect(s.lastRun).toMatchObject({ full: false, changedFiles: 5 });
    // Only the edited app.ts and the new extra.ts; the renamed blob is already held.
    expect(s.lastRun?.blobsRead).toBe(2);
    expect(s.files).toBe(9);
    // The run merged the trigram indexes' pending entries: searches do not reread them.
    const [pending] = await t.dataSource.query<{ pages: number }[]>(
      `SELECT gin_clean_pending_list('code_chunks_content_trgm_idx'::regclass)::int AS pages`,
    );
    expect(pending.pages).toBe(0);

    expect((await code('q=computeTotals&caseSensitive=true')).items).toEqual([]);
    expect((await code('q=computeGrandTotals')).items.map((i) => [i.path, i.commitSha])).toEqual([
      ['src/app.ts', commits[1]],
    ]);
    expect((await code('q=StartServer')).items).toEqual([]);
    expect((await symbols('q=StartServer')).map((i) => i.path)).toEqual([]);
    expect((await code('q=freshlyAdded')).items.map((i) => i.path)).toEqual(['src/extra.ts']);
    expect((await code('q=shop')).items.map((i) => i.path)).toEqual([
      'docs/guide.md',
      'docs/guide.md',
    ]);
    const old = await t.request(
      'GET',
      `/api/v1/repositories/${repositoryId}/files?path=docs/readme.md`,
    );
    expect(old.status).toBe(404);
  });

  it('a push with nothing new to the index is a no-op run', async () => {
    const since = await dbNow();
    await pushWebhook(commits[1], commits[1]);
    await eventually(async () => {
      const [row] = await t.dataSource.query<{ updated: boolean }[]>(
        `SELECT updated_at > $2::timestamptz AS updated FROM code_indexes WHERE repository_id = $1 AND status = 'ready'`,
        [repositoryId, since],
      );
      return row?.updated ? true : undefined;
    });
    const s = await status();
    expect(s.lastRun).toMatchObject({ changedFiles: 0, blobsRead: 0 });
  });

  it('a force push with no common ancestor rebuilds the index in full', async () => {
    const oldAppBlob = work.blob('src/app.ts');
    work.restartHistory().write('rewritten.ts', 'export function afterRewrite() {}\n');
    commits.push(work.commit('rewritten history'));
    work.push({ force: true });
    const since = await dbNow();
    await pushWebhook(commits[1], commits[2], true);
    const s = await indexedAt(commits[2], since);
    expect(s.lastRun).toMatchObject({ full: true, changedFiles: 1, blobsRead: 1 });
    expect(s.files).toBe(1);
    expect(s.skipped).toBe(0);
    expect((await code('q=computeGrandTotals')).items).toEqual([]);
    expect((await code('q=afterRewrite')).items.map((i) => i.commitSha)).toEqual([commits[2]]);

    // The scheduled cleanup collects blobs no file refers to any more, with their symbols.
    const cleanup = t.app.get(IndexCleanupTask);
    const result = await cleanup.run(0);
    expect(result.blobsDeleted).toBeGreaterThanOrEqual(10);
    const left = await t.dataSource.query<unknown[]>(
      'SELECT 1 FROM code_blobs WHERE sha = $1 UNION ALL SELECT 1 FROM code_symbols WHERE blob_sha = $1',
      [oldAppBlob],
    );
    expect(left).toEqual([]);
  });

  it('the reindex trigger runs a full rebuild, visible with its progress in the queues API', async () => {
    const since = await dbNow();
    const trigger = await t.request('POST', `/api/v1/admin/repositories/${repositoryId}/reindex`);
    expect(trigger.status).toBe(202);
    const { jobId } = trigger.json<{ jobId: string }>();
    const s = await indexedAt(commits[2], since);
    expect(s.lastRun).toMatchObject({ full: true, changedFiles: 1 });
    const job = await eventually(async () => {
      const response = await t.request('GET', `/api/v1/admin/queues/followups/jobs/${jobId}`);
      const body = response.json<{ state: string; progress: unknown; returnvalue: unknown }>();
      return body.state === 'completed' ? body : undefined;
    });
    expect(job.progress).toEqual({ phase: 'done' });
    expect(job.returnvalue).toMatchObject({ full: true, changedFiles: 1 });

    const missing = await t.request(
      'POST',
      '/api/v1/admin/repositories/00000000-0000-4000-8000-000000000000/reindex',
    );
    expect(missing.status).toBe(404);
  });

  it('an index an upgrade emptied is rebuilt by the scheduler, without waiting for a push', async () => {
    // What migration 0015 does to every index: files gone, options unknown, rebuild asked for.
    await t.dataSource.query('DELETE FROM code_index_refs WHERE repository_id = $1', [
      repositoryId,
    ]);
    await t.dataSource.query(
      `UPDATE code_indexes SET options_hash = NULL, rebuild_requested = true, status = 'ready'
        WHERE repository_id = $1`,
      [repositoryId],
    );
    expect((await code('q=afterRewrite')).items).toEqual([]);
    const since = await dbNow();
    const resume = t.app.get(IndexRebuildResumeTask);
    expect(await resume.tick()).toBeGreaterThanOrEqual(1);
    const s = await indexedAt(commits[2], since);
    expect(s.lastRun).toMatchObject({ full: true });
    expect((await code('q=afterRewrite')).items.map((i) => i.commitSha)).toEqual([commits[2]]);
    // Taken up: nothing waits any more for this repository.
    const waiting = await t.app.get(CodeIndexRepository).rebuildsWaitingForARun(10_000);
    expect(waiting).not.toContain(repositoryId);
  });

  it('a removed repository loses its files, and the cleanup its blobs and mirror', async () => {
    const mirror = join(t.config.indexing.dir, `${repositoryId}.git`);
    expect(existsSync(mirror)).toBe(true);
    await t.dataSource.query('DELETE FROM repositories WHERE id = $1', [repositoryId]);
    expect((await code('q=afterRewrite')).items).toEqual([]);
    const result = await t.app.get(IndexCleanupTask).run(0);
    expect(result.mirrorsDeleted).toBe(1);
    expect(result.blobsDeleted).toBeGreaterThanOrEqual(1);
    expect(existsSync(mirror)).toBe(false);
  });
});
