import type { ActorRef, CommitData, PushEvent } from '../../../activity/domain-events';
import { isZeroSha, latestTimestamp, presentActor } from '../forge-readers';
import { omitUndefined, type PayloadReader } from '../payload-reader';
import { actorAt, gitRepository, type AzureEnvelope } from './azure-readers';

/**
 * `git.push`: one push event per updated ref. The commits Azure DevOps lists (newest first,
 * at most a hundred) belong to the ref whose new head is the newest of them, or to the only ref.
 */
export function pushEvents({ resource, raisedAt }: AzureEnvelope): PushEvent[] {
  const repository = gitRepository(resource.requireObj('repository'));
  const pusher = actorAt(resource, 'pushedBy');
  const commits = resource.objects('commits').map(commitData);
  const refUpdates = resource.objects('refUpdates');
  const ownerOfCommits =
    refUpdates.find((update) => update.text('newObjectId') === commits[0]?.sha) ??
    (refUpdates.length === 1 ? refUpdates[0] : undefined);
  const pushedAt = resource.iso('date');
  return refUpdates.map((update) => {
    const after = update.requireText('newObjectId');
    const own = update === ownerOfCommits ? commits : [];
    return omitUndefined({
      kind: 'push',
      repository,
      ref: update.requireText('name'),
      before: update.text('oldObjectId'),
      after,
      pusher,
      commits: own,
      deleted: isZeroSha(after),
      occurredAt: pushedAt ?? latestTimestamp(...own.map((commit) => commit.timestamp)) ?? raisedAt,
    });
  });
}

function gitActor(person: PayloadReader | undefined): ActorRef | undefined {
  if (!person) return undefined;
  return presentActor({ name: person.text('name'), email: person.text('email') });
}

function commitData(commit: PayloadReader): CommitData {
  const author = commit.obj('author');
  const committer = commit.obj('committer');
  return omitUndefined({
    sha: commit.requireText('commitId'),
    message: commit.str('comment') ?? '',
    author: gitActor(author) ?? {},
    committer: gitActor(committer),
    timestamp:
      author?.iso('date') ??
      committer?.iso('date') ??
      commit.fail('has no author or committer date'),
    url: commit.text('remoteUrl') ?? commit.text('url'),
    // Push payloads do not list the files a commit changed.
    added: [],
    modified: [],
    removed: [],
  });
}
