import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppConfig } from '../../config/config';
import {
  BlobRow,
  CodeIndexRepository,
  FileRow,
  IndexedRepository,
  RunSummary,
} from './code-index.repository';
import { BranchPatterns } from './branch-patterns';
import { BlobContent, git, GitConfigEntries, GitError, readBlobs, splitNul } from './git';
import { IndexSettingsRepository } from './index-settings.repository';
import { isSymbolLanguage, languageOf } from './languages';
import { MirrorRemoteResolver } from './mirror-remote-resolver';
import { PathGlobs } from './path-glob';
import { SYMBOL_EXTRACTOR_VERSION, SymbolExtractor } from './symbol-extractor';

/** Bumped when what a run stores changes, so that existing indexes rebuild. */
const INDEXER_VERSION = 2;
/**
 * Blob bytes read from git and written per statement: one batch is written while the next is
 * read, and a statement stays short (the trigram index of a large batch can take seconds).
 */
const READ_BATCH_BYTES = 1024 * 1024;
const ZERO_SHA = /^0+$/;

/**
 * Bundled or minified code (long lines on average): searchable, but its definitions are not
 * what anyone looks for, and parsing it is the slowest part of a run.
 */
function looksMinified(content: string): boolean {
  if (content.length < 2000) return false;
  let lines = 1;
  for (let i = content.indexOf('\n'); i >= 0; i = content.indexOf('\n', i + 1)) lines++;
  return content.length / lines > 300;
}

/** A run cannot succeed by retrying (the forge has no such repository, or it is refused). */
export class IndexRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IndexRefusedError';
  }
}

export interface IndexProgress {
  phase: 'fetching' | 'planning' | 'reading' | 'switching' | 'done';
  ref?: string;
  done?: number;
  total?: number;
}

export interface IndexRunResult extends RunSummary {
  refs: Array<{ ref: string; commitSha: string; full: boolean; changedFiles: number }>;
}

/** One tree entry to index: a path at a blob. */
interface Entry {
  path: string;
  sha: string;
  size: number;
}

/** Where and how git reaches the repository on its forge. */
interface Remote {
  url: string;
  config: GitConfigEntries;
  authenticated: boolean;
}

interface RefPlan {
  full: boolean;
  upserts: Entry[];
  removed: string[];
}

/**
 * Keeps a repository's code index current: fetches the indexed branches into a bare mirror,
 * diffs the last indexed commit against the new one (or lists the whole tree on a rebuild),
 * reads only blobs the index does not hold yet, and switches each ref in one transaction.
 */
@Injectable()
export class RepositoryIndexer {
  private readonly excluded: PathGlobs;
  readonly optionsHash: string;

  constructor(
    private readonly config: AppConfig,
    private readonly store: CodeIndexRepository,
    private readonly remotes: MirrorRemoteResolver,
    private readonly symbols: SymbolExtractor,
    private readonly settings: IndexSettingsRepository,
  ) {
    this.excluded = new PathGlobs(config.indexing.excludePaths);
    this.optionsHash = createHash('sha256')
      .update(
        JSON.stringify({
          indexer: INDEXER_VERSION,
          symbols: SYMBOL_EXTRACTOR_VERSION,
          maxFileBytes: config.indexing.maxFileBytes,
          exclude: config.indexing.excludePaths,
        }),
      )
      .digest('hex')
      .slice(0, 16);
  }

  mirrorPath(repositoryId: string): string {
    return join(this.config.indexing.dir, `${repositoryId}.git`);
  }

  async run(
    repository: IndexedRepository,
    forceFull: boolean,
    progress: (p: IndexProgress) => Promise<void>,
  ): Promise<IndexRunResult> {
    const started = performance.now();
    if (!repository.defaultBranch) {
      throw new IndexRefusedError('the repository has no known default branch yet');
    }
    const mirror = this.mirrorPath(repository.id);
    const full = forceFull || !existsSync(join(mirror, 'HEAD'));
    await progress({ phase: 'fetching' });
    const remote = await this.remote(repository);
    const patterns = new BranchPatterns((await this.settings.get(repository.id))?.branches ?? []);
    // Without extra branches the default one is fetched by name: no listing round trip.
    const branches = patterns.empty
      ? [repository.defaultBranch]
      : patterns.select(repository.defaultBranch, await this.remoteBranches(remote));
    await this.fetch(remote, mirror, branches);

    const previous = new Map(
      (await this.store.refs(repository.id)).map((r) => [r.ref, r.commitSha]),
    );
    const result: IndexRunResult = { full, changedFiles: 0, blobsRead: 0, tookMs: 0, refs: [] };
    for (const branch of branches) {
      const commit = (
        await git(['rev-parse', '--verify', `refs/heads/${branch}^{commit}`], { gitDir: mirror })
      )
        .toString('utf8')
        .trim();
      const before = previous.get(branch);
      if (!full && before === commit) continue;
      await progress({ phase: 'planning', ref: branch });
      const plan = await this.plan(mirror, full ? undefined : before, commit);
      const { files, blobsRead } = await this.prepare(mirror, commit, plan.upserts, (done, total) =>
        progress({ phase: 'reading', ref: branch, done, total }),
      );
      await progress({ phase: 'switching', ref: branch });
      await this.store.switchRef(repository.id, branch, commit, {
        full: plan.full,
        files,
        removed: plan.removed,
      });
      const changedFiles = plan.upserts.length + plan.removed.length;
      result.full ||= plan.full;
      result.changedFiles += changedFiles;
      result.blobsRead += blobsRead;
      result.refs.push({ ref: branch, commitSha: commit, full: plan.full, changedFiles });
    }
    await this.store.dropRefsExcept(repository.id, branches);
    result.tookMs = Math.round(performance.now() - started);
    await progress({ phase: 'done' });
    return result;
  }

  private async remote(repository: IndexedRepository): Promise<Remote> {
    const remote = await this.remotes.resolve({
      id: repository.id,
      provider: repository.provider,
      fullName: repository.fullName,
      url: repository.url,
    });
    if (!remote.ok) throw new IndexRefusedError(remote.reason);
    const config: GitConfigEntries = remote.authorizationHeader
      ? [['http.extraHeader', remote.authorizationHeader]]
      : [];
    return {
      url: remote.cloneUrl,
      config,
      authenticated: remote.authorizationHeader !== undefined,
    };
  }

  /** The branches the forge has now (deleted ones are gone from this list). */
  private async remoteBranches(remote: Remote): Promise<string[]> {
    const out = await this.refusing(remote, () =>
      git(['ls-remote', '--heads', remote.url], { config: remote.config }),
    );
    const branches: string[] = [];
    for (const line of out.toString('utf8').split('\n')) {
      const ref = line.split('\t')[1];
      if (ref?.startsWith('refs/heads/')) branches.push(ref.slice('refs/heads/'.length));
    }
    return branches;
  }

  /** Fetches exactly `branches` into the mirror and deletes the mirror's other branches. */
  private async fetch(remote: Remote, mirror: string, branches: string[]): Promise<void> {
    if (!existsSync(join(mirror, 'HEAD'))) {
      await mkdir(this.config.indexing.dir, { recursive: true });
      await git(['init', '--quiet', '--bare', mirror]);
    }
    await this.refusing(remote, () =>
      git(
        [
          'fetch',
          '--quiet',
          '--no-tags',
          '--no-write-fetch-head',
          remote.url,
          ...branches.map((b) => `+refs/heads/${b}:refs/heads/${b}`),
        ],
        { gitDir: mirror, config: remote.config },
      ),
    );
    const kept = new Set(branches.map((b) => `refs/heads/${b}`));
    const stale = (
      await git(['for-each-ref', '--format=%(refname)', 'refs/heads/'], { gitDir: mirror })
    )
      .toString('utf8')
      .split('\n')
      .filter((r) => r !== '' && !kept.has(r));
    if (stale.length > 0) {
      await git(['update-ref', '--stdin'], {
        gitDir: mirror,
        input: stale.map((r) => `delete ${r}\n`).join(''),
      });
    }
  }

  /** Runs a git command against the forge, turning what retrying cannot fix into a refusal. */
  private async refusing(remote: Remote, run: () => Promise<Buffer>): Promise<Buffer> {
    try {
      return await run();
    } catch (error) {
      if (
        error instanceof GitError &&
        /not found|couldn't find remote ref|does not appear to be a git repository|HTTP 40[34]/i.test(
          error.stderr,
        )
      ) {
        throw new IndexRefusedError(`the forge has no such repository or branch: ${error.message}`);
      }
      if (
        error instanceof GitError &&
        /Authentication failed|could not read Username|HTTP 401/i.test(error.stderr)
      ) {
        throw new IndexRefusedError(
          remote.authenticated
            ? `the forge refused the source's credentials for git: ${error.message}`
            : `the forge requires credentials for git and the source has none: ${error.message}`,
        );
      }
      throw error;
    }
  }

  /** What changed between the indexed commit and the new one; everything when there is none. */
  private async plan(mirror: string, before: string | undefined, commit: string): Promise<RefPlan> {
    if (before && !ZERO_SHA.test(before) && (await this.related(mirror, before, commit))) {
      const raw = splitNul(
        await git(['diff-tree', '-r', '-z', '--no-commit-id', '-M', '--raw', before, commit], {
          gitDir: mirror,
        }),
      );
      const upserts: Array<{ path: string; sha: string; mode: string }> = [];
      const removed: string[] = [];
      let attributesChanged = false;
      for (let i = 0; i < raw.length;) {
        // :<old mode> <new mode> <old sha> <new sha> <status>, then one path (two for R and C)
        const [, newMode, , newSha, status] = raw[i].slice(1).split(' ');
        const letter = status[0];
        const paths = letter === 'R' || letter === 'C' ? [raw[i + 1], raw[i + 2]] : [raw[i + 1]];
        i += 1 + paths.length;
        const target = paths[paths.length - 1];
        if (paths.some((p) => p === '.gitattributes' || p.endsWith('/.gitattributes')))
          attributesChanged = true;
        if (letter === 'D') {
          removed.push(target);
          continue;
        }
        if (letter === 'R') removed.push(paths[0]);
        upserts.push({ path: target, sha: newSha, mode: newMode });
      }
      // Attributes decide what is generated or vendored in every directory they cover.
      if (attributesChanged) return this.fullPlan(mirror, commit);
      const sizes = await this.sizes(
        mirror,
        upserts.map((u) => u.sha),
      );
      const entries: Entry[] = [];
      for (const u of upserts) {
        if (u.mode === '160000' || u.mode === '120000') {
          removed.push(u.path); // submodules and symbolic links hold no content of their own
        } else {
          entries.push({ path: u.path, sha: u.sha, size: sizes.get(u.sha) ?? 0 });
        }
      }
      return { full: false, upserts: entries, removed };
    }
    return this.fullPlan(mirror, commit);
  }

  private async fullPlan(mirror: string, commit: string): Promise<RefPlan> {
    const upserts: Entry[] = [];
    for (const line of splitNul(
      await git(['ls-tree', '-r', '-z', '--long', commit], { gitDir: mirror }),
    )) {
      // <mode> SP <type> SP <sha> SP+ <size> TAB <path>
      const tab = line.indexOf('\t');
      const [mode, type, sha, size] = line.slice(0, tab).split(/ +/);
      if (type !== 'blob' || mode === '120000') continue;
      upserts.push({ path: line.slice(tab + 1), sha, size: Number(size) });
    }
    return { full: true, upserts, removed: [] };
  }

  /** Whether the two commits share history (a force push that rewrote all of it does not). */
  private async related(mirror: string, before: string, commit: string): Promise<boolean> {
    try {
      await git(['merge-base', before, commit], { gitDir: mirror });
      return true;
    } catch (error) {
      if (error instanceof GitError) return false; // no common ancestor, or the old commit is gone
      throw error;
    }
  }

  private async sizes(mirror: string, shas: string[]): Promise<Map<string, number>> {
    const sizes = new Map<string, number>();
    if (shas.length === 0) return sizes;
    const out = await git(['cat-file', '--batch-check=%(objectname) %(objectsize)'], {
      gitDir: mirror,
      input: `${shas.join('\n')}\n`,
    });
    for (const line of out.toString('utf8').split('\n')) {
      const [sha, size] = line.split(' ');
      if (sha && size) sizes.set(sha, Number(size));
    }
    return sizes;
  }

  /**
   * Decides each path's fate (excluded, generated, vendored, too large, binary, or indexed)
   * and stores the blobs the index lacks. Answers the rows to switch in and how many blobs
   * were read from git.
   */
  private async prepare(
    mirror: string,
    commit: string,
    entries: Entry[],
    onProgress: (done: number, total: number) => Promise<void>,
  ): Promise<{ files: FileRow[]; blobsRead: number }> {
    const reasons = new Map<string, string>();
    const candidates: Entry[] = [];
    for (const entry of entries) {
      if (this.excluded.matches(entry.path)) reasons.set(entry.path, 'excluded');
      else candidates.push(entry);
    }
    for (const [path, reason] of await this.attributes(
      mirror,
      commit,
      candidates.map((c) => c.path),
    )) {
      reasons.set(path, reason);
    }
    const max = this.config.indexing.maxFileBytes;
    const wanted = candidates.filter((c) => {
      if (reasons.has(c.path)) return false;
      if (c.size > max) {
        reasons.set(c.path, 'too_large');
        return false;
      }
      return true;
    });
    const known = await this.store.existingBlobs([...new Set(wanted.map((w) => w.sha))]);
    const toRead = new Map<string, Entry>();
    for (const w of wanted) if (!known.has(w.sha) && !toRead.has(w.sha)) toRead.set(w.sha, w);
    const binary = await this.readAndStore(mirror, [...toRead.values()], onProgress);
    const files: FileRow[] = entries.map((e) => {
      const reason = reasons.get(e.path) ?? (binary.has(e.sha) ? 'binary' : undefined);
      return reason
        ? { path: e.path, blobSha: null, language: null, bytes: e.size, skippedReason: reason }
        : {
            path: e.path,
            blobSha: e.sha,
            language: languageOf(e.path),
            bytes: e.size,
            skippedReason: null,
          };
    });
    return { files, blobsRead: toRead.size };
  }

  /** linguist-generated and linguist-vendored from the commit's .gitattributes files. */
  private async attributes(
    mirror: string,
    commit: string,
    paths: string[],
  ): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    if (paths.length === 0) return found;
    const scratch = await mkdtemp(join(tmpdir(), 'hookyard-attr-'));
    try {
      const env = { GIT_INDEX_FILE: join(scratch, 'index') };
      await git(['read-tree', commit], { gitDir: mirror, env });
      const out = splitNul(
        await git(
          ['check-attr', '--cached', '-z', '--stdin', 'linguist-generated', 'linguist-vendored'],
          {
            gitDir: mirror,
            env,
            input: `${paths.join('\0')}\0`,
          },
        ),
      );
      for (let i = 0; i + 2 < out.length; i += 3) {
        const [path, attribute, value] = [out[i], out[i + 1], out[i + 2]];
        if (value === 'set' || value === 'true') {
          found.set(path, attribute === 'linguist-generated' ? 'generated' : 'vendored');
        }
      }
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
    return found;
  }

  /** Reads blobs from git in batches, writing one batch while git reads the next. Answers the binary ones. */
  private async readAndStore(
    mirror: string,
    entries: Entry[],
    onProgress: (done: number, total: number) => Promise<void>,
  ): Promise<Set<string>> {
    const binary = new Set<string>();
    const batches: Entry[][] = [];
    let current: Entry[] = [];
    let bytes = 0;
    for (const entry of entries) {
      current.push(entry);
      bytes += entry.size;
      if (bytes >= READ_BATCH_BYTES) {
        batches.push(current);
        current = [];
        bytes = 0;
      }
    }
    if (current.length > 0) batches.push(current);
    // Both run ahead of the loop that awaits them: each gets a handler at once, so that a
    // failure while the loop waits for the other is not an unhandled rejection. Awaiting the
    // promise itself still throws.
    const ahead = <T>(promise: Promise<T>): Promise<T> => {
      promise.catch(() => undefined);
      return promise;
    };
    const read = (batch: Entry[]): Promise<BlobContent[]> => {
      const out: BlobContent[] = [];
      return ahead(
        readBlobs(
          mirror,
          batch.map((e) => e.sha),
          (blob) => out.push(blob),
        ).then(() => out),
      );
    };
    let done = 0;
    let next = batches.length > 0 ? read(batches[0]) : undefined;
    let storing: Promise<void> = Promise.resolve();
    for (let b = 0; b < batches.length; b++) {
      const blobs = await (next as Promise<BlobContent[]>);
      next = b + 1 < batches.length ? read(batches[b + 1]) : undefined;
      const pathOf = new Map(batches[b].map((e) => [e.sha, e.path]));
      const rows: BlobRow[] = [];
      for (const blob of blobs) {
        if (blob.content.includes(0)) {
          binary.add(blob.sha);
          continue;
        }
        const content = blob.content.toString('utf8');
        const language = languageOf(pathOf.get(blob.sha) ?? '');
        rows.push({
          sha: blob.sha,
          content,
          bytes: blob.content.length,
          language,
          symbols:
            isSymbolLanguage(language) && !looksMinified(content)
              ? await this.symbols.extract(language, content)
              : [],
        });
      }
      // PostgreSQL indexes this batch (on its own core) while the next one is parsed here.
      await storing;
      storing = ahead(this.store.storeBlobs(rows));
      done += blobs.length;
      await onProgress(done, entries.length);
    }
    await storing;
    return binary;
  }
}
