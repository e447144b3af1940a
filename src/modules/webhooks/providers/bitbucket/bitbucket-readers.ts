import type { ActorRef, RepositoryRef } from '../../../activity/domain-events';
import { omitUndefined, type PayloadReader } from '../payload-reader';

export function repositoryOf(root: PayloadReader): RepositoryRef {
  const repository = root.requireObj('repository');
  return omitUndefined({
    externalId: repository.requireId('uuid'),
    fullName: repository.requireText('full_name'),
    name: repository.requireText('name'),
    defaultBranch: repository.obj('mainbranch')?.text('name'),
    url: htmlUrl(repository),
    private: repository.bool('is_private'),
  });
}

export function htmlUrl(reader: PayloadReader): string | undefined {
  return reader.obj('links')?.obj('html')?.text('href');
}

/** A Bitbucket account (`actor`, `author`, `user`, …). */
export function accountActor(account: PayloadReader): ActorRef {
  const type = account.text('type');
  return omitUndefined({
    externalId: account.id('uuid') ?? account.id('account_id'),
    login: account.text('nickname') ?? account.text('username'),
    name: account.text('display_name'),
    avatarUrl: account.obj('links')?.obj('avatar')?.text('href'),
    bot: type === 'app_user' ? true : type === 'user' ? false : undefined,
  });
}

export function actorAt(reader: PayloadReader, key: string): ActorRef | undefined {
  const account = reader.obj(key);
  return account ? accountActor(account) : undefined;
}
