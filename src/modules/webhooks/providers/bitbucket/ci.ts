import type { CiConclusion, CiRunEvent, CiStatus } from '../../../activity/domain-events';
import { shaFromUrl } from '../forge-readers';
import { omitUndefined, type PayloadReader } from '../payload-reader';
import { actorAt, repositoryOf } from './bitbucket-readers';

interface CiProgress {
  status: CiStatus;
  conclusion?: CiConclusion;
}

const COMMIT_STATUS_PROGRESS: Readonly<Record<string, CiProgress>> = {
  INPROGRESS: { status: 'in_progress' },
  SUCCESSFUL: { status: 'completed', conclusion: 'success' },
  FAILED: { status: 'completed', conclusion: 'failure' },
  STOPPED: { status: 'completed', conclusion: 'cancelled' },
};

/**
 * The build number of a Bitbucket Pipelines result page, which is what Pipelines puts in the
 * `url` of its commit statuses (`…/addon/pipelines/home#!/results/42`, newer `…/pipelines/results/42`).
 * Only read, never fetched: the API calls are built from the source's configured origin.
 */
export function pipelineBuildNumber(url: string | undefined): string | undefined {
  const match = /\/(?:addon\/pipelines\/home#!\/results|pipelines\/results)\/(\d+)(?:[/?#]|$)/.exec(
    url ?? '',
  );
  return match?.[1];
}

export function commitStatusEvent(root: PayloadReader): CiRunEvent {
  const status = root.requireObj('commit_status');
  const progress =
    COMMIT_STATUS_PROGRESS[status.requireText('state')] ??
    status.fail('is not a known commit status state', 'state');
  const key = status.requireText('key');
  // Older payloads have no commit object; the commit link ends with the full hash.
  const headSha =
    status.obj('commit')?.text('hash') ??
    shaFromUrl(status.obj('links')?.obj('commit')?.text('href')) ??
    status.fail('names no commit (commit.hash or links.commit.href)');
  const createdAt = status.requireIso('created_on');
  const updatedAt = status.iso('updated_on') ?? createdAt;
  const url = status.text('url');
  const buildNumber = pipelineBuildNumber(url);
  return {
    kind: 'ci_run',
    repository: repositoryOf(root),
    run: omitUndefined({
      // A Pipelines build is one run per build number (its steps are listed through the API);
      // another build tool reports one status per key and commit, updating it in place.
      externalId: buildNumber ?? `${key}@${headSha}`,
      source: buildNumber === undefined ? 'commit_status' : 'pipeline',
      name: status.text('name') ?? key,
      runNumber: buildNumber === undefined ? undefined : Number(buildNumber),
      status: progress.status,
      conclusion: progress.conclusion,
      headSha,
      headBranch: status.text('refname'),
      url,
      actor: actorAt(root, 'actor'),
      pullRequestNumbers: [],
      createdAt,
      completedAt: progress.status === 'completed' ? updatedAt : undefined,
      updatedAt,
    }),
    occurredAt: updatedAt,
  };
}
