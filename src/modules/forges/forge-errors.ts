import { OriginRefusal } from './origin-guard';

/** An outbound URL whose origin is not configured for the source. Never retried. */
export class ForgeOriginRefusedError extends Error {
  constructor(
    readonly reason: OriginRefusal,
    readonly forge: string,
  ) {
    super(`outbound ${forge} request refused: the URL's origin is not configured (${reason})`);
    this.name = 'ForgeOriginRefusedError';
  }
}

/** A source whose forge API Hookyard may not call. */
export class NoApiCredentialsError extends Error {
  constructor(source: string) {
    super(`no API credentials for this source (${source})`);
    this.name = 'NoApiCredentialsError';
  }
}

/** A forge call that did not succeed. `transient` says whether trying later may help. */
export class ForgeRequestError extends Error {
  constructor(
    message: string,
    readonly status: number | undefined,
    readonly transient: boolean,
  ) {
    super(message);
    this.name = 'ForgeRequestError';
  }
}
