import { SqlSession } from '../../../core/database/unit-of-work';
import { IdentityScope } from '../../users/identity-resolver';

/** What one delivery touched, for the follow-up jobs. */
export interface RecordedActivity {
  repositoryIds: Set<string>;
  /** Repositories that received a push to their default branch. */
  defaultBranchPushes: Set<string>;
  /** Pushes to other branches (deletions too), for the code index's extra branches. */
  otherBranchPushes: Array<{ repositoryId: string; branch: string }>;
  /** Repositories with a CI run that completed with a failure. */
  failedCiRepositories: Set<string>;
  /** Pull requests whose head moved (new commits pushed: `synchronize`). */
  movedPullRequestHeads: Array<{ repositoryId: string; number: number }>;
}

export interface RecordContext {
  /** Writes whose result is not needed are deferred, to be sent with the delivery's claim. */
  session: SqlSession;
  provider: string;
  deliveryId: string;
  identities: IdentityScope;
  /** Run by the caller once the transaction has committed (never after a rollback). */
  afterCommit: Array<() => void>;
}
