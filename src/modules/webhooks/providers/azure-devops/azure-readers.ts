import type { ActorRef, RepositoryRef } from '../../../activity/domain-events';
import { EVENT_TIME_UNKNOWN, presentActor } from '../forge-readers';
import { omitUndefined, PayloadReader } from '../payload-reader';

/**
 * What every Azure DevOps service hook shares: the envelope (`id`, `eventType`, `createdDate`,
 * `resource`, `resourceContainers`), identities, and Git repositories.
 */
export interface AzureEnvelope {
  root: PayloadReader;
  resource: PayloadReader;
  /** When Azure DevOps raised the event: the only "last changed" time some resources carry. */
  raisedAt: string;
}

export function envelopeOf(payload: unknown, event: string): AzureEnvelope {
  const root = PayloadReader.root(payload, `Azure DevOps ${event} payload`);
  return {
    root,
    resource: root.requireObj('resource'),
    raisedAt: root.iso('createdDate') ?? EVENT_TIME_UNKNOWN,
  };
}

const HEADS = 'refs/heads/';

/** `refs/heads/main` → `main`; other refs as they are. */
export function branchName(ref: string): string;
export function branchName(ref: string | undefined): string | undefined;
export function branchName(ref: string | undefined): string | undefined {
  return ref?.startsWith(HEADS) ? ref.slice(HEADS.length) : ref;
}

/**
 * A Git repository (`resource.repository` and the like). Azure DevOps names repositories inside
 * a project, so the full name is `project/repository`; the id is the repository's GUID.
 */
export function gitRepository(repository: PayloadReader, projectName?: string): RepositoryRef {
  const name = repository.requireText('name');
  const project =
    repository.obj('project')?.text('name') ??
    projectName ??
    repository.fail('names no project (project.name)');
  return omitUndefined({
    externalId: repository.requireId('id'),
    fullName: `${project}/${name}`,
    name,
    defaultBranch: branchName(repository.text('defaultBranch')),
    url: repository.text('webUrl') ?? repository.text('remoteUrl'),
  });
}

/**
 * An Azure DevOps identity (`createdBy`, `pushedBy`, reviewers, …). `uniqueName` is the sign-in
 * name: often an email address, but not one Azure DevOps vouches for, so it is the login.
 */
export function identityActor(identity: PayloadReader): ActorRef {
  return (
    presentActor({
      externalId: identity.id('id'),
      login: identity.text('uniqueName'),
      name: identity.text('displayName'),
      avatarUrl: identity.text('imageUrl') ?? identity.obj('_links')?.obj('avatar')?.text('href'),
    }) ?? {}
  );
}

export function actorAt(reader: PayloadReader | undefined, key: string): ActorRef | undefined {
  const identity = reader?.obj(key);
  if (!identity) return undefined;
  const actor = identityActor(identity);
  return Object.keys(actor).length === 0 ? undefined : actor;
}

/** Web links: `_links.web.href` (builds, releases) or `_links.html.href` (work items). */
export function webLink(reader: PayloadReader | undefined): string | undefined {
  const links = reader?.obj('_links');
  return links?.obj('web')?.text('href') ?? links?.obj('html')?.text('href');
}
