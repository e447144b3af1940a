import type { ActorRef, RepositoryRef } from '../../../activity/domain-events';
import { presentActor, textsOf } from '../forge-readers';
import { omitUndefined, type PayloadReader } from '../payload-reader';

export function repositoryRef(payload: PayloadReader): RepositoryRef {
  const repository = payload.requireObj('repository');
  const fullName = repository.requireText('full_name');
  return omitUndefined({
    externalId: repository.requireId('id'),
    fullName,
    name: repository.text('name') ?? fullName.slice(fullName.lastIndexOf('/') + 1),
    defaultBranch: repository.text('default_branch') ?? repository.text('master_branch'),
    url: repository.text('html_url'),
    private: repository.bool('private'),
  });
}

/** A GitHub account (user, bot or organization) as an actor; undefined when nothing identifies it. */
export function accountRef(account: PayloadReader | undefined): ActorRef | undefined {
  if (account === undefined) return undefined;
  const externalId = account.id('id');
  const login = account.text('login');
  if (externalId === undefined && login === undefined) return undefined;
  const type = account.text('type');
  return omitUndefined({
    externalId,
    login,
    name: account.text('name'),
    email: account.text('email'),
    avatarUrl: account.text('avatar_url'),
    bot: type === undefined ? undefined : type === 'Bot',
  });
}

/** A git author or committer: known by name and email, plus the login when GitHub matched one. */
export function gitActorRef(person: PayloadReader | undefined): ActorRef | undefined {
  if (person === undefined) return undefined;
  return presentActor({
    name: person.text('name'),
    email: person.text('email'),
    login: person.text('username'),
  });
}

export function accountRefs(accounts: PayloadReader[]): ActorRef[] {
  return accounts.map(accountRef).filter((actor): actor is ActorRef => actor !== undefined);
}

export function labelNames(record: PayloadReader): string[] {
  return textsOf(record.objects('labels'), 'name');
}

/** The `state` of an issue or pull request as GitHub sends it; undefined when absent. */
export function openOrClosed(record: PayloadReader): 'open' | 'closed' | undefined {
  const state = record.text('state');
  switch (state) {
    case undefined:
    case 'open':
    case 'closed':
      return state;
    default:
      return record.fail(`is "${state}", expected "open" or "closed"`, 'state');
  }
}
