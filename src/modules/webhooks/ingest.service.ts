import { Injectable } from '@nestjs/common';
import { AppError, ErrorCode } from '../../core/http/app-error';
import { bodyKindOf } from '../../core/http/body-parsers';
import { MetricsService } from '../../core/observability/metrics.service';
import { DeliveryStatus } from './deliveries/delivery-status';
import { DeliveryStore } from './deliveries/delivery-store';
import { adapterFor } from './providers';
import { IncomingWebhook, isProvider, Provider } from './providers/provider-adapter';
import { DEFAULT_SOURCE, SourcesService } from './sources/sources.service';
import { storedHeaders } from './stored-headers';

export interface WebhookRequest {
  provider: string;
  source?: string;
  headers: Record<string, string | string[] | undefined>;
  contentType: string | undefined;
  rawBody: Buffer | undefined;
  body: unknown;
}

export interface WebhookAnswer {
  statusCode: 200 | 202;
  body: { id: string; status: 'accepted' | 'duplicate' };
}

const MAX_ID_LENGTH = 255;
const hasControlChars = (value: string) =>
  [...value].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f);

function flattenHeaders(headers: WebhookRequest['headers']): Record<string, string | undefined> {
  const flat: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(headers)) {
    flat[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}

/** PostgreSQL text cannot hold NUL; payload strings are trimmed to a sane length. */
function cleanText(value: string | undefined, max = 500): string | undefined {
  return value === undefined ? undefined : value.replaceAll('\u0000', '').slice(0, max);
}

function payloadOf(contentType: string, body: unknown): unknown {
  if (bodyKindOf(contentType) !== 'form') return body;
  const form = body as Record<string, string> | undefined;
  if (typeof form?.payload !== 'string') {
    throw new AppError(ErrorCode.MalformedBody, 'Form body has no "payload" field');
  }
  try {
    return JSON.parse(form.payload) as unknown;
  } catch {
    throw new AppError(ErrorCode.MalformedBody, 'Form field "payload" is not valid JSON');
  }
}

/**
 * Receives one webhook: verify, identify, store durably, answer. The answer is 2xx only once
 * the row is committed; queueing happens after, through the outbox.
 */
@Injectable()
export class IngestService {
  constructor(
    private readonly sources: SourcesService,
    private readonly store: DeliveryStore,
    private readonly metrics: MetricsService,
  ) {}

  async receive(request: WebhookRequest): Promise<WebhookAnswer> {
    const providerLabel = isProvider(request.provider) ? request.provider : 'unknown';
    this.metrics.webhooksReceived.inc({ provider: providerLabel });
    const stop = this.metrics.webhookAnswerDuration.startTimer({ provider: providerLabel });
    try {
      const answer = await this.accept(request);
      const outcome = answer.body.status;
      this.metrics.webhooksAnswered.inc({ provider: providerLabel, outcome, reason: outcome });
      stop({ outcome });
      return answer;
    } catch (error) {
      const code = error instanceof AppError ? error.code : ErrorCode.Internal;
      const outcome = code === ErrorCode.ServiceUnavailable ? 'unavailable' : 'rejected';
      this.metrics.webhooksAnswered.inc({ provider: providerLabel, outcome, reason: code });
      stop({ outcome });
      throw error;
    }
  }

  private async accept(request: WebhookRequest): Promise<WebhookAnswer> {
    if (!isProvider(request.provider)) {
      throw new AppError(
        ErrorCode.UnknownProvider,
        `Unknown provider "${request.provider}"; use github, gitlab, gitea or bitbucket`,
      );
    }
    const provider: Provider = request.provider;
    const slug = request.source ?? DEFAULT_SOURCE;
    const source = await this.sources.resolve(provider, slug);
    if (!source)
      throw new AppError(ErrorCode.UnknownSource, `Unknown ${provider} source "${slug}"`);
    if (!source.enabled)
      throw new AppError(ErrorCode.SourceDisabled, `Source "${slug}" is disabled`);
    if (!request.rawBody || request.rawBody.length === 0 || request.contentType === undefined) {
      throw new AppError(
        ErrorCode.MalformedBody,
        'Body is empty; send the webhook payload as JSON',
      );
    }

    const headers = flattenHeaders(request.headers);
    const webhook: IncomingWebhook = {
      headers,
      rawBody: request.rawBody,
      payload: payloadOf(request.contentType, request.body),
      receivedAt: new Date(),
    };
    const adapter = adapterFor(provider);
    const verified = adapter.verify(webhook, source.secrets);
    if (!verified.ok)
      throw new AppError(ErrorCode.InvalidSignature, verified.message, { reason: verified.reason });
    const identified = adapter.identify(webhook);
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
      contentType: request.contentType,
      headers: storedHeaders(headers),
      body: request.rawBody,
      status: filtered ? DeliveryStatus.Ignored : DeliveryStatus.Received,
    });
    if (stored.duplicate) return { statusCode: 200, body: { id: stored.id, status: 'duplicate' } };
    return { statusCode: 202, body: { id: stored.id, status: 'accepted' } };
  }
}
