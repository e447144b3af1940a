import { createPublicKey, randomUUID, verify } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import {
  FAKE_TIME,
  githubAuthenticatedUser,
  githubComment,
  githubPull,
  githubJob,
  githubStatus,
  githubUser,
  StoredComment,
  StoredRunJob,
  StoredStatus,
} from './github-objects';
import { hubSignature } from '../signing';
import {
  bitbucketPage,
  bitbucketPipeline,
  bitbucketStep,
  giteaJob,
  StoredPipeline,
} from './ci-objects';

/**
 * A fake forge for tests: a real HTTP server on loopback serving the subset of the GitHub
 * (GHES-style under /api/v3), GitLab (/api/v4), Gitea (/api/v1) and Bitbucket (/2.0) REST APIs
 * Hookyard calls, with state (comments, statuses, hook deliveries, installation tokens),
 * rate-limit headers, and injectable failures (429 with Retry-After, 5xx, slow answers).
 */

export interface Injection {
  method?: string;
  path: RegExp;
  status?: number;
  headers?: Record<string, string>;
  body?: unknown;
  /** Answer late (after doing the work, if `status` is not set). */
  delayMs?: number;
  times: number;
}

export interface RecordedRequest {
  method: string;
  path: string;
  authorization: string | undefined;
}

export interface GitHubDelivery {
  id: number;
  guid: string;
  hookId: number;
  event: string;
  action: string | null;
  payload: string;
  deliveredAt: string;
  statusCode: number;
  redelivery: boolean;
}

export interface GitLabHookEvent {
  id: number;
  projectId: number;
  hookId: number;
  trigger: string;
  eventName: string;
  uuid: string;
  payload: string;
  responseStatus: string;
}

interface HookTarget {
  url: string;
  secret: string;
}

type Handler = (req: Ctx) => Promise<Reply> | Reply;
interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}
interface Ctx {
  method: string;
  path: string;
  query: URLSearchParams;
  params: string[];
  body: Record<string, unknown>;
  auth: string | undefined;
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}): Reply => ({
  status,
  body,
  headers,
});

const text = (value: unknown, fallback: string): string =>
  typeof value === 'string' ? value : fallback;

function decodeJwtPart(part: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;
}

export class FakeForge {
  private server: Server | undefined;
  url = '';
  readonly requests: RecordedRequest[] = [];
  private readonly injections: Injection[] = [];
  private nextId = 1000;

  /** Tokens accepted for API calls, and the login each acts as. */
  readonly tokens = new Map<string, string>();
  /** GitHub App: id and PEM public key (JWTs are verified with it). */
  app: { id: string; slug: string; publicKey: string } | undefined;
  installationTokenLifetimeMs = 60 * 60_000;
  readonly installationTokens = new Map<string, number>();
  mintedTokens = 0;
  rateLimit = { limit: 5000, remaining: 5000 };

  readonly comments = new Map<string, StoredComment[]>();
  readonly statuses: StoredStatus[] = [];
  readonly jobLogs = new Map<string, string>();
  /** Where a job-log request is redirected (GitHub): default the fake's own /_logs. */
  logRedirect: ((jobId: string) => string) | undefined;
  readonly pullsByCommit = new Map<string, number[]>();
  /** GitLab pipelines' test reports (the API's JSON), by pipeline id; absent = 404. */
  readonly testReports = new Map<number, unknown>();
  /** The jobs of CI runs (GitHub workflow runs, GitLab pipelines, Gitea runs), by run id. */
  readonly runJobs = new Map<number, StoredRunJob[]>();
  /** Bitbucket Pipelines builds by repository (workspace/slug), newest last. */
  readonly bitbucketPipelines = new Map<string, StoredPipeline[]>();
  /** Where a Bitbucket step-log request is redirected: default the fake's own /_step-logs. */
  stepLogRedirect: ((stepUuid: string) => string) | undefined;

  readonly githubDeliveries: GitHubDelivery[] = [];
  readonly githubHookTargets = new Map<number, HookTarget>();
  readonly gitlabHooks: Array<{ id: number; projectId: number; url: string; token: string }> = [];
  readonly gitlabEvents: GitLabHookEvent[] = [];

  private readonly routes: Array<{ method: string; pattern: RegExp; handler: Handler }> = [];

  constructor() {
    this.github();
    this.gitlab();
    this.gitea();
    this.bitbucket();
    this.route('GET', /^\/_step-logs\/([^/]+)$/, (c) => ({
      status: 200,
      body: this.jobLogs.get(c.params[0] ?? '') ?? '',
      headers: { 'content-type': 'application/octet-stream' },
    }));
    this.route('GET', /^\/_logs\/(\d+)$/, (c) => ({
      status: 200,
      body: this.jobLogs.get(c.params[0] ?? '') ?? '',
      headers: { 'content-type': 'text/plain' },
    }));
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  inject(injection: Injection): void {
    this.injections.push(injection);
  }

  nextIdentifier(): number {
    this.nextId += 1;
    return this.nextId;
  }

  commentsOn(forge: string, repo: string, pr: number): StoredComment[] {
    const key = `${forge}:${repo}:${pr}`;
    let list = this.comments.get(key);
    if (!list) {
      list = [];
      this.comments.set(key, list);
    }
    return list;
  }

  private route(method: string, pattern: RegExp, handler: Handler): void {
    this.routes.push({ method, pattern, handler });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', this.url);
    const method = req.method ?? 'GET';
    this.requests.push({ method, path: url.pathname, authorization: req.headers.authorization });
    const injection = this.injections.find(
      (i) => i.times > 0 && (!i.method || i.method === method) && i.path.test(url.pathname),
    );
    if (injection) injection.times -= 1;
    if (injection?.status !== undefined) {
      if (injection.delayMs) await new Promise((r) => setTimeout(r, injection.delayMs));
      this.send(res, {
        status: injection.status,
        body: injection.body ?? { message: 'injected failure' },
        headers: injection.headers,
      });
      return;
    }
    let body: Record<string, unknown>;
    try {
      body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
    } catch {
      this.send(res, json(400, { message: 'Problems parsing JSON' }));
      return;
    }
    const match = this.routes
      .map((r) => ({ r, m: r.method === method ? r.pattern.exec(url.pathname) : null }))
      .find((x) => x.m !== null);
    let reply: Reply;
    if (!match?.m) {
      reply = json(404, { message: 'Not Found' });
    } else {
      try {
        reply = await match.r.handler({
          method,
          path: url.pathname,
          query: url.searchParams,
          params: match.m.slice(1).map((p) => decodeURIComponent(p)),
          body,
          auth: req.headers.authorization ?? (req.headers['private-token'] as string | undefined),
        });
      } catch (error) {
        reply = json(500, { message: (error as Error).message });
      }
    }
    // A slow answer after the work is done (a POST that "timed out" but succeeded).
    if (injection?.delayMs) await new Promise((r) => setTimeout(r, injection.delayMs));
    this.send(res, reply);
  }

  private send(res: ServerResponse, reply: Reply): void {
    if (res.destroyed) return;
    const headers: Record<string, string> = {
      'x-ratelimit-limit': String(this.rateLimit.limit),
      'x-ratelimit-remaining': String(this.rateLimit.remaining),
      'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600),
      ...reply.headers,
    };
    if (reply.body === undefined) {
      res.writeHead(reply.status, headers).end();
      return;
    }
    const text = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
    headers['content-type'] ??= typeof reply.body === 'string' ? 'text/plain' : 'application/json';
    res.writeHead(reply.status, headers).end(text);
  }

  // ---- authentication ---------------------------------------------------------------------

  /** The login a request acts as, or undefined when its credentials are not valid. */
  private who(auth: string | undefined): string | undefined {
    if (!auth) return undefined;
    const token = auth.replace(/^(token|bearer)\s+/i, '').trim();
    const login = this.tokens.get(token);
    if (login) return login;
    const expires = this.installationTokens.get(token);
    if (expires !== undefined && expires > Date.now() && this.app) return `${this.app.slug}[bot]`;
    return undefined;
  }

  /** A GitHub App JWT, verified with the App's public key (RS256), not expired. */
  private appFromJwt(auth: string | undefined): boolean {
    if (!this.app || !auth?.toLowerCase().startsWith('bearer ')) return false;
    const [header, payload, signature] = auth.slice(7).trim().split('.');
    if (!header || !payload || !signature) return false;
    const ok = verify(
      'RSA-SHA256',
      Buffer.from(`${header}.${payload}`),
      createPublicKey(this.app.publicKey),
      Buffer.from(signature, 'base64url'),
    );
    const claims = decodeJwtPart(payload);
    return ok && String(claims.iss) === this.app.id && Number(claims.exp) * 1000 > Date.now();
  }

  private unauthorized(): Reply {
    return json(401, {
      message: 'Bad credentials',
      documentation_url: 'https://docs.github.com/rest',
    });
  }

  // ---- GitHub ---------------------------------------------------------------------------------

  private github(): void {
    const R = '/api/v3/repos/([^/]+/[^/]+)';
    const user = (login: string) => githubUser(login, 1000 + login.length, this.url);
    const authed =
      (handler: (c: Ctx, login: string) => Reply | Promise<Reply>): Handler =>
      (c) => {
        const login = this.who(c.auth);
        if (!login) return this.unauthorized();
        this.rateLimit.remaining = Math.max(0, this.rateLimit.remaining - 1);
        return handler(c, login);
      };
    const asApp =
      (handler: (c: Ctx) => Reply | Promise<Reply>): Handler =>
      (c) =>
        this.appFromJwt(c.auth) ? handler(c) : this.unauthorized();

    this.route(
      'GET',
      /^\/api\/v3\/user$/,
      authed((_c, login) =>
        json(200, githubAuthenticatedUser(login, 1000 + login.length, this.url)),
      ),
    );
    this.route(
      'GET',
      /^\/api\/v3\/app$/,
      asApp(() =>
        json(200, {
          id: Number(this.app?.id),
          slug: this.app?.slug,
          node_id: 'A_1',
          owner: user('acme'),
          name: this.app?.slug,
          description: null,
          external_url: this.url,
          html_url: `${this.url}/apps/${this.app?.slug}`,
          created_at: FAKE_TIME,
          updated_at: FAKE_TIME,
          permissions: { issues: 'write', statuses: 'write' },
          events: ['push'],
        }),
      ),
    );
    const installation = (id: number) => ({
      id,
      account: user('acme'),
      repository_selection: 'all',
      access_tokens_url: `${this.url}/api/v3/app/installations/${id}/access_tokens`,
      repositories_url: `${this.url}/api/v3/installation/repositories`,
      html_url: `${this.url}/settings/installations/${id}`,
      app_id: Number(this.app?.id),
      target_id: 1,
      target_type: 'Organization',
      permissions: { issues: 'write', statuses: 'write' },
      events: ['push'],
      created_at: FAKE_TIME,
      updated_at: FAKE_TIME,
      single_file_name: null,
      app_slug: this.app?.slug ?? 'app',
      suspended_by: null,
      suspended_at: null,
    });
    this.route(
      'GET',
      new RegExp(`^${R}/installation$`),
      asApp(() => json(200, installation(42))),
    );
    this.route(
      'GET',
      /^\/api\/v3\/orgs\/([^/]+)\/installation$/,
      asApp(() => json(200, installation(42))),
    );
    this.route(
      'POST',
      /^\/api\/v3\/app\/installations\/(\d+)\/access_tokens$/,
      asApp(() => {
        const token = `ghs_${randomUUID().replaceAll('-', '')}`;
        const expires = Date.now() + this.installationTokenLifetimeMs;
        this.installationTokens.set(token, expires);
        this.mintedTokens += 1;
        return json(201, {
          token,
          expires_at: new Date(expires).toISOString().replace(/\.\d{3}Z$/, 'Z'),
          permissions: { issues: 'write', statuses: 'write' },
          repository_selection: 'all',
        });
      }),
    );
    this.route(
      'GET',
      new RegExp(`^${R}/actions/jobs/(\\d+)/logs$`),
      authed((c) => {
        const jobId = c.params[1] ?? '';
        if (!this.jobLogs.has(jobId)) return json(404, { message: 'Not Found' });
        const location = this.logRedirect?.(jobId) ?? `${this.url}/_logs/${jobId}`;
        return { status: 302, headers: { location } };
      }),
    );
    this.route(
      'GET',
      new RegExp(`^${R}/actions/runs/(\\d+)/jobs$`),
      authed((c) => {
        const repo = c.params[0] ?? '';
        const jobs = this.runJobs.get(Number(c.params[1])) ?? [];
        return json(200, {
          total_count: jobs.length,
          jobs: jobs.map((job) => githubJob(job, repo, this.url)),
        });
      }),
    );
    this.route(
      'GET',
      new RegExp(`^${R}/commits/([0-9a-f]{7,40})/pulls$`),
      authed((c) => {
        const repo = c.params[0] ?? '';
        const numbers = this.pullsByCommit.get(`${repo}@${c.params[1]}`) ?? [];
        return json(
          200,
          numbers.map((n) => githubPull(repo, n, this.url)),
        );
      }),
    );
    this.route(
      'GET',
      new RegExp(`^${R}/issues/(\\d+)/comments$`),
      authed((c) => {
        const repo = c.params[0] ?? '';
        const pr = Number(c.params[1]);
        const all = this.commentsOn('github', repo, pr);
        const perPage = Number(c.query.get('per_page') ?? 30);
        const page = Number(c.query.get('page') ?? 1);
        const items = all.slice((page - 1) * perPage, page * perPage);
        const headers: Record<string, string> = {};
        if (page * perPage < all.length) {
          headers.link = `<${this.url}${c.path}?per_page=${perPage}&page=${page + 1}>; rel="next"`;
        }
        return json(
          200,
          items.map((comment) => githubComment(comment, repo, pr, this.url)),
          headers,
        );
      }),
    );
    this.route(
      'POST',
      new RegExp(`^${R}/issues/(\\d+)/comments$`),
      authed((c, login) => {
        const repo = c.params[0] ?? '';
        const pr = Number(c.params[1]);
        if (typeof c.body.body !== 'string') return json(422, { message: 'Validation Failed' });
        const comment: StoredComment = {
          id: this.nextIdentifier(),
          body: c.body.body,
          login,
          createdAt: FAKE_TIME,
          updatedAt: FAKE_TIME,
        };
        this.commentsOn('github', repo, pr).push(comment);
        return json(201, githubComment(comment, repo, pr, this.url));
      }),
    );
    this.route(
      'PATCH',
      new RegExp(`^${R}/issues/comments/(\\d+)$`),
      authed((c) => {
        const repo = c.params[0] ?? '';
        for (const [key, list] of this.comments) {
          if (!key.startsWith(`github:${repo}:`)) continue;
          const comment = list.find((x) => x.id === Number(c.params[1]));
          if (comment && typeof c.body.body === 'string') {
            comment.body = c.body.body;
            comment.updatedAt = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
            return json(200, githubComment(comment, repo, Number(key.split(':')[2]), this.url));
          }
        }
        return json(404, { message: 'Not Found' });
      }),
    );
    this.route(
      'POST',
      new RegExp(`^${R}/statuses/([0-9a-f]{40})$`),
      authed((c) => {
        const status: StoredStatus = {
          id: this.nextIdentifier(),
          forge: 'github',
          repo: c.params[0] ?? '',
          sha: c.params[1] ?? '',
          state: String(c.body.state),
          context: text(c.body.context, 'default'),
          description: typeof c.body.description === 'string' ? c.body.description : null,
          targetUrl: typeof c.body.target_url === 'string' ? c.body.target_url : null,
        };
        if (!['error', 'failure', 'pending', 'success'].includes(status.state)) {
          return json(422, { message: 'Validation Failed' });
        }
        this.statuses.push(status);
        return json(201, githubStatus(status, this.url));
      }),
    );
    const deliveriesOf = (hookId: number, c: Ctx): Reply => {
      const perPage = Number(c.query.get('per_page') ?? 30);
      const cursor = c.query.get('cursor');
      const newestFirst = this.githubDeliveries
        .filter((d) => d.hookId === hookId)
        .sort((a, b) => b.id - a.id);
      const start = cursor ? newestFirst.findIndex((d) => d.id < Number(cursor)) : 0;
      const page = start < 0 ? [] : newestFirst.slice(start, start + perPage);
      const headers: Record<string, string> = {};
      const last = page.at(-1);
      if (last && newestFirst.some((d) => d.id < last.id)) {
        headers.link = `<${this.url}${c.path}?per_page=${perPage}&cursor=${last.id}>; rel="next"`;
      }
      return json(
        200,
        page.map((d) => ({
          id: d.id,
          guid: d.guid,
          delivered_at: d.deliveredAt,
          redelivery: d.redelivery,
          duration: 0.05,
          status: d.statusCode >= 200 && d.statusCode < 300 ? 'OK' : 'failed to connect',
          status_code: d.statusCode,
          event: d.event,
          action: d.action,
          installation_id: null,
          repository_id: 1,
        })),
        headers,
      );
    };
    this.route(
      'GET',
      new RegExp(`^${R}/hooks/(\\d+)/deliveries$`),
      authed((c) => deliveriesOf(Number(c.params[1]), c)),
    );
    this.route(
      'POST',
      new RegExp(`^${R}/hooks/(\\d+)/deliveries/(\\d+)/attempts$`),
      authed(async (c) => {
        const original = this.githubDeliveries.find((d) => d.id === Number(c.params[2]));
        if (!original || original.hookId !== Number(c.params[1])) {
          return json(404, { message: 'Not Found' });
        }
        await this.deliverGitHub(original.hookId, original.event, original.payload, {
          guid: original.guid,
          redelivery: true,
          action: original.action,
        });
        return json(202, {});
      }),
    );
  }

  /**
   * Sends a GitHub delivery to the hook's target (signed like GitHub), and records it as
   * GitHub would: with the status code, or 0 when the target could not be reached.
   */
  async deliverGitHub(
    hookId: number,
    event: string,
    payload: string,
    options: { guid?: string; redelivery?: boolean; action?: string | null } = {},
  ): Promise<GitHubDelivery> {
    const target = this.githubHookTargets.get(hookId);
    const guid = options.guid ?? randomUUID();
    let statusCode = 0;
    if (target) {
      try {
        const response = await fetch(target.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'x-github-event': event,
            'x-github-delivery': guid,
            'x-github-hook-id': String(hookId),
            'x-github-hook-installation-target-type': 'repository',
            'x-hub-signature-256': hubSignature(payload, target.secret),
          },
          body: payload,
        });
        await response.text();
        statusCode = response.status;
      } catch {
        statusCode = 0;
      }
    }
    const delivery: GitHubDelivery = {
      id: this.nextIdentifier(),
      guid,
      hookId,
      event,
      action: options.action ?? null,
      payload,
      deliveredAt: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
      statusCode,
      redelivery: options.redelivery ?? false,
    };
    this.githubDeliveries.push(delivery);
    return delivery;
  }

  // ---- GitLab (https://docs.gitlab.com/api/) ---------------------------------------------------

  private gitlab(): void {
    const P = '/api/v4/projects/([^/]+)';
    const authed =
      (handler: (c: Ctx, login: string) => Reply | Promise<Reply>): Handler =>
      (c) => {
        const login = this.who(c.auth);
        if (!login) return json(401, { message: '401 Unauthorized' });
        this.rateLimit.remaining = Math.max(0, this.rateLimit.remaining - 1);
        return handler(c, login);
      };
    const glUser = (login: string) => ({
      id: 1000 + login.length,
      username: login,
      name: login,
      state: 'active',
      avatar_url: null,
      web_url: `${this.url}/${login}`,
    });
    const note = (n: StoredComment) => ({
      id: n.id,
      type: null,
      body: n.body,
      author: glUser(n.login),
      created_at: n.createdAt,
      updated_at: n.updatedAt,
      system: false,
      noteable_type: 'MergeRequest',
    });
    this.route(
      'GET',
      /^\/api\/v4\/user$/,
      authed((_c, login) => json(200, glUser(login))),
    );
    this.route(
      'GET',
      new RegExp(`^${P}/jobs/(\\d+)/trace$`),
      authed((c) => {
        const log = this.jobLogs.get(c.params[1] ?? '');
        return log === undefined
          ? json(404, { message: '404 Not found' })
          : { status: 200, body: log, headers: { 'content-type': 'text/plain' } };
      }),
    );
    this.route(
      'GET',
      new RegExp(`^${P}/pipelines/(\\d+)/test_report$`),
      authed((c) => {
        const report = this.testReports.get(Number(c.params[1]));
        return report === undefined ? json(404, { message: '404 Not found' }) : json(200, report);
      }),
    );
    const gitlabStatus = { success: 'success', failure: 'failed', cancelled: 'canceled' } as const;
    this.route(
      'GET',
      new RegExp(`^${P}/pipelines/(\\d+)/jobs$`),
      authed((c) => {
        const scopes = c.query.getAll('scope[]');
        const jobs = (this.runJobs.get(Number(c.params[1])) ?? [])
          .map((job) => ({ job, status: gitlabStatus[job.conclusion] }))
          .filter(({ status }) => scopes.length === 0 || scopes.includes(status));
        return json(
          200,
          jobs.map(({ job, status }) => ({
            id: job.id,
            name: job.name,
            stage: 'test',
            status,
            ref: job.branch,
            tag: false,
            allow_failure: job.allowFailure ?? false,
            created_at: FAKE_TIME,
            started_at: FAKE_TIME,
            finished_at: FAKE_TIME,
            web_url: `${this.url}/${c.params[0]}/-/jobs/${job.id}`,
            commit: { id: job.sha, short_id: job.sha.slice(0, 8) },
            pipeline: { id: job.runId, sha: job.sha, ref: job.branch, status: 'failed' },
            runner: { id: 1, description: 'shared-runner' },
          })),
          { 'x-page': '1', 'x-next-page': '' },
        );
      }),
    );
    this.route(
      'GET',
      new RegExp(`^${P}/repository/commits/([0-9a-f]+)/merge_requests$`),
      authed((c) => {
        const numbers = this.pullsByCommit.get(`${c.params[0]}@${c.params[1]}`) ?? [];
        return json(
          200,
          numbers.map((iid) => ({ id: iid + 100000, iid, state: 'opened', title: `MR ${iid}` })),
        );
      }),
    );
    this.route(
      'GET',
      new RegExp(`^${P}/merge_requests/(\\d+)/notes$`),
      authed((c) =>
        json(200, this.commentsOn('gitlab', c.params[0] ?? '', Number(c.params[1])).map(note)),
      ),
    );
    this.route(
      'POST',
      new RegExp(`^${P}/merge_requests/(\\d+)/notes$`),
      authed((c, login) => {
        if (typeof c.body.body !== 'string') return json(400, { message: 'body is missing' });
        const n: StoredComment = {
          id: this.nextIdentifier(),
          body: c.body.body,
          login,
          createdAt: FAKE_TIME,
          updatedAt: FAKE_TIME,
        };
        this.commentsOn('gitlab', c.params[0] ?? '', Number(c.params[1])).push(n);
        return json(201, note(n));
      }),
    );
    this.route(
      'PUT',
      new RegExp(`^${P}/merge_requests/(\\d+)/notes/(\\d+)$`),
      authed((c) => {
        const n = this.commentsOn('gitlab', c.params[0] ?? '', Number(c.params[1])).find(
          (x) => x.id === Number(c.params[2]),
        );
        if (!n || typeof c.body.body !== 'string') return json(404, { message: '404 Not found' });
        n.body = c.body.body;
        return json(200, note(n));
      }),
    );
    this.route(
      'POST',
      new RegExp(`^${P}/statuses/([0-9a-f]{40})$`),
      authed((c) => {
        const state = String(c.body.state);
        if (!['pending', 'running', 'success', 'failed', 'canceled', 'skipped'].includes(state)) {
          return json(400, { message: 'state does not have a valid value' });
        }
        const status: StoredStatus = {
          id: this.nextIdentifier(),
          forge: 'gitlab',
          repo: c.params[0] ?? '',
          sha: c.params[1] ?? '',
          state,
          context: text(c.body.name, 'default'),
          description: typeof c.body.description === 'string' ? c.body.description : null,
          targetUrl: typeof c.body.target_url === 'string' ? c.body.target_url : null,
        };
        this.statuses.push(status);
        return json(201, {
          id: status.id,
          sha: status.sha,
          status: state,
          name: status.context,
          description: status.description,
          target_url: status.targetUrl,
          created_at: FAKE_TIME,
        });
      }),
    );
    this.route(
      'GET',
      new RegExp(`^${P}/hooks$`),
      authed((c) =>
        json(
          200,
          this.gitlabHooks
            .filter((h) => String(h.projectId) === c.params[0])
            .map((h) => ({ id: h.id, url: h.url, project_id: h.projectId, push_events: true })),
        ),
      ),
    );
    this.route(
      'GET',
      new RegExp(`^${P}/hooks/(\\d+)/events$`),
      authed((c) => {
        const perPage = Number(c.query.get('per_page') ?? 20);
        const page = Number(c.query.get('page') ?? 1);
        const all = this.gitlabEvents
          .filter((e) => String(e.projectId) === c.params[0] && e.hookId === Number(c.params[1]))
          .sort((a, b) => b.id - a.id);
        const items = all.slice((page - 1) * perPage, page * perPage);
        const headers: Record<string, string> = {
          'x-page': String(page),
          'x-per-page': String(perPage),
          'x-next-page': page * perPage < all.length ? String(page + 1) : '',
        };
        return json(
          200,
          items.map((e) => ({
            id: e.id,
            url: this.gitlabHooks.find((h) => h.id === e.hookId)?.url,
            trigger: e.trigger,
            request_headers: {
              'Content-Type': 'application/json',
              'X-Gitlab-Event': e.eventName,
              'X-Gitlab-Event-UUID': e.uuid,
              'Idempotency-Key': e.uuid,
            },
            request_data: JSON.parse(e.payload) as unknown,
            response_headers: {},
            response_body: '',
            execution_duration: 0.05,
            response_status: e.responseStatus,
          })),
          headers,
        );
      }),
    );
    this.route(
      'POST',
      new RegExp(`^${P}/hooks/(\\d+)/events/(\\d+)/resend$`),
      authed(async (c) => {
        const event = this.gitlabEvents.find((e) => e.id === Number(c.params[2]));
        if (!event) return json(404, { message: '404 Not found' });
        await this.deliverGitLab(event.hookId, event.eventName, event.payload, event.uuid);
        return json(201, { response_status: 201 });
      }),
    );
  }

  /** Sends a GitLab hook event to the hook's URL with its token; records it like GitLab. */
  async deliverGitLab(
    hookId: number,
    eventName: string,
    payload: string,
    uuid: string = randomUUID(),
  ): Promise<GitLabHookEvent> {
    const hook = this.gitlabHooks.find((h) => h.id === hookId);
    if (!hook) throw new Error(`no GitLab hook ${hookId}`);
    let responseStatus: string;
    try {
      const response = await fetch(hook.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-gitlab-event': eventName,
          'x-gitlab-event-uuid': uuid,
          'idempotency-key': uuid,
          'x-gitlab-token': hook.token,
        },
        body: payload,
      });
      await response.text();
      responseStatus = String(response.status);
    } catch {
      responseStatus = 'internal error';
    }
    const event: GitLabHookEvent = {
      id: this.nextIdentifier(),
      projectId: hook.projectId,
      hookId,
      trigger: eventName.toLowerCase().replaceAll(' ', '_'),
      eventName,
      uuid,
      payload,
      responseStatus,
    };
    this.gitlabEvents.push(event);
    return event;
  }

  // ---- Gitea (/api/v1, https://gitea.com/api/swagger) ------------------------------------------

  private gitea(): void {
    const R = '/api/v1/repos/([^/]+/[^/]+)';
    const authed =
      (handler: (c: Ctx, login: string) => Reply): Handler =>
      (c) => {
        const login = this.who(c.auth);
        return login ? handler(c, login) : json(401, { message: 'token is required' });
      };
    const comment = (n: StoredComment) => ({
      id: n.id,
      body: n.body,
      user: { id: 1, login: n.login },
      created_at: n.createdAt,
      updated_at: n.updatedAt,
    });
    this.route(
      'GET',
      /^\/api\/v1\/user$/,
      authed((_c, login) => json(200, { id: 1, login })),
    );
    this.route(
      'GET',
      new RegExp(`^${R}/issues/(\\d+)/comments$`),
      authed((c) =>
        json(200, this.commentsOn('gitea', c.params[0] ?? '', Number(c.params[1])).map(comment)),
      ),
    );
    this.route(
      'POST',
      new RegExp(`^${R}/issues/(\\d+)/comments$`),
      authed((c, login) => {
        const n: StoredComment = {
          id: this.nextIdentifier(),
          body: String(c.body.body),
          login,
          createdAt: FAKE_TIME,
          updatedAt: FAKE_TIME,
        };
        this.commentsOn('gitea', c.params[0] ?? '', Number(c.params[1])).push(n);
        return json(201, comment(n));
      }),
    );
    this.route(
      'PATCH',
      new RegExp(`^${R}/issues/comments/(\\d+)$`),
      authed((c) => {
        for (const [key, list] of this.comments) {
          if (!key.startsWith(`gitea:${c.params[0]}:`)) continue;
          const n = list.find((x) => x.id === Number(c.params[1]));
          if (n) {
            n.body = String(c.body.body);
            return json(200, comment(n));
          }
        }
        return json(404, { message: 'not found' });
      }),
    );
    this.route(
      'POST',
      new RegExp(`^${R}/statuses/([0-9a-f]{40})$`),
      authed((c) => {
        const status: StoredStatus = {
          id: this.nextIdentifier(),
          forge: 'gitea',
          repo: c.params[0] ?? '',
          sha: c.params[1] ?? '',
          state: String(c.body.state),
          context: String(c.body.context),
          description: typeof c.body.description === 'string' ? c.body.description : null,
          targetUrl: typeof c.body.target_url === 'string' ? c.body.target_url : null,
        };
        this.statuses.push(status);
        return json(201, { id: status.id, status: status.state, context: status.context });
      }),
    );
    // Gitea Actions (1.25+): a run's jobs, a job's log, and the pull request of a commit.
    this.route(
      'GET',
      new RegExp(`^${R}/actions/runs/(\\d+)/jobs$`),
      authed((c) => {
        const jobs = this.runJobs.get(Number(c.params[1])) ?? [];
        const limit = Number(c.query.get('limit') ?? '30');
        const page = Number(c.query.get('page') ?? '1');
        const slice = jobs.slice((page - 1) * limit, page * limit);
        return json(200, {
          workflow_jobs: slice.map((job) => giteaJob(job, c.params[0] ?? '', this.url)),
          total_count: jobs.length,
        });
      }),
    );
    this.route(
      'GET',
      new RegExp(`^${R}/actions/jobs/(\\d+)/logs$`),
      authed((c) => {
        const log = this.jobLogs.get(c.params[1] ?? '');
        return log === undefined
          ? json(404, { message: 'job not found' })
          : { status: 200, body: log, headers: { 'content-type': 'text/plain; charset=utf-8' } };
      }),
    );
    this.route(
      'GET',
      new RegExp(`^${R}/commits/([0-9a-f]{40})/pull$`),
      authed((c) => {
        const [number] = this.pullsByCommit.get(`${c.params[0]}@${c.params[1]}`) ?? [];
        if (number === undefined) return json(404, { message: 'pull request not found' });
        return json(200, {
          id: number + 5000,
          number,
          state: 'open',
          title: `Change ${number}`,
          head: { ref: 'feature', sha: c.params[1] },
          base: { ref: 'main' },
        });
      }),
    );
  }

  // ---- Bitbucket Cloud (/2.0) --------------------------------------------------------------------

  private bitbucket(): void {
    const R = '/2.0/repositories/([^/]+/[^/]+)';
    const authed =
      (handler: (c: Ctx, login: string) => Reply): Handler =>
      (c) => {
        const login = this.who(c.auth);
        return login
          ? handler(c, login)
          : json(401, { type: 'error', error: { message: 'Unauthorized' } });
      };
    const comment = (n: StoredComment) => ({
      type: 'pullrequest_comment',
      id: n.id,
      content: { raw: n.body, markup: 'markdown', html: '' },
      user: { type: 'user', nickname: n.login, display_name: n.login },
      created_on: n.createdAt,
      updated_on: n.updatedAt,
    });
    this.route(
      'GET',
      /^\/2\.0\/user$/,
      authed((_c, login) => json(200, { type: 'user', nickname: login, display_name: login })),
    );
    this.route(
      'GET',
      new RegExp(`^${R}/pullrequests/(\\d+)/comments$`),
      authed((c) => {
        const values = this.commentsOn('bitbucket', c.params[0] ?? '', Number(c.params[1]));
        return json(200, {
          pagelen: 100,
          page: 1,
          size: values.length,
          values: values.map(comment),
        });
      }),
    );
    this.route(
      'POST',
      new RegExp(`^${R}/pullrequests/(\\d+)/comments$`),
      authed((c, login) => {
        const content = c.body.content as { raw?: unknown } | undefined;
        const n: StoredComment = {
          id: this.nextIdentifier(),
          body: String(content?.raw),
          login,
          createdAt: FAKE_TIME,
          updatedAt: FAKE_TIME,
        };
        this.commentsOn('bitbucket', c.params[0] ?? '', Number(c.params[1])).push(n);
        return json(201, comment(n));
      }),
    );
    this.route(
      'PUT',
      new RegExp(`^${R}/pullrequests/(\\d+)/comments/(\\d+)$`),
      authed((c) => {
        const n = this.commentsOn('bitbucket', c.params[0] ?? '', Number(c.params[1])).find(
          (x) => x.id === Number(c.params[2]),
        );
        const content = c.body.content as { raw?: unknown } | undefined;
        if (!n) return json(404, { type: 'error', error: { message: 'Not found' } });
        n.body = String(content?.raw);
        return json(200, comment(n));
      }),
    );
    this.route(
      'POST',
      new RegExp(`^${R}/commit/([0-9a-f]{40})/statuses/build$`),
      authed((c) => {
        const key = String(c.body.key);
        if (key.length > 40) {
          return json(400, { type: 'error', error: { message: 'key: too long' } });
        }
        if (typeof c.body.url !== 'string') {
          return json(400, { type: 'error', error: { message: 'url: required' } });
        }
        const status: StoredStatus = {
          id: this.nextIdentifier(),
          forge: 'bitbucket',
          repo: c.params[0] ?? '',
          sha: c.params[1] ?? '',
          state: String(c.body.state),
          context: key,
          description: typeof c.body.description === 'string' ? c.body.description : null,
          targetUrl: typeof c.body.url === 'string' ? c.body.url : null,
        };
        this.statuses.push(status);
        return json(201, { type: 'build', key, state: status.state });
      }),
    );
    // Pipelines: builds (newest first), a build's steps, a step's log (redirected), and the
    // pull requests of a commit.
    const pipelinesOf = (repo: string) => this.bitbucketPipelines.get(repo) ?? [];
    this.route(
      'GET',
      new RegExp(`^${R}/pipelines/?$`),
      authed((c) => {
        const repo = c.params[0] ?? '';
        const newest = [...pipelinesOf(repo)].reverse();
        return json(200, bitbucketPage(newest.map((p) => bitbucketPipeline(p, repo))));
      }),
    );
    this.route(
      'GET',
      new RegExp(`^${R}/pipelines/([^/]+)/steps/?$`),
      authed((c) => {
        const pipeline = pipelinesOf(c.params[0] ?? '').find((p) => p.uuid === c.params[1]);
        if (!pipeline) return json(404, { type: 'error', error: { message: 'Not found' } });
        return json(200, bitbucketPage(pipeline.steps.map((s) => bitbucketStep(pipeline, s))));
      }),
    );
    this.route(
      'GET',
      new RegExp(`^${R}/pipelines/([^/]+)/steps/([^/]+)/log$`),
      authed((c) => {
        const pipeline = pipelinesOf(c.params[0] ?? '').find((p) => p.uuid === c.params[1]);
        const step = c.params[2] ?? '';
        if (!pipeline?.steps.some((s) => s.uuid === step) || !this.jobLogs.has(step)) {
          return json(404, { type: 'error', error: { message: 'Not found' } });
        }
        const location =
          this.stepLogRedirect?.(step) ?? `${this.url}/_step-logs/${encodeURIComponent(step)}`;
        return { status: 307, headers: { location } };
      }),
    );
    this.route(
      'GET',
      new RegExp(`^${R}/commit/([0-9a-f]{40})/pullrequests$`),
      authed((c) => {
        const repo = c.params[0] ?? '';
        const numbers = this.pullsByCommit.get(`${repo}@${c.params[1]}`) ?? [];
        return json(
          200,
          bitbucketPage(
            numbers.map((id) => ({
              type: 'pullrequest',
              id,
              title: `Change ${id}`,
              state: 'OPEN',
            })),
          ),
        );
      }),
    );
  }
}
