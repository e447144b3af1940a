import { createAppAuth } from '@octokit/auth-app';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { Octokit } from '@octokit/rest';
import Bottleneck from 'bottleneck';
import { GitHubAppCredentials } from '../../../config/config';
import { ForgeOriginRefusedError, ForgeRequestError } from '../forge-errors';
import {
  CommitStatusInput,
  ForgeCiJob,
  ForgeComment,
  ForgeHook,
  ForgeHookDelivery,
  ForgePullRequest,
  ForgeRepositoryRef,
} from '../forge-types';
import { Fetch } from '../outbound-policy';
import { basicAuthorization, ForgeClient, splitFullName, StatusLimits } from './forge-client';
import { RenewingTokenCache } from './github-app-token-cache';

const GitHubOctokit = Octokit.plugin(throttling, retry);
type GitHubOctokit = InstanceType<typeof GitHubOctokit>;

export interface GitHubClientOptions {
  apiUrl: string;
  fetch: Fetch;
  auth: { token: string } | { app: GitHubAppCredentials };
  /** Retries of a rate-limited call (429, 403 quota, secondary limit) before giving up. */
  throttleRetries: number;
  /** Multiplies Retry-After and the backoff of plugin-retry (1000 = seconds as GitHub means). */
  retryAfterBaseMs: number;
  /** GitHub asks for at least a second between content-creating calls per account. */
  writeSpacingMs: number;
  renewTokenBeforeMs: number;
}

/** Status codes a repeat cannot change: plugin-retry leaves them alone. */
const DO_NOT_RETRY = [400, 401, 403, 404, 410, 422, 451];

/** GitHub (and GitHub Enterprise Server) through Octokit with the throttling and retry plugins. */
export class GitHubClient implements ForgeClient {
  readonly forge = 'github';
  // https://docs.github.com/en/rest/commits/statuses: description is cut at 140 characters.
  readonly statusLimits: StatusLimits = { context: 255, description: 140 };
  readonly tokens: RenewingTokenCache;
  private readonly writes: Bottleneck.Group;
  private readonly installations = new Map<string, GitHubOctokit>();
  private readonly installationOf = new Map<string, number>();
  private tokenOctokit: GitHubOctokit | undefined;
  private appOctokit: GitHubOctokit | undefined;
  private login: string | undefined;

  constructor(private readonly options: GitHubClientOptions) {
    this.tokens = new RenewingTokenCache(options.renewTokenBeforeMs);
    this.writes = new Bottleneck.Group({ maxConcurrent: 1, minTime: options.writeSpacingMs });
  }

  private make(auth: ConstructorParameters<typeof GitHubOctokit>[0]): GitHubOctokit {
    const wantRetry = (_after: number, _options: unknown, _octokit: unknown, count: number) =>
      count < this.options.throttleRetries;
    const octokit = new GitHubOctokit({
      ...auth,
      baseUrl: this.options.apiUrl,
      userAgent: 'hookyard',
      request: { fetch: this.options.fetch },
      log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
      throttle: {
        onRateLimit: wantRetry,
        onSecondaryRateLimit: wantRetry,
        retryAfterBaseValue: this.options.retryAfterBaseMs,
        write: this.writes,
      },
      retry: { doNotRetry: DO_NOT_RETRY, retryAfterBaseValue: this.options.retryAfterBaseMs },
    });
    // Octokit wraps what fetch throws in a RequestError: give callers the policy's own error
    // (a refused origin, a timeout) so that they can tell them apart.
    octokit.hook.error('request', (error: unknown) => {
      const cause = (error as { cause?: unknown }).cause;
      if (cause instanceof ForgeOriginRefusedError || cause instanceof ForgeRequestError) {
        throw cause;
      }
      throw error;
    });
    return octokit;
  }

  /** The App itself (a JWT): /app routes and installation look-ups. */
  private app(): GitHubOctokit {
    const auth = this.options.auth;
    if (!('app' in auth)) throw new Error('not a GitHub App source');
    this.appOctokit ??= this.make({
      authStrategy: createAppAuth,
      auth: { appId: auth.app.appId, privateKey: auth.app.privateKey, cache: this.tokens },
    });
    return this.appOctokit;
  }

  private installation(id: number): GitHubOctokit {
    const auth = this.options.auth;
    if (!('app' in auth)) throw new Error('not a GitHub App source');
    let octokit = this.installations.get(String(id));
    if (!octokit) {
      octokit = this.make({
        authStrategy: createAppAuth,
        auth: {
          appId: auth.app.appId,
          privateKey: auth.app.privateKey,
          installationId: id,
          cache: this.tokens,
        },
      });
      this.installations.set(String(id), octokit);
    }
    return octokit;
  }

  /** The client for calls about one repository (or organisation) with the right token. */
  private async octokitFor(owner: string, repo?: string): Promise<GitHubOctokit> {
    const auth = this.options.auth;
    if ('token' in auth) {
      this.tokenOctokit ??= this.make({ auth: auth.token });
      return this.tokenOctokit;
    }
    const key = repo === undefined ? `org:${owner}` : `repo:${owner}/${repo}`;
    let id = this.installationOf.get(key);
    if (id === undefined) {
      const app = this.app();
      id =
        repo === undefined
          ? (await app.rest.apps.getOrgInstallation({ org: owner })).data.id
          : (await app.rest.apps.getRepoInstallation({ owner, repo })).data.id;
      this.installationOf.set(key, id);
    }
    return this.installation(id);
  }

  private async forRepo(
    ref: ForgeRepositoryRef,
  ): Promise<{ octokit: GitHubOctokit; owner: string; repo: string }> {
    const { owner, name } = splitFullName(ref.fullName);
    return { octokit: await this.octokitFor(owner, name), owner, repo: name };
  }

  /**
   * A token as the password of `x-access-token` (GitHub's documented user for git over HTTPS):
   * the configured token, or an installation token of the App for this repository, minted and
   * renewed by the same cache as the API calls'.
   */
  async gitAuthorization(ref: ForgeRepositoryRef): Promise<string> {
    const auth = this.options.auth;
    if ('token' in auth) return basicAuthorization('x-access-token', auth.token);
    const { octokit } = await this.forRepo(ref);
    const minted = (await octokit.auth({ type: 'installation' })) as { token?: unknown };
    if (typeof minted.token !== 'string') {
      throw new ForgeRequestError('github: no installation token for git', undefined, true);
    }
    return basicAuthorization('x-access-token', minted.token);
  }

  async ownLogin(): Promise<string | undefined> {
    if (this.login !== undefined) return this.login;
    const auth = this.options.auth;
    if ('token' in auth) {
      this.tokenOctokit ??= this.make({ auth: auth.token });
      this.login = (await this.tokenOctokit.rest.users.getAuthenticated()).data.login;
    } else {
      const app = (await this.app().rest.apps.getAuthenticated()).data;
      this.login = app?.slug ? `${app.slug}[bot]` : undefined;
    }
    return this.login;
  }

  async fetchJobLog(ref: ForgeRepositoryRef, jobId: string): Promise<string> {
    const { octokit, owner, repo } = await this.forRepo(ref);
    // Answers 302 to a short-lived signed URL; the policy follows it only to an allowed host.
    const response = await octokit.rest.actions.downloadJobLogsForWorkflowRun({
      owner,
      repo,
      job_id: Number(jobId),
    });
    const data: unknown = response.data;
    if (typeof data === 'string') return data;
    if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
    throw new ForgeRequestError('github: the job log was not text', response.status, false);
  }

  /** GET /repos/{o}/{r}/actions/runs/{run_id}/jobs?filter=latest, every page. */
  async listRunJobs(ref: ForgeRepositoryRef, runId: string): Promise<ForgeCiJob[]> {
    const { octokit, owner, repo } = await this.forRepo(ref);
    const jobs = await octokit.paginate(octokit.rest.actions.listJobsForWorkflowRun, {
      owner,
      repo,
      run_id: Number(runId),
      filter: 'latest',
      per_page: 100,
    });
    return jobs.map((job) => ({
      externalId: String(job.id),
      runExternalId: String(job.run_id),
      name: job.name,
      status: job.status === 'completed' || job.status === 'in_progress' ? job.status : 'queued',
      conclusion: job.conclusion ?? undefined,
      headSha: job.head_sha,
      headBranch: job.head_branch ?? undefined,
      stage: undefined,
      url: job.html_url ?? undefined,
      runnerName: job.runner_name ?? undefined,
      allowFailure: false,
      createdAt: job.created_at,
      startedAt: job.started_at,
      completedAt: job.completed_at ?? undefined,
    }));
  }

  async pullRequestsForCommit(ref: ForgeRepositoryRef, sha: string): Promise<ForgePullRequest[]> {
    const { octokit, owner, repo } = await this.forRepo(ref);
    const { data } = await octokit.rest.repos.listPullRequestsAssociatedWithCommit({
      owner,
      repo,
      commit_sha: sha,
    });
    return data.map((pr) => ({ number: pr.number, state: pr.state }));
  }

  async listComments(ref: ForgeRepositoryRef, pr: number): Promise<ForgeComment[]> {
    const { octokit, owner, repo } = await this.forRepo(ref);
    const comments = await octokit.paginate(octokit.rest.issues.listComments, {
      owner,
      repo,
      issue_number: pr,
      per_page: 100,
    });
    return comments.map((c) => ({ id: String(c.id), body: c.body ?? '', author: c.user?.login }));
  }

  async createComment(ref: ForgeRepositoryRef, pr: number, body: string): Promise<ForgeComment> {
    const { octokit, owner, repo } = await this.forRepo(ref);
    // Never repeated blindly: a failed POST may have created the comment (the caller looks first).
    const { data } = await octokit.rest.issues.createComment({
      owner,
      repo,
      issue_number: pr,
      body,
      request: { retries: 0 },
    });
    return { id: String(data.id), body: data.body ?? '', author: data.user?.login };
  }

  async updateComment(ref: ForgeRepositoryRef, _pr: number, id: string, body: string) {
    const { octokit, owner, repo } = await this.forRepo(ref);
    await octokit.rest.issues.updateComment({ owner, repo, comment_id: Number(id), body });
  }

  async setCommitStatus(ref: ForgeRepositoryRef, status: CommitStatusInput): Promise<void> {
    const { octokit, owner, repo } = await this.forRepo(ref);
    await octokit.rest.repos.createCommitStatus({
      owner,
      repo,
      sha: status.sha,
      state: status.state,
      context: status.context,
      description: status.description,
      target_url: status.targetUrl,
    });
  }

  /** GitHub hooks come from stored deliveries (X-GitHub-Hook-ID); nothing to ask for. */
  discoverHooks(): Promise<ForgeHook[]> {
    return Promise.resolve([]);
  }

  private async hookRoute(hook: ForgeHook): Promise<{ octokit: GitHubOctokit; base: string }> {
    const [kind, target, id] = hook.key.split(':');
    if (kind === 'app') return { octokit: this.app(), base: '/app/hook' };
    // key forms: repo:<owner/name>:<hook id>, org:<org>:<hook id>, app:app:<hook id>
    if (kind === 'org' && target && id) {
      return {
        octokit: await this.octokitFor(target),
        base: `/orgs/${encodeURIComponent(target)}/hooks/${id}`,
      };
    }
    if (kind === 'repo' && target && id) {
      const { owner, name } = splitFullName(target);
      return {
        octokit: await this.octokitFor(owner, name),
        base: `/repos/${encodeURIComponent(owner)}/${encodeURIComponent(name)}/hooks/${id}`,
      };
    }
    throw new Error(`unknown GitHub hook key ${hook.key}`);
  }

  async listHookDeliveries(
    hook: ForgeHook,
    after: string | undefined,
  ): Promise<ForgeHookDelivery[]> {
    const { octokit, base } = await this.hookRoute(hook);
    const hookId = hook.key.split(':')[2] ?? '';
    const found: ForgeHookDelivery[] = [];
    // Newest first, paged by cursor; stop at the checkpoint.
    let cursor: string | undefined;
    for (let page = 0; page < 50; page += 1) {
      const response = await octokit.request(`GET ${base}/deliveries`, {
        per_page: 100,
        ...(cursor ? { cursor } : {}),
      });
      const items = response.data as Array<{
        id: number;
        guid: string;
        event: string;
        delivered_at?: string;
        status_code?: number;
      }>;
      let reachedCheckpoint = false;
      for (const item of items) {
        if (after !== undefined && BigInt(item.id) <= BigInt(after)) {
          reachedCheckpoint = true;
          break;
        }
        found.push({
          redeliveryId: String(item.id),
          providerDeliveryId: `${hookId}:${item.guid}`,
          cursor: String(item.id),
          event: item.event,
          deliveredAt: item.delivered_at,
          statusCode: item.status_code,
        });
      }
      const next = /<[^>]*[?&]cursor=([^&>]+)[^>]*>;\s*rel="next"/.exec(
        String(response.headers.link ?? ''),
      );
      if (reachedCheckpoint || !next?.[1] || items.length === 0) break;
      cursor = decodeURIComponent(next[1]);
    }
    return found.reverse();
  }

  async redeliver(hook: ForgeHook, delivery: ForgeHookDelivery): Promise<void> {
    const { octokit, base } = await this.hookRoute(hook);
    await octokit.request(`POST ${base}/deliveries/${delivery.redeliveryId}/attempts`);
  }
}
