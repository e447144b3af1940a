import type { ActorRef, CommitData, PushEvent } from '../../../activity/domain-events';
import { EVENT_TIME_UNKNOWN, isZeroSha, latestTimestamp, presentActor } from '../forge-readers';
import { omitUndefined, type PayloadReader } from '../payload-reader';
import { actorAt, repositoryOf } from './gitea-readers';

export function pushEvent(root: PayloadReader): PushEvent {
  const after = root.text('after');
  const commits = root.objects('commits').map(commitData);
  const headCommit = root.obj('head_commit');
  return omitUndefined({
    kind: 'push',
    repository: repositoryOf(root),
    ref: root.requireText('ref'),
    before: root.text('before'),
    after,
    pusher: actorAt(root, 'pusher') ?? actorAt(root, 'sender'),
    commits,
    deleted: isZeroSha(after),
    // A push without commits (a deletion) has no time of its own; Gitea bumps the
    // repository's updated_at on every push, so that is the next best.
    occurredAt:
      headCommit?.iso('timestamp') ??
      latestTimestamp(...commits.map((commit) => commit.timestamp)) ??
      root.obj('repository')?.iso('updated_at') ??
      EVENT_TIME_UNKNOWN,
  });
}

function commitData(commit: PayloadReader): CommitData {
  return omitUndefined({
    sha: commit.requireText('id'),
    message: commit.str('message') ?? '',
    author: gitIdentity(commit.obj('author')) ?? {},
    committer: gitIdentity(commit.obj('committer')),
    timestamp: commit.requireIso('timestamp'),
    url: commit.text('url'),
    added: commit.strings('added'),
    modified: commit.strings('modified'),
    removed: commit.strings('removed'),
  });
}

/** A commit author or committer: name and e-mail from git, `username` when Gitea knows them. */
function gitIdentity(identity: PayloadReader | undefined): ActorRef | undefined {
  if (!identity) return undefined;
  return presentActor({
    login: identity.text('username'),
    name: identity.text('name'),
    email: identity.text('email'),
  });
}
