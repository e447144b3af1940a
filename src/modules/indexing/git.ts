import { spawn } from 'node:child_process';

/** Configuration passed to one git command through GIT_CONFIG_* (never on the command line). */
export type GitConfigEntries = ReadonlyArray<readonly [key: string, value: string]>;

export interface GitOptions {
  /** Bare repository to run in (`--git-dir`). */
  gitDir?: string;
  /** Extra configuration; values are invisible in process lists and never logged. */
  config?: GitConfigEntries;
  /** Extra environment, e.g. GIT_INDEX_FILE. */
  env?: Record<string, string>;
  input?: string | Buffer;
}

/** A git command that exited non-zero. The message carries git's own words, never config values. */
export class GitError extends Error {
  constructor(
    readonly args: readonly string[],
    readonly exitCode: number | null,
    readonly stderr: string,
  ) {
    super(
      `git ${args[0] ?? ''} failed (exit ${exitCode ?? 'signal'}): ${stderr.trim().slice(0, 500)}`,
    );
    this.name = 'GitError';
  }
}

/**
 * The environment of every git command: no prompts, no user or system configuration, only
 * the network protocols a forge uses, and configuration entries through GIT_CONFIG_COUNT so
 * that an Authorization header never shows in `ps` or in an error message.
 */
export function gitEnvironment(options: GitOptions): NodeJS.ProcessEnv {
  const entries: GitConfigEntries = [['http.followRedirects', 'false'], ...(options.config ?? [])];
  const env: NodeJS.ProcessEnv = {
    // Not configuration: git and its helpers are found where this process finds programs.
    // eslint-disable-next-line no-restricted-properties
    PATH: process.env.PATH,
    HOME: '/nonexistent',
    LANG: 'C',
    GIT_TERMINAL_PROMPT: '0',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_ALLOW_PROTOCOL: 'http:https',
    GIT_CONFIG_COUNT: String(entries.length),
    ...options.env,
  };
  entries.forEach(([key, value], i) => {
    env[`GIT_CONFIG_KEY_${i}`] = key;
    env[`GIT_CONFIG_VALUE_${i}`] = value;
  });
  return env;
}

function argsWith(options: GitOptions, args: readonly string[]): string[] {
  return options.gitDir ? [`--git-dir=${options.gitDir}`, ...args] : [...args];
}

/** Runs git to completion and answers its standard output as bytes. */
export function git(args: readonly string[], options: GitOptions = {}): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', argsWith(options, args), {
      env: gitEnvironment(options),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(Buffer.concat(out));
      else reject(new GitError(args, code, Buffer.concat(err).toString('utf8')));
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input ?? '');
  });
}

/** NUL-separated output as strings, without the empty tail. */
export function splitNul(output: Buffer): string[] {
  const parts = output.toString('utf8').split('\0');
  if (parts.at(-1) === '') parts.pop();
  return parts;
}

export interface BlobContent {
  sha: string;
  content: Buffer;
}

/**
 * Reads many blobs through one `git cat-file --batch`, in the order asked, calling `onBlob`
 * for each as it arrives (so the caller can write in batches while git keeps reading).
 */
export function readBlobs(
  gitDir: string,
  shas: readonly string[],
  onBlob: (blob: BlobContent) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', [`--git-dir=${gitDir}`, 'cat-file', '--batch'], {
      env: gitEnvironment({}),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let pending: Buffer = Buffer.alloc(0);
    let want: { sha: string; size: number } | undefined;
    let failure: Error | undefined;
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      for (;;) {
        if (!want) {
          const newline = pending.indexOf(10);
          if (newline < 0) return;
          const header = pending.subarray(0, newline).toString('utf8');
          pending = pending.subarray(newline + 1);
          const [sha, type, size] = header.split(' ');
          if (type !== 'blob') {
            failure ??= new Error(`git cat-file: ${header}`);
            continue;
          }
          want = { sha, size: Number(size) };
        }
        if (pending.length < want.size + 1) return;
        const content = Buffer.from(pending.subarray(0, want.size));
        pending = pending.subarray(want.size + 1);
        const sha = want.sha;
        want = undefined;
        try {
          onBlob({ sha, content });
        } catch (error) {
          failure ??= error instanceof Error ? error : new Error(String(error));
        }
      }
    });
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      if (failure) reject(failure);
      else if (code !== 0)
        reject(new GitError(['cat-file'], code, Buffer.concat(err).toString('utf8')));
      else resolve();
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(shas.length > 0 ? `${shas.join('\n')}\n` : '');
  });
}
