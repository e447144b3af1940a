import type { ActorRef, RepositoryRef } from '../../../activity/domain-events';
import { EVENT_TIME_UNKNOWN, presentActor } from '../forge-readers';
import { omitUndefined, PayloadReader } from '../payload-reader';

/** What every Bitbucket Data Center delivery shares: the payload and its event time (`date`). */
export interface ServerEnvelope {
  root: PayloadReader;
  /** When Bitbucket raised the event (`2026-03-02T11:05:00+0100`). */
  raisedAt: string;
}

export function envelopeOf(payload: unknown, event: string): ServerEnvelope {
  const root = PayloadReader.root(payload, `Bitbucket Data Center ${event} payload`);
  return { root, raisedAt: root.iso('date') ?? EVENT_TIME_UNKNOWN };
}

/** Bitbucket Data Center sends record times as Unix milliseconds. */
export function millisIso(reader: PayloadReader, key: string): string | undefined {
  const millis = reader.int(key);
  if (millis === undefined) return undefined;
  const date = new Date(millis);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

export function requireMillisIso(reader: PayloadReader, key: string): string {
  return millisIso(reader, key) ?? reader.fail('is missing or not a time in milliseconds', key);
}

/** The first `links.self[].href`: the web page of a repository, pull request or user. */
export function selfLink(reader: PayloadReader | undefined): string | undefined {
  return reader?.obj('links')?.objects('self')[0]?.text('href');
}

/**
 * A repository. Its full name is `PROJECT/slug` as in Bitbucket's own URLs (`~user/slug` for
 * personal repositories); its id is the numeric repository id.
 */
export function serverRepository(repository: PayloadReader): RepositoryRef {
  const slug = repository.requireText('slug');
  const isPublic = repository.bool('public');
  return omitUndefined({
    externalId: repository.requireId('id'),
    fullName: `${repository.requireObj('project').requireText('key')}/${slug}`,
    name: repository.text('name') ?? slug,
    url: selfLink(repository),
    private: isPublic === undefined ? undefined : !isPublic,
  });
}

/** A user: `name` is the login; the email address is the account's own (set by the admin). */
export function serverUser(user: PayloadReader): ActorRef {
  const type = user.text('type');
  return (
    presentActor({
      externalId: user.id('id'),
      login: user.text('name') ?? user.text('slug'),
      name: user.text('displayName'),
      email: user.text('emailAddress'),
      bot: type === 'SERVICE' ? true : type === 'NORMAL' ? false : undefined,
    }) ?? {}
  );
}

export function userAt(reader: PayloadReader | undefined, key: string): ActorRef | undefined {
  const user = reader?.obj(key);
  return user ? serverUser(user) : undefined;
}
