/** The forges Hookyard receives webhooks from. The value is the URL segment. */
export enum Provider {
  GitHub = 'github',
  GitLab = 'gitlab',
  Gitea = 'gitea',
  Bitbucket = 'bitbucket',
}

export const ALL_PROVIDERS: readonly Provider[] = Object.values(Provider);

export function isProvider(value: string): value is Provider {
  return (ALL_PROVIDERS as readonly string[]).includes(value);
}

/** One HTTP delivery as received, before anything is trusted. */
export interface IncomingWebhook {
  /** Header names in lower case; a repeated header is joined with ", " (Node's rule). */
  headers: Readonly<Record<string, string | undefined>>;
  /** The body exactly as received: signatures are computed over these bytes. */
  rawBody: Buffer;
  /** The JSON payload (for GitHub form bodies, the parsed `payload` field). */
  payload: unknown;
  /** Time of receipt, for timestamp tolerance checks (Standard Webhooks). */
  receivedAt: Date;
}

/**
 * The secrets of one source, by kind. A list means rotation: any one verifies.
 * - hmac: GitHub, Gitea and Bitbucket HMAC-SHA256 secrets
 * - token: GitLab X-Gitlab-Token shared tokens
 * - signing: GitLab Standard Webhooks `whsec_` signing keys
 */
export interface SourceSecrets {
  hmac: readonly string[];
  token: readonly string[];
  signing: readonly string[];
}

export type VerifyResult =
  | { ok: true }
  | {
      ok: false;
      /**
       * Short machine-readable reason, used as a metric label. Every reason but
       * `signature_mismatch` must follow from the headers and secrets alone: the
       * WebhookScreen runs `verify` on an empty body, before the body is read, and refuses
       * those at once.
       */
      reason:
        | 'no_secret_configured'
        | 'missing_signature'
        | 'malformed_signature'
        | 'signature_mismatch'
        | 'timestamp_out_of_tolerance';
      /** A message for the client; never contains a secret or the expected signature. */
      message: string;
    };

/** What the provider's headers and payload say this delivery is. */
export interface DeliveryIdentity {
  /** The forge's own id for this delivery (retries of one delivery share it). */
  deliveryId: string;
  /** The event name as the forge spells it (e.g. `push`, `Merge Request Hook`, `repo:push`). */
  event: string;
  /** The payload's action, when the event has one (e.g. `opened`). */
  action?: string;
  /** `owner/name` (or the forge's full path) of the repository, when the payload names one. */
  repository?: string;
  /** Pings and test deliveries: stored, then marked ignored. */
  isPing: boolean;
}

export type IdentifyResult =
  | { ok: true; identity: DeliveryIdentity }
  | { ok: false; reason: 'missing_event_header' | 'missing_delivery_id'; message: string };

import type { DomainEvent } from '../../activity/domain-events';

export type { DomainEvent };

/**
 * Everything provider-specific about receiving a webhook. Adding a forge means adding one
 * adapter; nothing after it knows which forge a delivery came from.
 */
export interface ProviderAdapter {
  readonly provider: Provider;
  /** Checks the signature or token on the raw body, in constant time. Fails closed. */
  verify(webhook: IncomingWebhook, secrets: SourceSecrets): VerifyResult;
  /** Reads the delivery id, event, action and repository. */
  identify(webhook: IncomingWebhook): IdentifyResult;
  /**
   * Turns a stored delivery into provider-neutral domain events. An empty list means "not an
   * event we model" (the delivery is marked ignored). Throws UnreadablePayloadError when the
   * payload does not have the shape its event promises (the delivery goes to dead).
   */
  normalize(
    event: string,
    payload: unknown,
    headers: Readonly<Record<string, string | undefined>>,
  ): DomainEvent[];
}
