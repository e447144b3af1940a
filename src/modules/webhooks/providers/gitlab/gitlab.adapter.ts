import { signingKeyProblem } from '../../../../config/signing-key';
import {
  Provider,
  type DomainEvent,
  type IdentifyResult,
  type IncomingWebhook,
  type ProviderAdapter,
  type SecretScheme,
  type SourceSecrets,
  type VerifyResult,
} from '../provider-adapter';
import { normalizeGitLab } from './normalize';
import {
  configuredSecrets,
  constantTimeEqualsAny,
  headerValue,
  payloadString,
  verifyStandardWebhook,
} from '../signatures';

const STANDARD_WEBHOOKS_SIGNATURE_HEADER = 'webhook-signature';
const TOKEN_HEADER = 'x-gitlab-token';
const EVENT_HEADER = 'x-gitlab-event';
// Idempotency-Key is shared by retries of one delivery; the others are fallbacks for older GitLab.
const DELIVERY_HEADERS = ['idempotency-key', 'webhook-id', 'x-gitlab-event-uuid'];
// A Standard Webhooks signature covers webhook-id (and retries keep it): for a signed delivery
// that is its identity, so a captured request re-sent under a new Idempotency-Key is a duplicate.
const SIGNED_DELIVERY_HEADERS = ['webhook-id'];
const SIGNING_KEY_PREFIX = 'whsec_';

const isStandardWebhooksKey = (entry: string): string | undefined => {
  const problem = signingKeyProblem(entry);
  return problem === undefined ? undefined : `must be a whsec_<base64> signing token: ${problem}`;
};

/** Shared tokens, and Standard Webhooks signing keys (`whsec_…`) for GitLab >= 19. */
const GITLAB_SECRETS: SecretScheme = {
  variables: ['GITLAB_WEBHOOK_TOKEN', 'GITLAB_WEBHOOK_SIGNING_TOKEN'],
  fromEnvironment: (env) => ({
    token: env.list('GITLAB_WEBHOOK_TOKEN'),
    signing: env.list('GITLAB_WEBHOOK_SIGNING_TOKEN', isStandardWebhooksKey),
  }),
  kindOf: (secret) => (secret.startsWith(SIGNING_KEY_PREFIX) ? 'signing' : 'token'),
};

export class GitLabAdapter implements ProviderAdapter {
  readonly provider = Provider.GitLab;
  readonly displayName = 'GitLab';
  readonly secrets = GITLAB_SECRETS;
  readonly secretHeaders = [TOKEN_HEADER, STANDARD_WEBHOOKS_SIGNATURE_HEADER];

  verify(webhook: IncomingWebhook, secrets: SourceSecrets): VerifyResult {
    // GitLab >= 19 signs with Standard Webhooks; a signed delivery is never checked by token.
    if (headerValue(webhook.headers, STANDARD_WEBHOOKS_SIGNATURE_HEADER) !== undefined) {
      return verifyStandardWebhook(webhook, secrets.signing);
    }
    return this.verifyToken(webhook, secrets.token);
  }

  identify(webhook: IncomingWebhook): IdentifyResult {
    const event = headerValue(webhook.headers, EVENT_HEADER);
    if (event === undefined) {
      return {
        ok: false,
        reason: 'missing_event_header',
        message: 'The X-Gitlab-Event header is missing',
      };
    }
    const signed = headerValue(webhook.headers, STANDARD_WEBHOOKS_SIGNATURE_HEADER) !== undefined;
    const deliveryId = headerValue(
      webhook.headers,
      ...(signed ? SIGNED_DELIVERY_HEADERS : DELIVERY_HEADERS),
    );
    if (deliveryId === undefined) {
      return {
        ok: false,
        reason: 'missing_delivery_id',
        message: signed
          ? 'A signed delivery needs its webhook-id header'
          : 'None of the Idempotency-Key, webhook-id or X-Gitlab-Event-UUID headers is present',
      };
    }
    return {
      ok: true,
      identity: {
        deliveryId,
        event,
        action: payloadString(webhook.payload, 'object_attributes', 'action'),
        repository: payloadString(webhook.payload, 'project', 'path_with_namespace'),
        // GitLab's "Test" button sends the live event name and payload, so a test is not a ping.
      },
    };
  }

  normalize(
    event: string,
    payload: unknown,
    headers: Readonly<Record<string, string | undefined>>,
  ): DomainEvent[] {
    return normalizeGitLab(event, payload, headers);
  }

  private verifyToken(webhook: IncomingWebhook, tokens: readonly string[]): VerifyResult {
    const configuredTokens = configuredSecrets(tokens);
    if (configuredTokens.length === 0) {
      return {
        ok: false,
        reason: 'no_secret_configured',
        message: 'No webhook token is configured for this source, so no delivery is accepted',
      };
    }
    const presentedToken = headerValue(webhook.headers, TOKEN_HEADER);
    if (presentedToken === undefined) {
      return {
        ok: false,
        reason: 'missing_signature',
        message: 'The X-Gitlab-Token header is missing or empty',
      };
    }
    if (!constantTimeEqualsAny(presentedToken, configuredTokens)) {
      return {
        ok: false,
        reason: 'signature_mismatch',
        message: 'The X-Gitlab-Token header does not match the configured token',
      };
    }
    return { ok: true };
  }
}
