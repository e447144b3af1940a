import type { ActorRef, RepositoryRef } from '../../../activity/domain-events';
import { textsOf } from '../forge-readers';
import { omitUndefined, type PayloadReader } from '../payload-reader';

const PUBLIC_VISIBILITY_LEVEL = 20;
// GitLab replaces hidden e-mail addresses with this marker instead of leaving them out.

const REDACTED = '[REDACTED]';

export function repositoryOf(root: PayloadReader): RepositoryRef {
  const project = root.obj('project');
  if (project) {
    const visibility = project.int('visibility_level');
    return omitUndefined({
      externalId: projectId(root, project),
      fullName: project.requireText('path_with_namespace'),
      name: project.requireText('name'),
      defaultBranch: project.text('default_branch'),
      url: project.text('web_url'),
      private: visibility === undefined ? undefined : visibility !== PUBLIC_VISIBILITY_LEVEL,
    });
  }
  return legacyJobRepository(root);
}

/** Older GitLab sent no `project.id`; the id then sits beside the project object. */
function projectId(root: PayloadReader, project: PayloadReader): string {
  const attributes = root.obj('object_attributes');
  return (
    project.id('id') ??
    root.id('project_id') ??
    attributes?.id('target_project_id') ??
    attributes?.id('project_id') ??
    project.requireId('id')
  );
}

/**
 * Job Hooks from older GitLab have no `project` object; `project_name` there is the display
 * name ("Group / Project"), so the path comes from the repository homepage instead.
 */
function legacyJobRepository(root: PayloadReader): RepositoryRef {
  const repository = root.obj('repository') ?? root.fail('is missing or not an object', 'project');
  const homepage = repository.requireText('homepage');
  let fullName: string;
  try {
    fullName = new URL(homepage).pathname.replace(/^\/+|\/+$/g, '');
  } catch {
    return repository.fail('is not a URL', 'homepage');
  }
  if (fullName === '') repository.fail('has no project path', 'homepage');
  return {
    externalId: root.requireId('project_id'),
    fullName,
    name: repository.text('name') ?? fullName.split('/').pop() ?? fullName,
    url: homepage,
  };
}

/** A GitLab user object (`user`, `assignees[]`, `reviewers[]`). */
export function userActor(user: PayloadReader): ActorRef {
  return omitUndefined({
    externalId: user.id('id'),
    login: user.text('username'),
    name: user.text('name'),
    email: emailOf(user.text('email')),
    avatarUrl: user.text('avatar_url'),
  });
}

export function emailOf(email: string | undefined): string | undefined {
  return email === REDACTED ? undefined : email;
}

export function labelsOf(root: PayloadReader, attributes: PayloadReader): string[] {
  const labels =
    root.arr('labels') !== undefined ? root.objects('labels') : attributes.objects('labels');
  return textsOf(labels, 'title');
}
