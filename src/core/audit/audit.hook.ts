import { Injectable, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest, onSendAsyncHookHandler, RouteOptions } from 'fastify';
import { AuthenticatedRequest } from '../auth/principal';
import { messageOf } from '../errors/message-of';
import { AuditService } from './audit.service';

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

/** The id of what a create call made, when its (serialised JSON) answer carries one. */
function createdId(payload: unknown): string | null {
  if (typeof payload !== 'string' || !payload.startsWith('{')) return null;
  try {
    const id = (JSON.parse(payload) as { id?: unknown }).id;
    return typeof id === 'string' ? id : null;
  } catch {
    return null;
  }
}

/**
 * Records every state change made with a key under /api/v1 and /admin, once its answer is
 * known (status included, also when it failed) and before it is sent. A failed audit write
 * is logged and does not change the answer.
 *
 * An `onSend` hook of the audited routes only (see `covers`, applied as routes are
 * registered), not a global interceptor: the other routes, the webhooks above all, pay
 * nothing for it. Only requests the ApiKeyGuard admitted are recorded: one refused for its
 * key, scope or rate never reached its handler and changed nothing.
 */
@Injectable()
export class AuditHook {
  private readonly logger = new Logger(AuditHook.name);

  constructor(private readonly audit: AuditService) {}

  /** Whether a route changes state under an audited prefix (minus `exceptPrefixes`). */
  covers(route: Pick<RouteOptions, 'method' | 'url'>, exceptPrefixes: readonly string[]): boolean {
    const { url } = route;
    if (![route.method].flat().some((method) => !READ_METHODS.has(method))) return false;
    if (exceptPrefixes.some((prefix) => url === prefix || url.startsWith(`${prefix}/`))) {
      return false;
    }
    return AUDITED_PREFIXES.some((prefix) => url.startsWith(prefix));
  }

  readonly onSend: onSendAsyncHookHandler<unknown> = async (
    request: AuditedRequest,
    reply: FastifyReply,
    payload: unknown,
  ) => {
    const { principal } = request;
    if (READ_METHODS.has(request.method) || principal === undefined || !request.admitted) {
      return payload;
    }
    const path = pathOf(request.url);
    try {
      await this.audit.record({
        keyId: principal.keyId,
        keyName: principal.name,
        method: request.method,
        path,
        action: `${request.method} ${request.routeOptions.url ?? path}`,
        target: targetOf(request.params) ?? createdId(payload),
        statusCode: reply.statusCode,
        details: request.body,
      });
    } catch (error) {
      this.logger.warn(
        `Could not write the audit entry for ${request.method} ${path}: ${messageOf(error)}`,
      );
    }
    return payload;
  };
}
