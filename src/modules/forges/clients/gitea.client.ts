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
import {
  basicAuthorization,
  ForgeClient,
  ForgeUnsupportedError,
  splitFullName,
  StatusLimits,
} from './forge-client';
import { GiteaWorkflowJob, toForgeCiJob } from './gitea-actions';
import { JsonApi } from './json-api';

interface GiteaComment {
  id: number;
  body: string;
  user?: { login?: string };
}

/** Gitea / Forgejo REST API (/api/v1), token authentication. */
export class GiteaClient implements ForgeClient {
  readonly forge = 'gitea';
  // Gitea stores context and description as text but shows ~255; keep both short.
  readonly statusLimits: StatusLimits = { context: 255, description: 255 };
  private readonly api: JsonApi;
  private login: string | undefined;
  private readonly token: string;

  constructor(options: { apiUrl: string; token: string; fetch: Fetch }) {
    this.token = options.token;
    this.api = new JsonApi('gitea', options.apiUrl, `token ${options.token}`, options.fetch);
  }

  private repo(ref: ForgeRepositoryRef): string {
    const { owner, name } = splitFullName(ref.fullName);
    return `/repos/${encodeURIComponent(owner)}/${encodeURIComponent(name)}`;
  }

  /** Gitea takes an access token as the password of HTTP Basic, whatever the user name. */
  gitAuthorization(): Promise<string> {
    return Promise.resolve(basicAuthorization('hookyard', this.token));
  }

  async ownLogin(): Promise<string | undefined> {
    this.login ??= (await this.api.send<{ login: string }>('GET', '/user')).login;
    return this.login;
  }

  /**
   * GET /repos/{owner}/{repo}/actions/runs/{run}/jobs (Gitea 1.25+), every page. Where the route
   * is missing (older Gitea; Forgejo, whose job logs are a web-UI matter) the 404 is final.
   */
  async listRunJobs(ref: ForgeRepositoryRef, runId: string): Promise<ForgeCiJob[]> {
    const found: ForgeCiJob[] = [];
    const limit = 50;
    for (let page = 1; page <= 20; page += 1) {
      const body = await this.api.send<{ workflow_jobs?: GiteaWorkflowJob[] | null }>(
        'GET',
        this.api.url(`${this.repo(ref)}/actions/runs/${encodeURIComponent(runId)}/jobs`, {
          page,
          limit,
        }),
      );
      const jobs = body?.workflow_jobs ?? [];
      found.push(...jobs.map((job) => toForgeCiJob(job, runId)));
      if (jobs.length < limit) break;
    }
    return found;
  }

  /** GET /repos/{owner}/{repo}/actions/jobs/{job_id}/logs: the plain log. */
  fetchJobLog(ref: ForgeRepositoryRef, jobId: string): Promise<string> {
    return this.api.text(
      this.api.url(`${this.repo(ref)}/actions/jobs/${encodeURIComponent(jobId)}/logs`),
    );
  }

  async pullRequestsForCommit(ref: ForgeRepositoryRef, sha: string): Promise<ForgePullRequest[]> {
    const pr = await this.api.send<{ number: number; state: string } | null>(
      'GET',
      `${this.repo(ref)}/commits/${encodeURIComponent(sha)}/pull`,
    );
    return pr ? [{ number: pr.number, state: pr.state }] : [];
  }

  async listComments(ref: ForgeRepositoryRef, pr: number): Promise<ForgeComment[]> {
    const comments = await this.api.send<GiteaComment[]>(
      'GET',
      this.api.url(`${this.repo(ref)}/issues/${pr}/comments`, { limit: 100 }),
    );
    return comments.map((c) => ({ id: String(c.id), body: c.body, author: c.user?.login }));
  }

  async createComment(ref: ForgeRepositoryRef, pr: number, body: string): Promise<ForgeComment> {
    const c = await this.api.send<GiteaComment>('POST', `${this.repo(ref)}/issues/${pr}/comments`, {
      body,
    });
    return { id: String(c.id), body: c.body, author: c.user?.login };
  }

  async updateComment(ref: ForgeRepositoryRef, _pr: number, id: string, body: string) {
    await this.api.send('PATCH', `${this.repo(ref)}/issues/comments/${id}`, { body });
  }

  async setCommitStatus(ref: ForgeRepositoryRef, status: CommitStatusInput): Promise<void> {
    await this.api.send('POST', `${this.repo(ref)}/statuses/${encodeURIComponent(status.sha)}`, {
      state: status.state,
      context: status.context,
      description: status.description,
      target_url: status.targetUrl,
    });
  }

  discoverHooks(): Promise<ForgeHook[]> {
    return Promise.resolve([]);
  }

  listHookDeliveries(): Promise<ForgeHookDelivery[]> {
    return Promise.reject(new ForgeUnsupportedError('gitea', 'an API for past hook deliveries'));
  }

  redeliver(): Promise<void> {
    return Promise.reject(new ForgeUnsupportedError('gitea', 'an API for past hook deliveries'));
  }
}
