import {
  CommitStatusInput,
  ForgeCiJob,
  ForgeComment,
  ForgeHook,
  ForgeHookDelivery,
  ForgePullRequest,
  ForgeRepositoryRef,
} from '../forge-types';
import { ForgeRequestError } from '../forge-errors';
import { Fetch } from '../outbound-policy';
import {
  basicAuthorization,
  ForgeClient,
  ForgeUnsupportedError,
  splitFullName,
  StatusLimits,
} from './forge-client';
import {
  BitbucketPipeline,
  BitbucketStep,
  splitStepJobId,
  stepToForgeCiJob,
} from './bitbucket-pipelines';
import { JsonApi } from './json-api';

interface BitbucketComment {
  id: number;
  content: { raw: string };
  user?: { nickname?: string; username?: string };
}

interface Page<T> {
  values: T[];
  next?: string;
}

const STATES: Record<CommitStatusInput['state'], string> = {
  pending: 'INPROGRESS',
  success: 'SUCCESSFUL',
  failure: 'FAILED',
  error: 'FAILED',
};

/** Bitbucket Cloud REST API 2.0 with a Bearer token (repository/workspace access token). */
export class BitbucketClient implements ForgeClient {
  readonly forge = 'bitbucket';
  // Build status `key` is at most 40 characters; `description` is kept within 255.
  readonly statusLimits: StatusLimits = { context: 40, description: 255 };
  private readonly api: JsonApi;
  private login: string | undefined;

  private readonly webUrl: string;
  private readonly token: string;

  constructor(options: { apiUrl: string; webUrl: string; token: string; fetch: Fetch }) {
    this.token = options.token;
    this.webUrl = options.webUrl.replace(/\/+$/, '');
    this.api = new JsonApi('bitbucket', options.apiUrl, `Bearer ${options.token}`, options.fetch);
  }

  private repo(ref: ForgeRepositoryRef): string {
    const { owner, name } = splitFullName(ref.fullName);
    return `/repositories/${encodeURIComponent(owner)}/${encodeURIComponent(name)}`;
  }

  private async all<T>(url: string): Promise<T[]> {
    const found: T[] = [];
    let next: string | undefined = url;
    for (let page = 0; next !== undefined && page < 50; page += 1) {
      const body: Page<T> = await this.api.send<Page<T>>('GET', next);
      found.push(...body.values);
      next = body.next;
    }
    return found;
  }

  /** Bitbucket Cloud access tokens clone over HTTPS as the password of `x-token-auth`. */
  gitAuthorization(): Promise<string> {
    return Promise.resolve(basicAuthorization('x-token-auth', this.token));
  }

  async ownLogin(): Promise<string | undefined> {
    if (this.login === undefined) {
      const user = await this.api.send<{ nickname?: string; username?: string }>('GET', '/user');
      this.login = user.nickname ?? user.username;
    }
    return this.login;
  }

  /**
   * The steps of a Pipelines build, by its build number (what its commit status names): the
   * newest pipelines are looked through for that number (the API addresses a pipeline by UUID
   * only), then GET …/pipelines/{uuid}/steps.
   */
  async listRunJobs(ref: ForgeRepositoryRef, runId: string): Promise<ForgeCiJob[]> {
    if (!/^\d+$/.test(runId)) {
      throw new ForgeUnsupportedError(
        'bitbucket',
        `the steps of "${runId}" (not a Pipelines build)`,
      );
    }
    const pipeline = await this.pipelineByBuildNumber(ref, Number(runId));
    const steps = await this.all<BitbucketStep>(
      this.api.url(`${this.repo(ref)}/pipelines/${encodeURIComponent(pipeline.uuid)}/steps`, {
        pagelen: 100,
      }),
    );
    const page = `${this.webUrl}/${ref.fullName}/addon/pipelines/home#!/results/${pipeline.build_number}`;
    return steps.map((step) =>
      stepToForgeCiJob(pipeline, step, `${page}/steps/${encodeURIComponent(step.uuid)}`),
    );
  }

  private async pipelineByBuildNumber(
    ref: ForgeRepositoryRef,
    buildNumber: number,
  ): Promise<BitbucketPipeline> {
    let next: string | undefined = this.api.url(`${this.repo(ref)}/pipelines`, {
      sort: '-created_on',
      pagelen: 100,
    });
    for (let page = 0; next !== undefined && page < 5; page += 1) {
      const body: Page<BitbucketPipeline> = await this.api.send<Page<BitbucketPipeline>>(
        'GET',
        next,
      );
      const found = body.values.find((p) => p.build_number === buildNumber);
      if (found) return found;
      // No early stop on smaller numbers: the order is only as good as the `sort` Bitbucket honours.
      next = body.next;
    }
    throw new ForgeRequestError(
      `bitbucket: pipeline #${buildNumber} is not among the newest 500`,
      404,
      false,
    );
  }

  /**
   * GET …/pipelines/{pipeline_uuid}/steps/{step_uuid}/log, whose answer may be a redirect to
   * the log's storage (followed only where the outbound policy allows). No `Accept: text/plain`:
   * Bitbucket serves it as application/octet-stream and refuses that with 406.
   */
  fetchJobLog(ref: ForgeRepositoryRef, jobId: string): Promise<string> {
    const ids = splitStepJobId(jobId);
    if (!ids) {
      return Promise.reject(
        new ForgeUnsupportedError('bitbucket', `a log for "${jobId}" (not a Pipelines step)`),
      );
    }
    return this.api.text(
      this.api.url(
        `${this.repo(ref)}/pipelines/${encodeURIComponent(ids.pipeline)}/steps/${encodeURIComponent(ids.step)}/log`,
      ),
    );
  }

  async pullRequestsForCommit(ref: ForgeRepositoryRef, sha: string): Promise<ForgePullRequest[]> {
    const prs = await this.all<{ id: number; state: string }>(
      this.api.url(`${this.repo(ref)}/commit/${encodeURIComponent(sha)}/pullrequests`),
    );
    // Bitbucket writes states in capitals (OPEN, MERGED, DECLINED); callers compare lower case.
    return prs.map((pr) => ({ number: pr.id, state: pr.state.toLowerCase() }));
  }

  async listComments(ref: ForgeRepositoryRef, pr: number): Promise<ForgeComment[]> {
    const comments = await this.all<BitbucketComment>(
      this.api.url(`${this.repo(ref)}/pullrequests/${pr}/comments`, { pagelen: 100 }),
    );
    return comments.map((c) => this.comment(c));
  }

  private comment(c: BitbucketComment): ForgeComment {
    return { id: String(c.id), body: c.content.raw, author: c.user?.nickname ?? c.user?.username };
  }

  async createComment(ref: ForgeRepositoryRef, pr: number, body: string): Promise<ForgeComment> {
    return this.comment(
      await this.api.send<BitbucketComment>(
        'POST',
        `${this.repo(ref)}/pullrequests/${pr}/comments`,
        { content: { raw: body } },
      ),
    );
  }

  async updateComment(ref: ForgeRepositoryRef, pr: number, id: string, body: string) {
    await this.api.send('PUT', `${this.repo(ref)}/pullrequests/${pr}/comments/${id}`, {
      content: { raw: body },
    });
  }

  async setCommitStatus(ref: ForgeRepositoryRef, status: CommitStatusInput): Promise<void> {
    await this.api.send(
      'POST',
      `${this.repo(ref)}/commit/${encodeURIComponent(status.sha)}/statuses/build`,
      {
        key: status.context,
        state: STATES[status.state],
        name: status.context,
        description: status.description,
        // Bitbucket requires a URL: the repository's page when there is nothing better.
        url: status.targetUrl ?? `${this.webUrl}/${ref.fullName}`,
      },
    );
  }

  discoverHooks(): Promise<ForgeHook[]> {
    return Promise.resolve([]);
  }

  listHookDeliveries(): Promise<ForgeHookDelivery[]> {
    return Promise.reject(
      new ForgeUnsupportedError('bitbucket', 'an API for past hook deliveries'),
    );
  }

  redeliver(): Promise<void> {
    return Promise.reject(
      new ForgeUnsupportedError('bitbucket', 'an API for past hook deliveries'),
    );
  }
}
