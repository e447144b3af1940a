import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, renameSync, unlinkSync } from 'node:fs';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { LOOPBACK } from './harness';

/**
 * A real git server on loopback: `git http-backend` (smart HTTP, as forges serve it) behind a
 * small node:http server that speaks CGI to it. Repositories are bare directories under a
 * temporary root; tests commit in a working clone and push to them with real git.
 */
export class GitServer {
  /** Authorization headers of the requests served, in order (to check what clients sent). */
  readonly authorizations: Array<string | undefined> = [];
  /** Paths of the requests served. */
  readonly requests: string[] = [];

  private constructor(
    private readonly server: Server,
    readonly root: string,
    readonly url: string,
    private readonly requiredAuthorization: string | undefined,
  ) {}

  static async start(options: { requireAuthorization?: string } = {}): Promise<GitServer> {
    const root = mkdtempSync(join(tmpdir(), 'hookyard-git-server-'));
    const holder: { server?: GitServer } = {};
    const server = createServer((req, res) => {
      holder.server?.handle(req, res);
    });
    await new Promise<void>((done) => server.listen(0, LOOPBACK, done));
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    holder.server = new GitServer(
      server,
      root,
      `http://${LOOPBACK}:${port}`,
      options.requireAuthorization,
    );
    return holder.server;
  }

  /** A new bare repository `fullName` and a working clone to commit in. */
  createRepository(fullName: string): WorkingCopy {
    const bare = join(this.root, `${fullName}.git`);
    mkdirSync(dirname(bare), { recursive: true });
    runGit(['init', '--quiet', '--bare', '--initial-branch=main', bare]);
    const work = mkdtempSync(join(tmpdir(), 'hookyard-git-work-'));
    runGit(['init', '--quiet', '--initial-branch=main', work]);
    return new WorkingCopy(work, bare);
  }

  async close(): Promise<void> {
    await new Promise<void>((done) => this.server.close(() => done()));
    rmSync(this.root, { recursive: true, force: true });
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', this.url);
    this.requests.push(url.pathname);
    this.authorizations.push(req.headers.authorization);
    if (this.requiredAuthorization && req.headers.authorization !== this.requiredAuthorization) {
      res.writeHead(401, { 'www-authenticate': 'Basic realm="git"' }).end();
      return;
    }
    const body: Buffer[] = [];
    req.on('data', (chunk: Buffer) => body.push(chunk));
    req.on('end', () => {
      const input = Buffer.concat(body);
      const child = spawn('git', ['http-backend'], {
        env: {
          PATH: process.env.PATH,
          GIT_PROJECT_ROOT: this.root,
          GIT_HTTP_EXPORT_ALL: '1',
          GIT_CONFIG_NOSYSTEM: '1',
          GIT_CONFIG_GLOBAL: '/dev/null',
          REQUEST_METHOD: req.method ?? 'GET',
          PATH_INFO: decodeURIComponent(url.pathname),
          QUERY_STRING: url.search.slice(1),
          CONTENT_TYPE: req.headers['content-type'] ?? '',
          CONTENT_LENGTH: String(input.length),
          HTTP_CONTENT_ENCODING: req.headers['content-encoding'] ?? '',
          GIT_PROTOCOL: String(req.headers['git-protocol'] ?? ''),
          REMOTE_ADDR: LOOPBACK,
        },
      });
      const out: Buffer[] = [];
      child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
      child.stderr.resume();
      child.on('close', () => {
        const raw = Buffer.concat(out);
        const split = raw.indexOf('\r\n\r\n');
        const headerEnd = split >= 0 ? split : raw.indexOf('\n\n');
        const headerText = raw.subarray(0, headerEnd).toString('latin1');
        const payload = raw.subarray(headerEnd + (split >= 0 ? 4 : 2));
        let status = 200;
        const headers: Record<string, string> = {};
        for (const line of headerText.split(/\r?\n/)) {
          const colon = line.indexOf(':');
          if (colon < 0) continue;
          const name = line.slice(0, colon).trim();
          const value = line.slice(colon + 1).trim();
          if (name.toLowerCase() === 'status') status = Number(value.split(' ')[0]);
          else headers[name] = value;
        }
        res.writeHead(status, headers).end(payload);
      });
      // http-backend may answer and exit before reading all of a request body (an upload-pack
      // negotiation it has finished with): the pipe then closes under us. What it printed is
      // the answer; the EPIPE is not an error of the request.
      child.stdin.on('error', (error: NodeJS.ErrnoException) => {
        if (error.code !== 'EPIPE') throw error;
      });
      child.stdin.end(input);
    });
  }
}

const AUTHOR = {
  GIT_AUTHOR_NAME: 'Test Author',
  GIT_AUTHOR_EMAIL: 'author@example.com',
  GIT_COMMITTER_NAME: 'Test Author',
  GIT_COMMITTER_EMAIL: 'author@example.com',
};

function runGit(args: string[], cwd?: string): string {
  return execFileSync('git', args, {
    cwd,
    env: { PATH: process.env.PATH, HOME: tmpdir(), GIT_CONFIG_NOSYSTEM: '1', ...AUTHOR },
    encoding: 'utf8',
    maxBuffer: 1024 * 1024 * 1024,
  }).trim();
}

/** A working clone: write, move and delete files, commit, push (or force-push) to the server. */
export class WorkingCopy {
  constructor(
    readonly dir: string,
    readonly bare: string,
  ) {}

  write(path: string, content: string | Buffer): this {
    mkdirSync(dirname(join(this.dir, path)), { recursive: true });
    writeFileSync(join(this.dir, path), content);
    return this;
  }

  move(from: string, to: string): this {
    mkdirSync(dirname(join(this.dir, to)), { recursive: true });
    renameSync(join(this.dir, from), join(this.dir, to));
    return this;
  }

  remove(path: string): this {
    unlinkSync(join(this.dir, path));
    return this;
  }

  /** Commits everything and answers the commit SHA. */
  commit(message: string): string {
    runGit(['add', '-A'], this.dir);
    runGit(['commit', '--quiet', '--allow-empty', '-m', message], this.dir);
    return this.head();
  }

  head(): string {
    return runGit(['rev-parse', 'HEAD'], this.dir);
  }

  /** Starts history anew: an orphan branch with no common ancestor (for a force push). */
  restartHistory(): this {
    runGit(['checkout', '--quiet', '--orphan', 'rewritten'], this.dir);
    runGit(['rm', '-r', '--quiet', '--cached', '.'], this.dir);
    runGit(['clean', '-fdq'], this.dir);
    return this;
  }

  /** Switches to `branch`, creating it at HEAD when it does not exist yet. */
  checkout(branch: string): this {
    const exists = runGit(['branch', '--list', branch], this.dir) !== '';
    runGit(['checkout', '--quiet', ...(exists ? [] : ['-b']), branch], this.dir);
    return this;
  }

  /** Pushes HEAD to `branch` on the server (main unless said). */
  push(options: { force?: boolean; branch?: string } = {}): void {
    runGit(
      [
        'push',
        '--quiet',
        ...(options.force ? ['--force'] : []),
        this.bare,
        `HEAD:refs/heads/${options.branch ?? 'main'}`,
      ],
      this.dir,
    );
  }

  /** Deletes a branch on the server, as `git push --delete` does. */
  deleteRemoteBranch(branch: string): void {
    runGit(['push', '--quiet', this.bare, '--delete', `refs/heads/${branch}`], this.dir);
  }

  /** Blob SHA of a path at HEAD. */
  blob(path: string): string {
    return runGit(['rev-parse', `HEAD:${path}`], this.dir);
  }

  /** `git grep` over the working tree: what a search should find, by the reference tool. */
  grep(args: string[]): string {
    try {
      return runGit(['grep', ...args], this.dir);
    } catch {
      return '';
    }
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
