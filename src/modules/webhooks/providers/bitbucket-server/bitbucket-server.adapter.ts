import {
  Provider,
  type DomainEvent,
  type IdentifyResult,
  type IncomingWebhook,
  type ProviderAdapter,
  type SourceSecrets,
  type VerifyResult,
} from '../provider-adapter';
import { hmacSecretScheme } from '../secret-schemes';
import { headerValue, payloadString, verifyHexHmacSignature } from '../signatures';
import { normalizeBitbucketServer } from './normalize';

const SIGNATURE_HEADER = 'x-hub-signature';
const EVENT_HEADER = 'x-event-key';
const DELIVERY_HEADER = 'x-request-id';

/** Bitbucket Data Center and Server (self-hosted); its payloads are not Bitbucket Cloud's. */
export class BitbucketServerAdapter implements ProviderAdapter {
  readonly provider = Provider.BitbucketServer;
  readonly displayName = 'Bitbucket Data Center';
  readonly secrets = hmacSecretScheme('BITBUCKET_SERVER_WEBHOOK_SECRET');
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
        message: 'The X-Request-Id header is missing',
      };
    }
    return {
      ok: true,
      identity: {
        deliveryId,
        event,
        repository: repositoryName(webhook.payload),
      },
    };
  }

  normalize(event: string, payload: unknown): DomainEvent[] {
    return normalizeBitbucketServer(event, payload);
  }
}

/** `PROJECT/slug` of the repository (the target repository of a pull request). */
function repositoryName(payload: unknown): string | undefined {
  const path = (...keys: string[]) => {
    const project = payloadString(payload, ...keys, 'project', 'key');
    const slug = payloadString(payload, ...keys, 'slug');
    return project !== undefined && slug !== undefined ? `${project}/${slug}` : undefined;
  };
  return path('repository') ?? path('pullRequest', 'toRef', 'repository');
}
