import {
  Provider,
  type DomainEvent,
  type IdentifyResult,
  type IncomingWebhook,
  type ProviderAdapter,
  type SourceSecrets,
  type VerifyResult,
} from '../provider-adapter';
import { normalizeBitbucket } from './normalize';
import { headerValue, payloadString, verifyHexHmacSignature } from '../signatures';
import { hmacSecretScheme } from '../secret-schemes';

const SIGNATURE_HEADER = 'x-hub-signature';
const EVENT_HEADER = 'x-event-key';
const DELIVERY_HEADER = 'x-request-uuid';

/** Bitbucket Cloud. */
export class BitbucketAdapter implements ProviderAdapter {
  readonly provider = Provider.Bitbucket;
  readonly displayName = 'Bitbucket Cloud';
  readonly secrets = hmacSecretScheme('BITBUCKET_WEBHOOK_SECRET');
  readonly secretHeaders = [SIGNATURE_HEADER];

  verify(webhook: IncomingWebhook, secrets: SourceSecrets): VerifyResult {
    return verifyHexHmacSignature({
      rawBody: webhook.rawBody,
      signature: headerValue(webhook.headers, SIGNATURE_HEADER),
      prefix: 'sha256=',
      headerName: 'X-Hub-Signature',
      secrets: secrets.hmac,
    });
  }

  identify(webhook: IncomingWebhook): IdentifyResult {
    const event = headerValue(webhook.headers, EVENT_HEADER);
    if (event === undefined) {
      return {
        ok: false,
        reason: 'missing_event_header',
        message: 'The X-Event-Key header is missing',
      };
    }
    const deliveryId = headerValue(webhook.headers, DELIVERY_HEADER);
    if (deliveryId === undefined) {
      return {
        ok: false,
        reason: 'missing_delivery_id',
        message: 'The X-Request-UUID header is missing',
      };
    }
    return {
      ok: true,
      identity: {
        deliveryId,
        // The event key already says what happened (`pullrequest:fulfilled`); there is no action.
        event,
        repository: payloadString(webhook.payload, 'repository', 'full_name'),
      },
    };
  }

  normalize(event: string, payload: unknown): DomainEvent[] {
    return normalizeBitbucket(event, payload);
  }
}
