import type { CommitData, PushEvent } from '../../../activity/domain-events';
import {
  EVENT_TIME_UNKNOWN,
  isZeroSha,
  latestTimestamp,
  presentActor,
  type WebhookHeaders,
} from '../forge-readers';
import { omitUndefined, type PayloadReader, toIsoTimestamp } from '../payload-reader';
import { headerValue } from '../signatures';
import { emailOf, repositoryOf } from './gitlab-readers';

export function pushEvent(root: PayloadReader, event: string, headers: WebhookHeaders): PushEvent {
  const after = root.text('after');
  const commits = root.objects('commits').map(commitData);
  const ref = root.requireText('ref');
  const prefix = event === 'Tag Push Hook' ? 'refs/tags/' : 'refs/heads/';
  return omitUndefined({
    kind: 'push',
    repository: repositoryOf(root),
    ref: ref.startsWith('refs/') ? ref : `${prefix}${ref}`,
    before: root.text('before'),
    after,
    pusher: presentActor({
      externalId: root.id('user_id'),
      login: root.text('user_username'),
      name: root.text('user_name'),
      email: emailOf(root.text('user_email')),
      avatarUrl: root.text('user_avatar'),
    }),
    commits,
    deleted: isZeroSha(after),
    occurredAt:
      commits.find((commit) => commit.sha === after)?.timestamp ??
      latestTimestamp(...commits.map((commit) => commit.timestamp)) ??
      toIsoTimestamp(Number(headerValue(headers, 'webhook-timestamp'))) ??
      EVENT_TIME_UNKNOWN,
  });
}

function commitData(commit: PayloadReader): CommitData {
  const author = commit.obj('author');
  return omitUndefined({
    sha: commit.requireText('id'),
    message: commit.str('message') ?? '',
    author: author
      ? omitUndefined({ name: author.text('name'), email: emailOf(author.text('email')) })
      : {},
    timestamp: commit.requireIso('timestamp'),
    url: commit.text('url'),
    added: commit.strings('added'),
    modified: commit.strings('modified'),
    removed: commit.strings('removed'),
  });
}
