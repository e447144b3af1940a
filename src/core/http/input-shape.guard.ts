import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { checkRequestFields } from './input-shape';
import { canonicalUuid, isUuid } from './uuid';

/**
 * UUIDs compare in any case in PostgreSQL, but not as job ids, map keys or strings: every
 * route's UUID path parameters reach its pipes in lower case (new routes included).
 */
function lowerCaseUuidParams(params: unknown): void {
  if (params === null || typeof params !== 'object') return;
  const values = params as Record<string, unknown>;
  for (const [name, value] of Object.entries(values)) {
    if (isUuid(value)) values[name] = canonicalUuid(value);
  }
}

const isWebhookPath = (url: string) => url === '/webhooks' || url.startsWith('/webhooks/');

/**
 * Registered as the last global guard, so it runs after the rate limit and the API-key check
 * and before the pipes (the ValidationPipe and its transformer): every route's query, path
 * parameters and body are checked once, in one place, whatever their DTO says, and hostile
 * shapes get a 400 naming the field instead of a 500. A guard rather than an interceptor:
 * nothing here needs to wrap the handler, and a global interceptor would put an rxjs pipeline
 * on every request, webhooks included.
 */
@Injectable()
export class InputShapeGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    // A webhook body is the forge's, stored as sent and cleaned where it becomes records.
    if (isWebhookPath(request.url)) return true;
    checkRequestFields(request.params ?? {}, 'path');
    checkRequestFields(request.query ?? {}, 'query');
    if (request.body !== undefined) checkRequestFields(request.body, 'body');
    lowerCaseUuidParams(request.params);
    return true;
  }
}
