import type { ActorRef, RepositoryRef } from '../../../activity/domain-events';
import { omitUndefined, type PayloadReader } from '../payload-reader';

export function repositoryOf(root: PayloadReader): RepositoryRef {
  const repository = root.requireObj('repository');
  return omitUndefined({
    externalId: repository.requireId('id'),
    fullName: repository.requireText('full_name'),
    name: repository.requireText('name'),
    defaultBranch: repository.text('default_branch'),
    url: repository.text('html_url'),
    private: repository.bool('private'),
  });
}

export function userActor(user: PayloadReader): ActorRef {
  return omitUndefined({
    externalId: user.id('id'),
    login: user.text('login') ?? user.text('username'),
    name: user.text('full_name'),
    email: user.text('email'),
    avatarUrl: user.text('avatar_url'),
  });
}

export function actorAt(reader: PayloadReader, key: string): ActorRef | undefined {
  const user = reader.obj(key);
  return user ? userActor(user) : undefined;
}

export function openOrClosed(reader: PayloadReader): 'open' | 'closed' {
  const state = reader.requireText('state');
  return state === 'open' || state === 'closed'
    ? state
    : reader.fail('is not a known state', 'state');
}
