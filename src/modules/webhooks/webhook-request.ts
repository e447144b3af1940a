import type { FastifyRequest } from 'fastify';
import { RAW_BODY_ROUTE, RawBodyRequest } from '../../core/http/body-parsers';
import { Provider } from './providers/provider-adapter';
import { ResolvedSource } from './sources/sources.service';

/**
 * Fastify route config of the webhook routes (set with `@RouteConfig` on the controller): the
 * body stays raw (the signature is checked on its bytes before anything parses it), the body
 * limit is WEBHOOK_MAX_BODY_BYTES, and the WebhookScreen runs before the body is read.
 */
export const WEBHOOK_ROUTE = { ...RAW_BODY_ROUTE, webhook: true } as const;

export function isWebhookRoute(config: unknown): boolean {
  return (
    typeof config === 'object' &&
    config !== null &&
    (config as { webhook?: unknown }).webhook === true
  );
}

export type WebhookOutcome = 'accepted' | 'duplicate' | 'rejected' | 'unavailable';

/** What the screen found out about a webhook before its body was read. */
export interface ScreenedWebhook {
  provider: Provider;
  slug: string;
  source: ResolvedSource;
  /** Headers in lower case, a repeated one joined with ", ". */
  headers: Record<string, string | undefined>;
  receivedAt: Date;
  /** Counts the answer in the webhook metrics (once; later calls do nothing). */
  answered: (outcome: WebhookOutcome, reason: string) => void;
}

export interface WebhookState extends RawBodyRequest {
  webhook?: ScreenedWebhook;
}

export type WebhookRequest = FastifyRequest & WebhookState;

export function flattenHeaders(
  headers: Record<string, string | string[] | undefined>,
): Record<string, string | undefined> {
  const flat: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(headers)) {
    flat[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}
