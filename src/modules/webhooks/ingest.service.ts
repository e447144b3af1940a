import { Injectable } from '@nestjs/common';
import { AppError, ErrorCode } from '../../core/http/app-error';
import { DeliveryStatus } from '../deliveries/delivery-status';
import { DeliveryStore } from '../deliveries/delivery-store';
import { adapterFor } from './providers';
import { IncomingWebhook } from './providers/provider-adapter';
import { ScreenedWebhook } from './webhook-request';
import { storedHeaders } from './stored-headers';
import { TestDeliveryMarker } from './test-deliveries/test-delivery-marker';
import { payloadOf } from './webhook-payload';

/** A webhook whose signature the guard has verified on these raw bytes. */
export interface VerifiedWebhook {
  screened: ScreenedWebhook;
  contentType: string;
  rawBody: Buffer;
}

export interface WebhookAnswer {
  statusCode: 200 | 202;
  body: { id: string; status: 'accepted' | 'duplicate' };
}

const MAX_ID_LENGTH = 255;
function hasControlChars(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

/** PostgreSQL text cannot hold NUL; payload strings are trimmed to a sane length. */
function cleanText(value: string | undefined, max = 500): string | undefined {
  return value === undefined ? undefined : value.replaceAll('\u0000', '').slice(0, max);
}

/**
 * Receives one webhook the guard has verified: parse, identify, store durably, answer. The answer is 2xx only once
 * the row is committed; queueing happens after, through the outbox.
 */
@Injectable()
export class IngestService {
  constructor(
    private readonly store: DeliveryStore,
    private readonly testMarker: TestDeliveryMarker,
  ) {}

  async receive(webhook: VerifiedWebhook): Promise<WebhookAnswer> {
    const { answered } = webhook.screened;
    try {
      const answer = await this.accept(webhook);
      answered(answer.body.status, answer.body.status);
      return answer;
    } catch (error) {
      const code = error instanceof AppError ? error.code : ErrorCode.Internal;
      answered(code === ErrorCode.ServiceUnavailable ? 'unavailable' : 'rejected', code);
      throw error;
    }
  }

  private async accept({
    screened,
    contentType,
    rawBody,
  }: VerifiedWebhook): Promise<WebhookAnswer> {
    const { provider, slug, source, headers } = screened;
    const webhook: IncomingWebhook = {
      headers,
      rawBody,
      // Parsed once, after the guard verified the signature on these bytes.
      payload: payloadOf(rawBody, contentType),
      receivedAt: screened.receivedAt,
    };
    const identified = adapterFor(provider).identify(webhook);
    if (!identified.ok) {
      const code =
        identified.reason === 'missing_event_header'
          ? ErrorCode.MissingEventHeader
          : ErrorCode.MissingDeliveryId;
      throw new AppError(code, identified.message);
    }
    const { identity } = identified;
    for (const [what, value] of [
      ['delivery id', identity.deliveryId],
      ['event', identity.event],
    ] as const) {
      if (value.length > MAX_ID_LENGTH || hasControlChars(value)) {
        throw new AppError(
          ErrorCode.MalformedBody,
          `The ${what} header is too long or has control characters`,
        );
      }
    }
    const repository = cleanText(identity.repository);
    const filtered = source.accepts !== undefined && !source.accepts(repository);
    const stored = await this.store.store({
      provider,
      source: slug,
      providerDeliveryId: identity.deliveryId,
      event: identity.event,
      action: cleanText(identity.action, 100),
      repository,
      contentType,
      headers: storedHeaders(headers),
      body: rawBody,
      status: filtered ? DeliveryStatus.Ignored : DeliveryStatus.Received,
      // The guard verified the signature: only now is the test mark looked at.
      test: this.testMarker.isMarked(headers, rawBody),
    });
    if (stored.duplicate) return { statusCode: 200, body: { id: stored.id, status: 'duplicate' } };
    return { statusCode: 202, body: { id: stored.id, status: 'accepted' } };
  }
}
