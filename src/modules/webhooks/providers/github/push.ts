import type { ActorRef, CommitData, DomainEvent, PushEvent } from '../../../activity/domain-events';
import { isZeroSha } from '../forge-readers';
import { omitUndefined, type PayloadReader } from '../payload-reader';
import { accountRef, gitActorRef, repositoryRef } from './github-readers';

export function normalizePush(payload: PayloadReader): DomainEvent[] {
  const repository = repositoryRef(payload);
  const after = payload.text('after');
  const headCommit = payload.obj('head_commit');
  const occurredAt =
    // pushed_at is GitHub's own clock at the push; commit timestamps are set by the committer
    // and can be days old (rebases, cherry-picks) or skewed.
    payload.obj('repository')?.iso('pushed_at') ??
    headCommit?.iso('timestamp') ??
    payload.obj('repository')?.iso('updated_at') ??
    payload.fail('has no time to date the push by (repository.pushed_at, head_commit.timestamp)');
  const event: PushEvent = omitUndefined({
    kind: 'push' as const,
    repository,
    ref: payload.requireText('ref'),
    before: payload.text('before'),
    after,
    pusher: pusherRef(payload),
    commits: payload.objects('commits').map(commitData),
    deleted: payload.bool('deleted') ?? isZeroSha(after),
    forced: payload.bool('forced'),
    occurredAt,
  });
  return [event];
}

function pusherRef(payload: PayloadReader): ActorRef | undefined {
  const sender = accountRef(payload.obj('sender'));
  const pusher = payload.obj('pusher');
  if (pusher === undefined) return sender;
  const name = pusher.text('name');
  const email = pusher.text('email');
  // GitHub puts the pusher's login in `name` but no account id; the sender carries the id when
  // it is the same account.
  if (sender !== undefined && name !== undefined && sender.login === name) {
    return omitUndefined({ ...sender, email: email ?? sender.email });
  }
  return gitActorRef(pusher);
}

function commitData(commit: PayloadReader): CommitData {
  return omitUndefined({
    sha: commit.requireText('id'),
    message: commit.requireStr('message'),
    author: gitActorRef(commit.obj('author')) ?? {},
    committer: gitActorRef(commit.obj('committer')),
    timestamp: commit.requireIso('timestamp'),
    url: commit.text('url'),
    added: commit.strings('added'),
    modified: commit.strings('modified'),
    removed: commit.strings('removed'),
  });
}
