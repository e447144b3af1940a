import {
  CommitStatusInput,
  ForgeCiJob,
  ForgeComment,
  ForgeHook,
  ForgeHookDelivery,
  ForgePullRequest,
  ForgeRepositoryRef,
} from '../forge-types';

/** Length limits of a forge's commit statuses. */
export interface StatusLimits {
  context: number;
  description: number;
}

/**
 * The forge operations Hookyard needs, one implementation per forge, each going through the
 * outbound policy (only the source's origins, rate limits, retries, timeouts, metrics).
 */
export interface ForgeClient {
  readonly forge: string;
  readonly statusLimits: StatusLimits;
  /** Login Hookyard's comments are written by (to recognise its own sticky comments). */
  ownLogin(repo: ForgeRepositoryRef): Promise<string | undefined>;
  /** The plain-text log of one CI job. */
  fetchJobLog(repo: ForgeRepositoryRef, jobId: string): Promise<string>;
  /**
   * The jobs of one CI run (GitHub: the latest attempt's; GitLab: the pipeline's failed ones;
   * Gitea: the run's; Bitbucket: the steps of the build with that number), for runs whose jobs
   * never arrived as events.
   */
  listRunJobs(repo: ForgeRepositoryRef, runId: string): Promise<ForgeCiJob[]>;
  /**
   * The test report of one CI run as the forge sends it (GitLab's pipeline test report),
   * undefined when the run has none. Absent on forges that serve no test reports.
   */
  fetchTestReport?(repo: ForgeRepositoryRef, runId: string): Promise<unknown>;
  pullRequestsForCommit(repo: ForgeRepositoryRef, sha: string): Promise<ForgePullRequest[]>;
  listComments(repo: ForgeRepositoryRef, pr: number): Promise<ForgeComment[]>;
  createComment(repo: ForgeRepositoryRef, pr: number, body: string): Promise<ForgeComment>;
  updateComment(repo: ForgeRepositoryRef, pr: number, id: string, body: string): Promise<void>;
  setCommitStatus(repo: ForgeRepositoryRef, status: CommitStatusInput): Promise<void>;
  /** Hooks to reconcile that the forge must be asked for (GitLab); others come from deliveries. */
  discoverHooks(repo: ForgeRepositoryRef, webhookPath: string): Promise<ForgeHook[]>;
  /** Deliveries of a hook newer than `after` (a cursor from an earlier call), oldest first. */
  listHookDeliveries(hook: ForgeHook, after: string | undefined): Promise<ForgeHookDelivery[]>;
  redeliver(hook: ForgeHook, delivery: ForgeHookDelivery): Promise<void>;
  /**
   * The `Authorization` header value (`Basic …`) with which git over HTTPS fetches the
   * repository using this client's credential. Goes only into git's configuration, never a URL.
   */
  gitAuthorization(repo: ForgeRepositoryRef): Promise<string>;
}

/** `Basic base64(user:password)`, the header of HTTP Basic authentication as git sends it. */
export function basicAuthorization(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;
}

/** What a forge cannot do, said plainly (e.g. hook deliveries on Gitea). */
export class ForgeUnsupportedError extends Error {
  constructor(forge: string, what: string) {
    super(`${forge} does not offer ${what}`);
    this.name = 'ForgeUnsupportedError';
  }
}

export function splitFullName(fullName: string): { owner: string; name: string } {
  const slash = fullName.indexOf('/');
  if (slash <= 0 || slash === fullName.length - 1) {
    throw new Error(`"${fullName}" is not an owner/name repository`);
  }
  return { owner: fullName.slice(0, slash), name: fullName.slice(slash + 1) };
}
