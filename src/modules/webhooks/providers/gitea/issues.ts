import type { DomainEvent, IssueAction, IssueEvent } from '../../../activity/domain-events';
import { textsOf } from '../forge-readers';
import { omitUndefined, type PayloadReader } from '../payload-reader';
import { actorAt, openOrClosed, repositoryOf } from './gitea-readers';

const ISSUE_ACTIONS: Readonly<Record<string, IssueAction>> = {
  opened: 'opened',
  edited: 'edited',
  closed: 'closed',
  reopened: 'reopened',
  label_updated: 'labeled',
  label_cleared: 'labeled',
};

export function issueEvents(root: PayloadReader): DomainEvent[] {
  const issue = root.requireObj('issue');
  // Pull requests travel as `pull_request` deliveries; an issue view of one adds nothing.
  if (issue.has('pull_request')) return [];
  const giteaState = openOrClosed(issue);
  const updatedAt = issue.requireIso('updated_at');
  const giteaAction = root.text('action');
  const event: IssueEvent = omitUndefined({
    kind: 'issue',
    repository: repositoryOf(root),
    action: (giteaAction === undefined ? undefined : ISSUE_ACTIONS[giteaAction]) ?? 'other',
    actor: actorAt(root, 'sender'),
    issue: omitUndefined({
      externalId: issue.requireId('id'),
      number: issue.requireInt('number'),
      title: issue.requireStr('title'),
      body: issue.text('body'),
      state: giteaState,
      author: actorAt(issue, 'user'),
      labels: textsOf(issue.objects('labels'), 'name'),
      url: issue.text('html_url'),
      createdAt: issue.requireIso('created_at'),
      updatedAt,
      closedAt: issue.iso('closed_at'),
    }),
    occurredAt: updatedAt,
  });
  return [event];
}
