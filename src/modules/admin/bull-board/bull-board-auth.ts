import { Injectable, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiKeyVerifier } from '../../../core/auth/api-key.verifier';
import { AuthenticatedRequest } from '../../../core/auth/principal';
import { ErrorCode, ErrorEnvelope } from '../../../core/http/app-error';

const READ_METHODS = new Set(['GET', 'HEAD']);

/** Where the queue dashboard is served. */
export const BULL_BOARD_ROUTE = '/admin/queues';

export function isBullBoardPath(path: string | undefined): boolean {
  if (path === undefined || !path.startsWith(BULL_BOARD_ROUTE)) return false;
  const next = path.charAt(BULL_BOARD_ROUTE.length);
  return next === '' || next === '/' || next === '?';
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
 * The key in an Authorization header: `Bearer <key>`, or HTTP Basic with the key as the
 * password (any user name), which is what a browser sends after its own login prompt.
 */
export function keyFromAuthorization(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (bearer) return bearer[1];
  const basic = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!basic) return undefined;
  const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const password = colon === -1 ? '' : decoded.slice(colon + 1);
  return password === '' ? undefined : password;
}

/**
 * The dashboard is a Fastify plugin, not a Nest route, so the global API-key guard never sees
 * it: this onRequest hook asks for the admin key on every request under BULL_BOARD_ROUTE. A
 * browser gets a Basic challenge, so it shows its login prompt (the key is the password) and
 * then sends the key with every request of the dashboard by itself.
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
    // Every other request leaves at once, without a promise: this hook sees every request
    // (unrouted paths under the prefix too), the webhooks included.
    fastify.addHook('onRequest', (request, reply, done) => {
      if (!isBullBoardPath(request.routeOptions.url) && !isBullBoardPath(request.url)) {
        done();
        return;
      }
      this.check(request, reply).then(() => {
        // A refusal has answered: the request goes no further.
        if (!reply.sent) done();
      }, done);
    });
  }

  private async check(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const key = keyFromAuthorization(request.headers.authorization);
    const principal = key === undefined ? undefined : await this.verifier.verify(key);
    if (!principal) {
      await reply
        .code(401)
        .header('www-authenticate', 'Basic realm="Hookyard queue dashboard", charset="UTF-8"')
        .send(
          envelope(
            401,
            'Unauthorized',
            ErrorCode.Unauthorized,
            'The queue dashboard needs the admin key: as the password of the login prompt, or as Authorization: Bearer <key>',
          ),
        );
      return;
    }
    // For the access log: which key used the dashboard.
    (request as FastifyRequest & AuthenticatedRequest).principal = principal;
    if (!principal.scopes.includes('admin')) {
      await reply
        .code(403)
        .send(envelope(403, 'Forbidden', ErrorCode.Forbidden, 'This key lacks the "admin" scope'));
      return;
    }
    // The board is read-only (its queues are registered so); this holds even for an action
    // the board itself would not check.
    if (!READ_METHODS.has(request.method)) {
      await reply
        .code(405)
        .header('allow', 'GET, HEAD')
        .send(
          envelope(
            405,
            'Method Not Allowed',
            ErrorCode.MethodNotAllowed,
            'The queue dashboard is read-only; change queues and jobs through /api/v1/admin/queues, which audits every change',
          ),
        );
    }
  }
}
