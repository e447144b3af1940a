import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { AppError, ErrorCode } from '../../core/http/app-error';
import { adapterFor } from './providers';
import { WebhookRequest } from './webhook-request';
import { WebhookScreen } from './webhook-screen';

/**
 * The webhook routes' guard: verifies the delivery's signature (or token) on the raw body,
 * through the provider's adapter, in constant time, before anything parses the body. The
 * source was resolved by the WebhookScreen before the body was read; a request that did not
 * pass it (none does in the app) is screened here.
 */
@Injectable()
export class WebhookSignatureGuard implements CanActivate {
  constructor(private readonly screen: WebhookScreen) {}

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
      return true;
    } catch (error) {
      webhook.answered('rejected', error instanceof AppError ? error.code : ErrorCode.Internal);
      throw error;
    }
  }
}
