import { Injectable } from '@nestjs/common';
import { AppError, ErrorCode } from '../../core/http/app-error';
import { bodyKindOf } from '../../core/http/body-parsers';
import { UNSUPPORTED_MEDIA_MESSAGE } from '../../core/http/error-mapping';
import { declaresBody } from '../../core/http/pre-body-hooks';
import { MetricsService } from '../../core/observability/metrics.service';
import { adapterFor } from './providers';
import { ALL_PROVIDERS, isProvider } from './providers/provider-adapter';
import { DEFAULT_SOURCE, SourcesService } from './sources/sources.service';
import { flattenHeaders, ScreenedWebhook, WebhookOutcome, WebhookRequest } from './webhook-request';

const NO_BODY = Buffer.alloc(0);

interface WebhookParams {
  provider?: string;
  source?: string;
}

/**
 * What can be refused before a webhook's body is read, so that nobody without a secret makes
 * the server read (let alone parse) a body: an unknown provider or source, a content type
 * that is not JSON or a form, no body, and a delivery whose signature headers cannot verify
 * whatever the body (none configured, none sent, malformed, timestamp out of tolerance).
 * Runs as an onRequest hook of the webhook routes (see WEBHOOK_ROUTE); the
 * WebhookSignatureGuard then checks the signature on the raw body.
 */
@Injectable()
export class WebhookScreen {
  constructor(
    private readonly sources: SourcesService,
    private readonly metrics: MetricsService,
  ) {}

  async screen(request: WebhookRequest): Promise<ScreenedWebhook> {
    const params = request.params as WebhookParams;
    const provider = params.provider ?? '';
    const answered = this.meter(isProvider(provider) ? provider : 'unknown');
    try {
      if (!isProvider(provider)) {
        throw new AppError(
          ErrorCode.UnknownProvider,
          `Unknown provider "${provider}"; use one of ${ALL_PROVIDERS.join(', ')}`,
        );
      }
      const slug = params.source ?? DEFAULT_SOURCE;
      const source = await this.sources.resolve(provider, slug);
      if (!source)
        throw new AppError(ErrorCode.UnknownSource, `Unknown ${provider} source "${slug}"`);
      if (!source.enabled)
        throw new AppError(ErrorCode.SourceDisabled, `Source "${slug}" is disabled`);
      const contentType = request.headers['content-type'];
      if (contentType !== undefined && bodyKindOf(contentType) === null) {
        throw new AppError(ErrorCode.UnsupportedMediaType, UNSUPPORTED_MEDIA_MESSAGE);
      }
      if (!declaresBody(request.headers)) {
        throw new AppError(
          ErrorCode.MalformedBody,
          'Body is empty; send the webhook payload as JSON',
        );
      }
      const headers = flattenHeaders(request.headers);
      const receivedAt = new Date();
      // Every reason but a mismatch is decided by the headers alone: checked on no body.
      const early = adapterFor(provider).verify(
        { headers, rawBody: NO_BODY, payload: undefined, receivedAt },
        source.secrets,
      );
      if (!early.ok && early.reason !== 'signature_mismatch') {
        throw new AppError(ErrorCode.InvalidSignature, early.message, { reason: early.reason });
      }
      const screened: ScreenedWebhook = { provider, slug, source, headers, receivedAt, answered };
      request.webhook = screened;
      return screened;
    } catch (error) {
      answered('rejected', error instanceof AppError ? error.code : ErrorCode.Internal);
      throw error;
    }
  }

  /** Counts one webhook as received; the function it returns counts its answer, once. */
  private meter(provider: string): ScreenedWebhook['answered'] {
    this.metrics.webhooksReceived.inc({ provider });
    const stop = this.metrics.webhookAnswerDuration.startTimer({ provider });
    let done = false;
    return (outcome: WebhookOutcome, reason: string) => {
      if (done) return;
      done = true;
      this.metrics.webhooksAnswered.inc({ provider, outcome, reason });
      stop({ outcome });
    };
  }
}
