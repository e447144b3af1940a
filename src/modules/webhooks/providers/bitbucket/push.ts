import type { ActorRef, CommitData, DomainEvent, PushEvent } from '../../../activity/domain-events';
import {
  EVENT_TIME_UNKNOWN,
  latestTimestamp,
  parseNameAndEmail,
  presentActor,
} from '../forge-readers';
import { omitUndefined, type PayloadReader } from '../payload-reader';
import { accountActor, actorAt, htmlUrl, repositoryOf } from './bitbucket-readers';

const REF_PREFIXES: Readonly<Record<string, string>> = {
  branch: 'refs/heads/',
  tag: 'refs/tags/',
  annotated_tag: 'refs/tags/',
};

/** One push event per changed ref, as Bitbucket batches several refs into one delivery. */
export function pushEvents(root: PayloadReader): DomainEvent[] {
  const repository = repositoryOf(root);
  const pusher = actorAt(root, 'actor');
  const events: PushEvent[] = [];
  for (const change of root.requireObj('push').objects('changes')) {
    const newRef = change.obj('new');
    const oldRef = change.obj('old');
    const ref = newRef ?? oldRef;
    if (!ref) continue;
    const prefix = REF_PREFIXES[ref.requireText('type')];
    // Mercurial bookmarks and named branches have no git ref.
    if (prefix === undefined) continue;
    const headTarget = newRef?.obj('target');
    const commits = change.objects('commits').map((commit) => commitData(commit, headTarget));
    events.push(
      omitUndefined({
        kind: 'push',
        repository,
        ref: `${prefix}${ref.requireText('name')}`,
        before: oldRef?.obj('target')?.text('hash'),
        after: headTarget?.text('hash'),
        pusher,
        commits,
        deleted: newRef === undefined,
        forced: change.bool('forced'),
        // A deletion has no new head; the old head's date is the latest time it carries.
        occurredAt:
          latestTimestamp(headTarget?.iso('date'), ...commits.map((commit) => commit.timestamp)) ??
          oldRef?.obj('target')?.iso('date') ??
          EVENT_TIME_UNKNOWN,
      }),
    );
  }
  return events;
}

function commitData(commit: PayloadReader, headTarget: PayloadReader | undefined): CommitData {
  const sha = commit.requireText('hash');
  // Bitbucket's documented example omits commit dates; the pushed head's date stands in.
  const timestamp =
    commit.iso('date') ??
    headTarget?.iso('date') ??
    commit.fail('is missing or not a timestamp', 'date');
  return omitUndefined({
    sha,
    message: commit.str('message') ?? '',
    author: commitAuthor(commit.obj('author')),
    timestamp,
    url: htmlUrl(commit),
    // Bitbucket does not list changed files in push payloads.
    added: [],
    modified: [],
    removed: [],
  });
}

/** `author` is `{raw: "Name <email>", user?}`; older payloads put the account there directly. */
function commitAuthor(author: PayloadReader | undefined): ActorRef {
  if (!author) return {};
  const raw = author.text('raw');
  if (raw === undefined) return accountActor(author);
  const user = author.obj('user');
  const account = user ? accountActor(user) : {};
  return (
    presentActor({
      ...account,
      ...parseNameAndEmail(raw),
    }) ?? {}
  );
}
