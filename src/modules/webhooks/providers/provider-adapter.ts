/** The forges Hookyard receives webhooks from. The value is the URL segment. */
export enum Provider {
  GitHub = 'github',
  GitLab = 'gitlab',
  Gitea = 'gitea',
  Bitbucket = 'bitbucket',
  AzureDevOps = 'azure-devops',
  BitbucketServer = 'bitbucket-server',
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
 * What a stored secret is, which decides how an adapter uses it:
 * - hmac: HMAC-SHA256 keys (GitHub, Gitea, Bitbucket Cloud and Data Center)
 * - token: shared tokens compared as they are (GitLab X-Gitlab-Token)
 * - signing: Standard Webhooks `whsec_` signing keys (GitLab >= 19)
 * - basic: HTTP Basic credentials `username:password` (Azure DevOps service hooks)
 */
export const SECRET_KINDS = ['hmac', 'token', 'signing', 'basic'] as const;
export type SecretKind = (typeof SECRET_KINDS)[number];

/** The secrets of one source, by kind. A list means rotation: any one verifies. */
export type SourceSecrets = Readonly<Record<SecretKind, readonly string[]>>;

export const NO_SECRETS: SourceSecrets = { hmac: [], token: [], signing: [], basic: [] };

/**
 * The environment as an adapter may read it for its default source. Only config.ts reads
 * process.env; it hands adapters this view, which collects problems instead of throwing.
 */
export interface SecretEnvironment {
  /** A comma-separated list (rotation); `check` names a problem with one entry, never its value. */
  list(name: string, check?: (entry: string) => string | undefined): string[];
  optional(name: string): string | undefined;
  /** Reports a configuration problem; the start stops with one line per problem. */
  problem(message: string): void;
}

/** How a forge's secrets are configured: environment variables and named sources' secrets. */
export interface SecretScheme {
  /** The environment variables of the default source (for documentation and its tests). */
  readonly variables: readonly string[];
  /** The default source's secrets, read from the environment through `env` only. */
  fromEnvironment(env: SecretEnvironment): Partial<SourceSecrets>;
  /**
   * The kind a secret given to the admin API is stored as, or a problem (an answer 400) when it
   * can never verify anything. The problem never repeats the secret.
   */
  kindOf(secret: string): SecretKind | { problem: string };
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
  /** What the forge is called in messages and documentation (e.g. `Bitbucket Data Center`). */
  readonly displayName: string;
  /** Its secrets: environment variables of the default source, kinds of named sources' secrets. */
  readonly secrets: SecretScheme;
  /**
   * Request headers that carry a credential or signature (lower case). They must be in
   * SECRET_HEADERS (core/observability/logging.ts), so they are neither logged nor stored; a
   * test checks that for every adapter.
   */
  readonly secretHeaders: readonly string[];
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
