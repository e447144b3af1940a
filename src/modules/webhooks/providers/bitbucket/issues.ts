import type { IssueAction, IssueEvent } from '../../../activity/domain-events';
import { omitUndefined, type PayloadReader } from '../payload-reader';
import { actorAt, htmlUrl, repositoryOf } from './bitbucket-readers';

const OPEN_ISSUE_STATES = new Set(['new', 'open', 'submitted', 'on hold']);

const CLOSED_ISSUE_STATES = new Set(['resolved', 'duplicate', 'invalid', 'wontfix', 'closed']);

function issueState(reader: PayloadReader, key: string): 'open' | 'closed' {
  const state = reader.requireText(key);
  if (OPEN_ISSUE_STATES.has(state)) return 'open';
  if (CLOSED_ISSUE_STATES.has(state)) return 'closed';
  return reader.fail('is not a known issue state', key);
}

export function issueEvent(root: PayloadReader, event: string): IssueEvent {
  const issue = root.requireObj('issue');
  const id = issue.requireInt('id');
  const state = issueState(issue, 'state');
  const updatedAt = issue.requireIso('updated_on');
  const action = event === 'issue:created' ? 'opened' : issueUpdateAction(root.obj('changes'));
  return omitUndefined({
    kind: 'issue',
    repository: repositoryOf(root),
    action,
    actor: actorAt(root, 'actor'),
    issue: omitUndefined({
      externalId: String(id),
      number: id,
      title: issue.requireStr('title'),
      body: issue.obj('content')?.text('raw'),
      state,
      author: actorAt(issue, 'reporter'),
      labels: [],
      url: htmlUrl(issue),
      createdAt: issue.requireIso('created_on'),
      updatedAt,
      // Bitbucket sends no close time: the closing update is it.
      closedAt: action === 'closed' ? updatedAt : undefined,
    }),
    occurredAt: updatedAt,
  });
}

/** What an `issue:updated` did, from the state change it lists (`state`, or `status` in older payloads). */
function issueUpdateAction(changes: PayloadReader | undefined): IssueAction {
  const stateChange = changes?.obj('state') ?? changes?.obj('status');
  if (!stateChange) return 'edited';
  const before = stateChange.text('old');
  const after = stateChange.text('new');
  if (before === undefined || after === undefined) return 'edited';
  const wasClosed = CLOSED_ISSUE_STATES.has(before);
  const isClosed = CLOSED_ISSUE_STATES.has(after);
  if (!wasClosed && isClosed) return 'closed';
  if (wasClosed && !isClosed) return 'reopened';
  return 'edited';
}
