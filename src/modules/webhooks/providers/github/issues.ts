import type { DomainEvent, IssueAction, IssueEvent } from '../../../activity/domain-events';
import { omitUndefined, type PayloadReader } from '../payload-reader';
import { accountRef, labelNames, openOrClosed, repositoryRef } from './github-readers';

function issueAction(action: string | undefined): IssueAction {
  switch (action) {
    case 'opened':
    case 'edited':
    case 'closed':
    case 'reopened':
    case 'labeled':
      return action;
    case undefined:
    default:
      return 'other';
  }
}

export function normalizeIssue(payload: PayloadReader): DomainEvent[] {
  const repository = repositoryRef(payload);
  const issue = payload.requireObj('issue');
  // Pull requests are issues to GitHub and some `issues` actions (e.g. milestoned) fire for them;
  // the pull request itself is recorded from pull_request events.
  if (issue.has('pull_request')) return [];
  const closedAt = issue.iso('closed_at');
  const updatedAt = issue.requireIso('updated_at');
  const event: IssueEvent = omitUndefined({
    kind: 'issue' as const,
    repository,
    action: issueAction(payload.text('action')),
    actor: accountRef(payload.obj('sender')),
    issue: omitUndefined({
      externalId: issue.requireId('id'),
      number: issue.requireInt('number'),
      title: issue.requireStr('title'),
      body: issue.str('body'),
      // pinned/unpinned payloads omit `state`; closed_at is set exactly when an issue is closed.
      state: openOrClosed(issue) ?? (closedAt === undefined ? 'open' : 'closed'),
      author: accountRef(issue.obj('user')),
      labels: labelNames(issue),
      url: issue.text('html_url'),
      createdAt: issue.requireIso('created_at'),
      updatedAt,
      closedAt,
    }),
    occurredAt: updatedAt,
  });
  return [event];
}
