import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { AppError, ErrorCode } from '../../core/http/app-error';
import { adapterFor } from './providers';
import { WebhookRateCeiling } from './rate-ceiling/webhook-rate-ceiling';
import { ScreenedWebhook, WebhookRequest } from './webhook-request';
import { WebhookScreen } from './webhook-screen';

/**
 * The webhook routes' guard: verifies the delivery's signature (or token) on the raw body,
 * through the provider's adapter, in constant time, before anything parses the body. The
 * source was resolved by the WebhookScreen before the body was read; a request that did not
 * pass it (none does in the app) is screened here. A source with a rate ceiling then counts
 * the delivery: only authentic deliveries count, so nobody without the secret can use up a
 * source's allowance; a source without one costs no Redis call.
 */
@Injectable()
export class WebhookSignatureGuard implements CanActivate {
  constructor(
    private readonly screen: WebhookScreen,
    private readonly ceiling: WebhookRateCeiling,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<WebhookRequest>();
    const webhook = request.webhook ?? (await this.screen.screen(request));
    try {
      const rawBody = request.rawBody;
      if (rawBody === undefined || rawBody.length === 0) {
        throw new AppError(
          ErrorCode.MalformedBody,
          'Body is empty; send the webhook payload as JSON',
        );
      }
      const verified = adapterFor(webhook.provider).verify(
        { headers: webhook.headers, rawBody, payload: undefined, receivedAt: webhook.receivedAt },
        webhook.source.secrets,
      );
      if (!verified.ok) {
        throw new AppError(ErrorCode.InvalidSignature, verified.message, {
          reason: verified.reason,
        });
      }
      const ceiling = webhook.source.rateLimitPerMinute;
      if (ceiling !== undefined) {
        await this.admit(webhook, ceiling, context.switchToHttp().getResponse<FastifyReply>());
      }
      return true;
    } catch (error) {
      webhook.answered('rejected', error instanceof AppError ? error.code : ErrorCode.Internal);
      throw error;
    }
  }

  /** Refuses (429, Retry-After) a delivery over its source's ceiling; nothing is stored. */
  private async admit(
    webhook: ScreenedWebhook,
    perMinute: number,
    reply: FastifyReply,
  ): Promise<void> {
    const verdict = await this.ceiling.admit(webhook.provider, webhook.slug, perMinute);
    if (verdict.allowed) return;
    void reply.header('Retry-After', String(verdict.retryAfterSeconds));
    throw new AppError(
      ErrorCode.TooManyRequests,
      `Source "${webhook.slug}" accepts at most ${perMinute} webhooks per minute; retry in ${verdict.retryAfterSeconds} s`,
      { retryAfterSeconds: verdict.retryAfterSeconds },
    );
  }
}
