import { CallHandler, ExecutionContext, Injectable, Logger, NestInterceptor } from '@nestjs/common';
import { HTTP_CODE_METADATA } from '@nestjs/common/constants';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { catchError, concatMap, from, map, Observable, throwError } from 'rxjs';
import { AuthenticatedRequest } from '../auth/principal';
import { mapError } from '../http/error-mapping';
import { AuditService } from './audit.service';
import { SKIP_AUDIT } from './skip-audit.decorator';

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const AUDITED_PREFIXES = ['/api/v1/', '/admin/'];

type AuditedRequest = FastifyRequest & AuthenticatedRequest;

function pathOf(url: string): string {
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

/** The :id parameter, else every parameter joined (e.g. a queue name), else nothing. */
function targetOf(params: unknown): string | null {
  if (params === null || typeof params !== 'object') return null;
  const values = params as Record<string, unknown>;
  if (typeof values.id === 'string') return values.id;
  const all = Object.values(values).filter((v): v is string => typeof v === 'string');
  return all.length > 0 ? all.join('/') : null;
}

/** The id of what a create call made, when its answer carries one. */
function createdId(result: unknown): string | null {
  if (result === null || typeof result !== 'object') return null;
  const id = (result as { id?: unknown }).id;
  return typeof id === 'string' ? id : null;
}

/**
 * Records every state change made with a key under /api/v1 and /admin, once the handler has
 * answered (so the status is known), also when it failed. A failed audit write is logged and
 * does not change the answer.
 */
@Injectable()
export class AuditInterceptor implements NestInterceptor {
  private readonly logger = new Logger(AuditInterceptor.name);

  constructor(
    private readonly audit: AuditService,
    private readonly reflector: Reflector,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    if (this.reflector.get<boolean | undefined>(SKIP_AUDIT, context.getClass())) {
      return next.handle();
    }
    const request = context.switchToHttp().getRequest<AuditedRequest>();
    const principal = request.principal;
    const path = pathOf(request.url);
    if (
      READ_METHODS.has(request.method) ||
      !principal ||
      !AUDITED_PREFIXES.some((prefix) => path.startsWith(prefix))
    ) {
      return next.handle();
    }
    const successStatus =
      this.reflector.get<number | undefined>(HTTP_CODE_METADATA, context.getHandler()) ??
      (request.method === 'POST' ? 201 : 200);
    const target = targetOf(request.params);
    const write = (statusCode: number, result?: unknown): Promise<void> =>
      this.audit
        .record({
          keyId: principal.keyId,
          keyName: principal.name,
          method: request.method,
          path,
          action: `${request.method} ${request.routeOptions.url ?? path}`,
          target: target ?? createdId(result),
          statusCode,
          details: request.body,
        })
        .catch((error: unknown) => {
          this.logger.warn(
            `Could not write the audit entry for ${request.method} ${path}: ${
              error instanceof Error ? error.message : String(error)
            }`,
          );
        });
    // A handler may choose its status (200 or 202) on the reply; Nest set the default before it ran.
    const reply = context.switchToHttp().getResponse<{ statusCode?: number }>();
    return next.handle().pipe(
      concatMap((result: unknown) =>
        from(write(reply.statusCode ?? successStatus, result)).pipe(map(() => result)),
      ),
      catchError((error: unknown) =>
        from(write(mapError(error).envelope.statusCode)).pipe(
          concatMap(() => throwError(() => error)),
        ),
      ),
    );
  }
}
