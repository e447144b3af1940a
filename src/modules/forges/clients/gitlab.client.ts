import {
  createRequesterFn,
  FormattedResponse,
  GitbeakerRequestError,
  RequesterType,
} from '@gitbeaker/requester-utils';
import { Commits, Jobs, MergeRequestNotes, Pipelines, ProjectHooks } from '@gitbeaker/rest';
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
import { basicAuthorization, ForgeClient, StatusLimits } from './forge-client';

export interface GitLabClientOptions {
  /** Web base; the API is <webUrl>/api/v4. */
  webUrl: string;
  token: string;
  fetch: Fetch;
}

/** Gitbeaker's request handler, sending through the outbound policy (which retries and waits). */
function policyRequester(fetchFn: Fetch) {
  return createRequesterFn(
    (_service, options) => Promise.resolve(options),
    async (endpoint, options = {}): Promise<FormattedResponse> => {
      const { prefixUrl, searchParams, method, headers, body, signal } = options as {
        prefixUrl?: string;
        searchParams?: string;
        method?: string;
        headers?: Record<string, string>;
        body?: string;
        signal?: AbortSignal;
      };
      const base = prefixUrl?.endsWith('/') ? prefixUrl : `${prefixUrl ?? ''}/`;
      const url = new URL(endpoint, base);
      url.search = searchParams ?? '';
      const response = await fetchFn(url.href, { method, headers, body, signal });
      const responseHeaders = Object.fromEntries(response.headers.entries());
      const type = (response.headers.get('content-type') ?? '').split(';')[0]?.trim() ?? '';
      const text = response.status === 204 ? '' : await response.text();
      if (!response.ok) {
        let description = text;
        if (type === 'application/json') {
          try {
            const parsed = JSON.parse(text) as { message?: unknown; error?: unknown };
            const message = parsed.message ?? parsed.error ?? '';
            description = typeof message === 'string' ? message : JSON.stringify(message);
          } catch {
            // keep the text
          }
        }
        throw new GitbeakerRequestError(description, {
          cause: { description, request: new Request(url, { method }), response },
        });
      }
      const parsed: unknown =
        response.status === 204 || text === ''
          ? null
          : type === 'application/json'
            ? JSON.parse(text)
            : text;
      return {
        body: parsed as FormattedResponse['body'],
        headers: responseHeaders,
        status: response.status,
      };
    },
  );
}

interface HookEvent {
  id: number;
  trigger: string;
  request_headers: Record<string, string>;
  response_status: string | number;
}

/** The id ingestion stores for a GitLab delivery (Idempotency-Key, webhook-id, Event-UUID). */
function deliveryIdOf(headers: Record<string, string>): string | undefined {
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  return lower['idempotency-key'] ?? lower['webhook-id'] ?? lower['x-gitlab-event-uuid'];
}

interface PipelineJob {
  id: number;
  name: string;
  stage?: string;
  status: string;
  ref?: string;
  tag?: boolean;
  allow_failure?: boolean;
  created_at: string;
  started_at?: string | null;
  finished_at?: string | null;
  web_url?: string;
  commit?: { id?: string };
  pipeline?: { id?: number; sha?: string };
  runner?: { description?: string } | null;
}

/** GitLab job statuses in the activity module's vocabulary (as its Job Hook reader maps them). */
const JOB_PROGRESS: Readonly<Record<string, Pick<ForgeCiJob, 'status' | 'conclusion'>>> = {
  running: { status: 'in_progress', conclusion: undefined },
  canceling: { status: 'in_progress', conclusion: undefined },
  success: { status: 'completed', conclusion: 'success' },
  failed: { status: 'completed', conclusion: 'failure' },
  canceled: { status: 'completed', conclusion: 'cancelled' },
  skipped: { status: 'completed', conclusion: 'skipped' },
  manual: { status: 'completed', conclusion: 'action_required' },
};

/** GitLab through @gitbeaker/rest, its requests sent by the outbound policy. */
export class GitLabClient implements ForgeClient {
  readonly forge = 'gitlab';
  // Commit status `name` and `description` are stored as varchar(255).
  readonly statusLimits: StatusLimits = { context: 255, description: 255 };
  private readonly jobs: InstanceType<typeof Jobs<false>>;
  private readonly commits: InstanceType<typeof Commits<false>>;
  private readonly notes: InstanceType<typeof MergeRequestNotes<false>>;
  private readonly hooks: InstanceType<typeof ProjectHooks<false>>;
  private readonly pipelines: InstanceType<typeof Pipelines<false>>;
  private readonly requester: RequesterType;
  private login: string | undefined;
  private readonly token: string;

  constructor(options: GitLabClientOptions) {
    this.token = options.token;
    const resource = {
      host: options.webUrl.replace(/\/+$/, ''),
      token: options.token,
      requesterFn: policyRequester(options.fetch),
    };
    this.jobs = new Jobs(resource);
    this.commits = new Commits(resource);
    this.notes = new MergeRequestNotes(resource);
    this.hooks = new ProjectHooks(resource);
    this.pipelines = new Pipelines(resource);
    this.requester = this.commits.requester;
  }

  private project(ref: ForgeRepositoryRef): string | number {
    return ref.externalId !== undefined && /^\d+$/.test(ref.externalId)
      ? Number(ref.externalId)
      : ref.fullName;
  }

  /** GitLab takes an access token over HTTPS as the password of the user `oauth2`. */
  gitAuthorization(): Promise<string> {
    return Promise.resolve(basicAuthorization('oauth2', this.token));
  }

  async ownLogin(): Promise<string | undefined> {
    if (this.login === undefined) {
      const { body } = await this.requester.get<Record<string, unknown>>('user');
      this.login = typeof body.username === 'string' ? body.username : undefined;
    }
    return this.login;
  }

  async fetchJobLog(ref: ForgeRepositoryRef, jobId: string): Promise<string> {
    return this.jobs.showLog(this.project(ref), Number(jobId));
  }

  /**
   * GET /projects/:id/pipelines/:pipeline_id/test_report: the body as GitLab sends it (the
   * analysis module reads it), undefined when the pipeline has none (404).
   */
  async fetchTestReport(ref: ForgeRepositoryRef, runId: string): Promise<unknown> {
    try {
      return await this.pipelines.showTestReport(this.project(ref), Number(runId));
    } catch (error) {
      if (!(error instanceof GitbeakerRequestError) || error.cause === undefined) throw error;
      const status = error.cause.response.status;
      if (status === 404) return undefined;
      throw new ForgeRequestError(
        `gitlab GET pipelines/${runId}/test_report answered ${status}: ${error.cause.description}`,
        status,
        status === 429 || status >= 500,
      );
    }
  }

  /** GET /projects/:id/pipelines/:pipeline_id/jobs?scope[]=failed, every page. */
  async listRunJobs(ref: ForgeRepositoryRef, runId: string): Promise<ForgeCiJob[]> {
    const path = `projects/${encodeURIComponent(String(this.project(ref)))}/pipelines/${encodeURIComponent(runId)}/jobs`;
    const found: ForgeCiJob[] = [];
    for (let page = 1; page <= 50; page += 1) {
      const { body, headers } = await this.requester.get<Record<string, unknown>[]>(path, {
        searchParams: { scope: ['failed'], per_page: 100, page },
      });
      for (const job of body as unknown as PipelineJob[]) {
        const progress = JOB_PROGRESS[job.status] ?? { status: 'queued', conclusion: undefined };
        found.push({
          externalId: String(job.id),
          runExternalId: String(job.pipeline?.id ?? runId),
          name: job.name,
          ...progress,
          headSha: job.commit?.id ?? job.pipeline?.sha ?? '',
          headBranch: job.tag === true ? undefined : job.ref,
          stage: job.stage,
          url: job.web_url,
          runnerName: job.runner?.description,
          allowFailure: job.allow_failure === true,
          createdAt: job.created_at,
          startedAt: job.started_at ?? undefined,
          completedAt: job.finished_at ?? undefined,
        });
      }
      if (!headers['x-next-page']) break;
    }
    return found;
  }

  async pullRequestsForCommit(ref: ForgeRepositoryRef, sha: string): Promise<ForgePullRequest[]> {
    const mrs = await this.commits.allMergeRequests(this.project(ref), sha);
    return mrs.map((mr) => ({ number: mr.iid, state: mr.state }));
  }

  async listComments(ref: ForgeRepositoryRef, pr: number): Promise<ForgeComment[]> {
    const notes = await this.notes.all(this.project(ref), pr, { perPage: 100 });
    return notes.map((n) => ({ id: String(n.id), body: n.body, author: n.author?.username }));
  }

  async createComment(ref: ForgeRepositoryRef, pr: number, body: string): Promise<ForgeComment> {
    const note = await this.notes.create(this.project(ref), pr, body);
    return { id: String(note.id), body: note.body, author: note.author?.username };
  }

  async updateComment(ref: ForgeRepositoryRef, pr: number, id: string, body: string) {
    await this.notes.edit(this.project(ref), pr, Number(id), { body });
  }

  async setCommitStatus(ref: ForgeRepositoryRef, status: CommitStatusInput): Promise<void> {
    const state = status.state === 'failure' || status.state === 'error' ? 'failed' : status.state;
    await this.commits.editStatus(this.project(ref), status.sha, state, {
      name: status.context,
      description: status.description,
      targetUrl: status.targetUrl,
    });
  }

  /** The project's hooks that deliver to this Hookyard source (by URL path). */
  async discoverHooks(ref: ForgeRepositoryRef, webhookPath: string): Promise<ForgeHook[]> {
    const hooks = await this.hooks.all(this.project(ref));
    return hooks
      .filter((hook) => {
        try {
          return new URL(hook.url).pathname.replace(/\/+$/, '') === webhookPath;
        } catch {
          return false;
        }
      })
      .map((hook) => ({
        key: `project:${String(this.project(ref))}:${hook.id}`,
        repository: ref.fullName,
      }));
  }

  private hookBase(hook: ForgeHook): string {
    const rest = hook.key.slice('project:'.length);
    const cut = rest.lastIndexOf(':');
    return `projects/${encodeURIComponent(rest.slice(0, cut))}/hooks/${rest.slice(cut + 1)}`;
  }

  /** GET /projects/:id/hooks/:hook_id/events (GitLab 17.x+): the hook's recent events. */
  async listHookDeliveries(
    hook: ForgeHook,
    after: string | undefined,
  ): Promise<ForgeHookDelivery[]> {
    const found: ForgeHookDelivery[] = [];
    for (let page = 1; page <= 50; page += 1) {
      const { body, headers } = await this.requester.get<Record<string, unknown>[]>(
        `${this.hookBase(hook)}/events`,
        { searchParams: { per_page: 100, page } },
      );
      const events = body as unknown as HookEvent[];
      let reachedCheckpoint = false;
      for (const event of events) {
        if (after !== undefined && event.id <= Number(after)) {
          reachedCheckpoint = true;
          break;
        }
        const id = deliveryIdOf(event.request_headers ?? {});
        if (id === undefined) continue;
        const status = Number(event.response_status);
        found.push({
          redeliveryId: String(event.id),
          providerDeliveryId: id,
          cursor: String(event.id),
          event: event.trigger,
          deliveredAt: undefined,
          statusCode: Number.isNaN(status) ? undefined : status,
        });
      }
      if (reachedCheckpoint || !headers['x-next-page']) break;
    }
    return found.sort((a, b) => Number(a.cursor) - Number(b.cursor));
  }

  async redeliver(hook: ForgeHook, delivery: ForgeHookDelivery): Promise<void> {
    await this.requester.post(`${this.hookBase(hook)}/events/${delivery.redeliveryId}/resend`);
  }
}
