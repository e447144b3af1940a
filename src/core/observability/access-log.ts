import { Injectable, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { AuthenticatedRequest } from '../auth/principal';

/** A request id a client or proxy may choose; anything else is replaced by a fresh one. */
const GIVEN_REQUEST_ID = /^[\w.-]{1,128}$/;
const QUIET_PREFIXES = ['/health', '/metrics'];

type LoggedRequest = FastifyRequest & AuthenticatedRequest & { accessRequestId?: string };

/** Webhooks are recorded in the deliveries table and in metrics, not line by line. */
export function isWebhookUrl(url: string): boolean {
  return url === '/webhooks' || url.startsWith('/webhooks/') || url.startsWith('/webhooks?');
}

function pathOf(url: string): string {
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

/** What the request presented as a credential (never the credential itself). */
function credentialOf(request: FastifyRequest): 'none' | 'bearer' | 'basic' | 'other' {
  const header = request.headers.authorization;
  if (typeof header !== 'string' || header.trim() === '') return 'none';
  if (/^bearer\s/i.test(header)) return 'bearer';
  if (/^basic\s/i.test(header)) return 'basic';
  return 'other';
}

/**
 * One access-log line per request outside /webhooks — routed or not, answered by a guard, a
 * handler or the not-found handler — with method, route, status, duration, the key id that
 * was verified ("none" otherwise), what credential was presented (so failed key attempts
 * leave a trace; the key itself never appears), and the request id, which every answer also
 * carries as `x-request-id`. Fastify hooks, so nothing in Nest's pipeline can skip them.
 */
@Injectable()
export class AccessLog implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @InjectPinoLogger('Access') private readonly logger: PinoLogger,
  ) {}

  onModuleInit(): void {
    const adapter = this.adapterHost.httpAdapter as { getInstance(): unknown } | undefined;
    // A worker process has no HTTP server.
    if (!adapter) return;
    const fastify = adapter.getInstance() as FastifyInstance;
    fastify.addHook('onRequest', (request: LoggedRequest, reply: FastifyReply, done) => {
      if (!isWebhookUrl(request.url)) {
        const given = request.headers['x-request-id'];
        const id = typeof given === 'string' && GIVEN_REQUEST_ID.test(given) ? given : randomUUID();
        request.accessRequestId = id;
        void reply.header('x-request-id', id);
      }
      done();
    });
    fastify.addHook('onResponse', (request: LoggedRequest, reply: FastifyReply, done) => {
      if (request.accessRequestId !== undefined) this.write(request, reply);
      done();
    });
  }

  private write(request: LoggedRequest, reply: FastifyReply): void {
    const path = pathOf(request.url);
    const status = reply.statusCode;
    const line = {
      requestId: request.accessRequestId,
      method: request.method,
      route: request.routeOptions.url ?? 'unmatched',
      path,
      status,
      durationMs: Math.round(reply.elapsedTime * 10) / 10,
      keyId: request.principal?.keyId ?? 'none',
      credential: credentialOf(request),
      ip: request.ip,
    };
    const message = `${request.method} ${path} ${status}`;
    if (status >= 500) this.logger.error(line, message);
    else if (status >= 400) this.logger.warn(line, message);
    else if (QUIET_PREFIXES.some((prefix) => path.startsWith(prefix))) {
      this.logger.debug(line, message);
    } else this.logger.info(line, message);
  }
}
