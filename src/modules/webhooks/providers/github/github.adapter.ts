import { normalizeGitHub } from './normalize';
import {
  Provider,
  type DomainEvent,
  type IdentifyResult,
  type IncomingWebhook,
  type ProviderAdapter,
  type SourceSecrets,
  type VerifyResult,
} from '../provider-adapter';
import { headerValue, payloadString, verifyHexHmacSignature } from '../signatures';
import { hmacSecretScheme } from '../secret-schemes';

const SIGNATURE_HEADER = 'x-hub-signature-256';
const EVENT_HEADER = 'x-github-event';
const DELIVERY_HEADER = 'x-github-delivery';
const HOOK_ID_HEADER = 'x-github-hook-id';

export class GitHubAdapter implements ProviderAdapter {
  readonly provider = Provider.GitHub;
  readonly displayName = 'GitHub';
  readonly secrets = hmacSecretScheme('GITHUB_WEBHOOK_SECRET');
  readonly secretHeaders = ['x-hub-signature-256', 'x-hub-signature'];

  verify(webhook: IncomingWebhook, secrets: SourceSecrets): VerifyResult {
    return verifyHexHmacSignature({
      rawBody: webhook.rawBody,
      signature: headerValue(webhook.headers, SIGNATURE_HEADER),
      prefix: 'sha256=',
      headerName: 'X-Hub-Signature-256',
      secrets: secrets.hmac,
    });
  }

  identify(webhook: IncomingWebhook): IdentifyResult {
    const event = headerValue(webhook.headers, EVENT_HEADER);
    if (event === undefined) {
      return {
        ok: false,
        reason: 'missing_event_header',
        message: 'The X-GitHub-Event header is missing',
      };
    }
    const deliveryGuid = headerValue(webhook.headers, DELIVERY_HEADER);
    if (deliveryGuid === undefined) {
      return {
        ok: false,
        reason: 'missing_delivery_id',
        message: 'The X-GitHub-Delivery header is missing',
      };
    }
    const hookId = headerValue(webhook.headers, HOOK_ID_HEADER);
    return {
      ok: true,
      identity: {
        // The same delivery GUID can reach several hooks; prefixing the hook id keeps them apart.
        deliveryId: hookId === undefined ? deliveryGuid : `${hookId}:${deliveryGuid}`,
        event,
        action: payloadString(webhook.payload, 'action'),
        repository: payloadString(webhook.payload, 'repository', 'full_name'),
      },
    };
  }

  normalize(
    event: string,
    payload: unknown,
    _headers: Readonly<Record<string, string | undefined>>,
  ): DomainEvent[] {
    return normalizeGitHub(event, payload);
  }
}
