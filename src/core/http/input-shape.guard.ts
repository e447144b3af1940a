import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { Observable, throwError } from 'rxjs';
import { checkRequestFields } from './input-shape';
import { canonicalUuid, isUuid } from './uuid';

/**
 * Runs after the guards and before the pipes (the ValidationPipe and its transformer), so that
 * every route's query, path parameters and body are checked once, in one place, whatever their
 * DTO says: hostile shapes get a 400 naming the field instead of a 500.
 */
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

@Injectable()
export class InputShapeInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    // A webhook body is the forge's, stored as sent and cleaned where it becomes records.
    if (isWebhookPath(request.url)) return next.handle();
    try {
      checkRequestFields(request.params ?? {}, 'path');
      checkRequestFields(request.query ?? {}, 'query');
      if (request.body !== undefined) checkRequestFields(request.body, 'body');
    } catch (error) {
      return throwError(() => error);
    }
    lowerCaseUuidParams(request.params);
    return next.handle();
  }
}
