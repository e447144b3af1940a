import { Injectable, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiKeyVerifier } from '../../../core/auth/api-key.verifier';
import { ErrorCode, ErrorEnvelope } from '../../../core/http/app-error';

/** Where the queue dashboard is served. */
export const BULL_BOARD_ROUTE = '/admin/queues';

export function isBullBoardPath(path: string | undefined): boolean {
  if (path === undefined) return false;
  const bare = path.split('?')[0];
  return bare === BULL_BOARD_ROUTE || bare.startsWith(`${BULL_BOARD_ROUTE}/`);
}

function envelope(
  statusCode: number,
  error: string,
  code: ErrorCode,
  message: string,
): ErrorEnvelope {
  return { statusCode, error, code, message };
}

/**
 * The dashboard is a Fastify plugin, not a Nest route, so the global API-key guard never sees
 * it: this onRequest hook asks for the admin key on every request under BULL_BOARD_ROUTE.
 */
@Injectable()
export class BullBoardAuth implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly verifier: ApiKeyVerifier,
  ) {}

  onModuleInit(): void {
    const adapter = this.adapterHost.httpAdapter as { getInstance(): unknown } | undefined;
    // A worker process has no HTTP server, hence no dashboard.
    if (!adapter) return;
    const fastify = adapter.getInstance() as FastifyInstance;
    fastify.addHook('onRequest', (request, reply) => this.check(request, reply));
  }

  private async check(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    if (!isBullBoardPath(request.routeOptions.url) && !isBullBoardPath(request.url)) return;
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    const principal = match ? await this.verifier.verify(match[1]) : undefined;
    if (!principal) {
      await reply
        .code(401)
        .header('www-authenticate', 'Bearer')
        .send(
          envelope(
            401,
            'Unauthorized',
            ErrorCode.Unauthorized,
            'The queue dashboard needs the admin key: send Authorization: Bearer <key>',
          ),
        );
      return;
    }
    if (!principal.scopes.includes('admin')) {
      await reply
        .code(403)
        .send(envelope(403, 'Forbidden', ErrorCode.Forbidden, 'This key lacks the "admin" scope'));
    }
  }
}
