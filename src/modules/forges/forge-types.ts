import { FeedbackKind, GitHubAppCredentials } from '../../config/config';
import { Provider } from '../webhooks/providers/provider-adapter';

/** Where a source's forge lives: its web (and git) base and its REST API base. */
export interface ForgeEndpoints {
  webUrl: string;
  apiUrl: string;
}

/** How Hookyard authenticates to a source's API. */
export type ForgeCredentials =
  { kind: 'token'; token: string } | { kind: 'github-app'; app: GitHubAppCredentials };

/** Everything outbound code needs to know about one source. */
export interface ForgeSource {
  provider: Provider;
  /** The source's slug (`default` for the one configured from the environment). */
  slug: string;
  endpoints: ForgeEndpoints;
  credentials: ForgeCredentials | undefined;
  feedback: FeedbackKind[];
}

/** A repository as a forge's API addresses it. */
export interface ForgeRepositoryRef {
  /** owner/name (GitHub, Gitea), group/…/project (GitLab), workspace/slug (Bitbucket). */
  fullName: string;
  /** The forge's own id (GitLab project id); undefined when unknown. */
  externalId?: string;
}

export interface ForgeComment {
  id: string;
  body: string;
  /** Login of the comment's author, when the forge says. */
  author: string | undefined;
}

export interface ForgePullRequest {
  number: number;
  state: string;
}

export type CommitState = 'pending' | 'success' | 'failure' | 'error';

export interface CommitStatusInput {
  sha: string;
  state: CommitState;
  /** hookyard/<purpose>, already cut to the forge's limit. */
  context: string;
  description: string;
  targetUrl?: string;
}

/** A hook of the forge that delivers to Hookyard, as reconciliation walks it. */
export interface ForgeHook {
  /** Stable key: `repo:<owner/name>:<id>`, `org:<org>:<id>`, `app`, `project:<id>:<hook id>`. */
  key: string;
  repository: string | undefined;
}

/** One delivery as the forge remembers it. */
export interface ForgeHookDelivery {
  /** What the forge wants back to send it again. */
  redeliveryId: string;
  /** Our provider_delivery_id for it (how ingestion stored it). */
  providerDeliveryId: string;
  /** Ordering cursor for the checkpoint (delivery id, numeric as text). */
  cursor: string;
  event: string;
  deliveredAt: string | undefined;
  statusCode: number | undefined;
}

/** A job of a CI run as the forge's API lists it (its own id, so job events upsert the row). */
export interface ForgeCiJob {
  externalId: string;
  runExternalId: string;
  name: string;
  status: 'queued' | 'in_progress' | 'completed';
  /** CI conclusion vocabulary of the activity module (failure, cancelled, success, …). */
  conclusion: string | undefined;
  headSha: string;
  headBranch: string | undefined;
  stage: string | undefined;
  url: string | undefined;
  runnerName: string | undefined;
  allowFailure: boolean;
  createdAt: string;
  startedAt: string | undefined;
  completedAt: string | undefined;
}
