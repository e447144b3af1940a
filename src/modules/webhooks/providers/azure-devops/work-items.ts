import type { ActorRef, IssueAction, IssueEvent } from '../../../activity/domain-events';
import { parseNameAndEmail, presentActor } from '../forge-readers';
import { omitUndefined, type PayloadReader } from '../payload-reader';
import { identityActor, webLink, type AzureEnvelope } from './azure-readers';

/**
 * States that end a work item across the stock processes (Agile, Scrum, CMMI, Basic): resolved,
 * closed, done, removed. Everything else (New, Active, To Do, Doing, Committed, …) is open.
 */
const CLOSED_STATES = new Set(['resolved', 'closed', 'done', 'removed', 'completed', 'cut']);

const isClosed = (state: string | undefined): boolean =>
  state !== undefined && CLOSED_STATES.has(state.toLowerCase());

/**
 * `workitem.created` and `workitem.updated` as issues. Work items belong to a project, not to a
 * repository: they are recorded under a repository entry for the project (its GUID as the id,
 * its name as the full name). Resolving or closing is an update whose state becomes closed.
 */
export function workItemEvents({ root, resource }: AzureEnvelope, event: string): IssueEvent[] {
  const created = event === 'workitem.created';
  // An update carries the changed fields beside the whole revision after it.
  const item = created ? resource : resource.requireObj('revision');
  const fields = item.requireObj('fields');
  const number = created ? resource.requireInt('id') : resource.requireInt('workItemId');
  const projectId =
    root.obj('resourceContainers')?.obj('project')?.id('id') ??
    root.fail('names no project (resourceContainers.project.id)');
  const projectName = fields.requireText('System.TeamProject');
  const state = fields.requireText('System.State');
  const closed = isClosed(state);
  const createdAt = fields.requireIso('System.CreatedDate');
  // revisedDate is 9999-01-01 on the current revision: ChangedDate is the time of the change.
  const updatedAt = fields.iso('System.ChangedDate') ?? createdAt;
  const action = created ? 'opened' : updateAction(resource.obj('fields')?.obj('System.State'));
  return [
    omitUndefined({
      kind: 'issue',
      repository: { externalId: projectId, fullName: projectName, name: projectName },
      action,
      actor: created
        ? personField(fields, 'System.CreatedBy')
        : (personAt(resource, 'revisedBy') ?? personField(fields, 'System.ChangedBy')),
      issue: omitUndefined({
        externalId: String(number),
        number,
        title: fields.requireStr('System.Title'),
        body: fields.text('System.Description'),
        state: closed ? 'closed' : 'open',
        author: personField(fields, 'System.CreatedBy'),
        labels: tags(fields.text('System.Tags')),
        url: webLink(item) ?? webLink(resource),
        createdAt,
        updatedAt,
        closedAt: closed
          ? (fields.iso('Microsoft.VSTS.Common.ClosedDate') ??
            fields.iso('Microsoft.VSTS.Common.ResolvedDate') ??
            updatedAt)
          : undefined,
      }),
      occurredAt: updatedAt,
    }),
  ];
}

function updateAction(stateChange: PayloadReader | undefined): IssueAction {
  const before = stateChange?.text('oldValue');
  const after = stateChange?.text('newValue');
  if (before === undefined || after === undefined) return 'edited';
  if (!isClosed(before) && isClosed(after)) return 'closed';
  if (isClosed(before) && !isClosed(after)) return 'reopened';
  return 'edited';
}

/** Identity fields are objects in current payloads and `Name <email>` strings in older ones. */
function personField(fields: PayloadReader, key: string): ActorRef | undefined {
  const identity = fields.obj(key);
  if (identity) return presentActor(identityActor(identity));
  const text = fields.text(key);
  return text === undefined ? undefined : presentActor(parseNameAndEmail(text));
}

function personAt(reader: PayloadReader, key: string): ActorRef | undefined {
  const identity = reader.obj(key);
  return identity ? presentActor(identityActor(identity)) : undefined;
}

/** `System.Tags` is one string: `tag one; tag two`. */
function tags(value: string | undefined): string[] {
  return (value ?? '')
    .split(';')
    .map((tag) => tag.trim())
    .filter((tag) => tag.length > 0);
}
