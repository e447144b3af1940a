import {
  Provider,
  type DomainEvent,
  type IdentifyResult,
  type IncomingWebhook,
  type ProviderAdapter,
  type SourceSecrets,
  type VerifyResult,
} from '../provider-adapter';
import { normalizeGitea } from './normalize';
import { headerValue, payloadString, verifyHexHmacSignature } from '../signatures';
import { hmacSecretScheme } from '../secret-schemes';

// Gitea also sends the Gogs names, and Forgejo sends its own beside Gitea's; first found wins.
const SIGNATURE_HEADERS = ['x-gitea-signature', 'x-forgejo-signature', 'x-gogs-signature'];
const EVENT_HEADERS = ['x-gitea-event', 'x-forgejo-event', 'x-gogs-event'];
const DELIVERY_HEADERS = ['x-gitea-delivery', 'x-forgejo-delivery', 'x-gogs-delivery'];

/** Gitea, Forgejo and Gogs. */
export class GiteaAdapter implements ProviderAdapter {
  readonly provider = Provider.Gitea;
  readonly displayName = 'Gitea';
  readonly secrets = hmacSecretScheme('GITEA_WEBHOOK_SECRET');
  readonly secretHeaders = SIGNATURE_HEADERS;

  verify(webhook: IncomingWebhook, secrets: SourceSecrets): VerifyResult {
    return verifyHexHmacSignature({
      rawBody: webhook.rawBody,
      // A hook without a secret sends these headers empty, which headerValue reads as absent.
      signature: headerValue(webhook.headers, ...SIGNATURE_HEADERS),
      prefix: '',
      headerName: 'X-Gitea-Signature',
      secrets: secrets.hmac,
    });
  }

  identify(webhook: IncomingWebhook): IdentifyResult {
    const event = headerValue(webhook.headers, ...EVENT_HEADERS);
    if (event === undefined) {
      return {
        ok: false,
        reason: 'missing_event_header',
        message: 'The X-Gitea-Event header is missing',
      };
    }
    const deliveryId = headerValue(webhook.headers, ...DELIVERY_HEADERS);
    if (deliveryId === undefined) {
      return {
        ok: false,
        reason: 'missing_delivery_id',
        message: 'The X-Gitea-Delivery header is missing',
      };
    }
    return {
      ok: true,
      identity: {
        deliveryId,
        event,
        action: payloadString(webhook.payload, 'action'),
        repository: payloadString(webhook.payload, 'repository', 'full_name'),
      },
    };
  }

  normalize(
    event: string,
    payload: unknown,
    headers: Readonly<Record<string, string | undefined>>,
  ): DomainEvent[] {
    return normalizeGitea(event, payload, headers);
  }
}
