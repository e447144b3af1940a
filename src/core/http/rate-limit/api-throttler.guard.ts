import { ExecutionContext, Injectable } from '@nestjs/common';
import { ThrottlerGuard, ThrottlerLimitDetail } from '@nestjs/throttler';
import type { FastifyRequest } from 'fastify';
import { createHash } from 'node:crypto';
import { AppError, ErrorCode } from '../app-error';

/** Never limited here: forges retry or disable a hook answered 429; probes and scrapes. */
const UNLIMITED_PREFIXES = ['/webhooks', '/health', '/metrics'];

export const KEYED = 'api-key';
export const ANONYMOUS = 'client-address';

function bearerOf(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  const match = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return match?.[1];
}

export function isUnlimited(url: string): boolean {
  return UNLIMITED_PREFIXES.some(
    (prefix) => url === prefix || url.startsWith(`${prefix}/`) || url.startsWith(`${prefix}?`),
  );
}

/**
 * Rate limits of the API: per API key for requests that carry one, per client address for
 * those that do not. Runs before the API-key guard, so that requests without a valid key are
 * counted too. Over the limit: 429 with Retry-After, through the one error mapping.
 */
@Injectable()
export class ApiThrottlerGuard extends ThrottlerGuard {
  /** Unlimited routes skip every throttler at once, before any of them is looked up. */
  protected override shouldSkip(context: ExecutionContext): Promise<boolean> {
    return Promise.resolve(isUnlimited(context.switchToHttp().getRequest<FastifyRequest>().url));
  }

  protected override getTracker(request: Record<string, unknown>): Promise<string> {
    const req = request as unknown as FastifyRequest;
    const key = bearerOf(req);
    // The key's hash, never the key: tracker names end up in Redis.
    return Promise.resolve(
      key === undefined
        ? `ip:${req.ip}`
        : `key:${createHash('sha256').update(key).digest('hex').slice(0, 32)}`,
    );
  }

  protected override throwThrottlingException(
    context: ExecutionContext,
    detail: ThrottlerLimitDetail,
  ): Promise<void> {
    const seconds = Math.max(1, detail.timeToBlockExpire || detail.timeToExpire);
    const reply = context.switchToHttp().getResponse<{ header(n: string, v: string): void }>();
    reply.header('Retry-After', String(seconds));
    throw new AppError(
      ErrorCode.TooManyRequests,
      `Rate limit of ${detail.limit} requests per ${Math.round(detail.ttl / 1000)} s reached; retry in ${seconds} s`,
      { retryAfterSeconds: seconds },
    );
  }
}

/** Which of the two throttlers applies to a request (the other skips it). */
export function skipUnless(which: typeof KEYED | typeof ANONYMOUS, limit: number) {
  return (context: ExecutionContext): boolean => {
    if (limit === 0) return true;
    // Unlimited routes never get here (ApiThrottlerGuard.shouldSkip).
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const keyed = bearerOf(request) !== undefined;
    return which === KEYED ? !keyed : keyed;
  };
}
