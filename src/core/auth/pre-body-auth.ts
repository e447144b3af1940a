import type { FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import { AppError, ErrorCode } from '../http/app-error';
import { ApiKeyVerifier } from './api-key.verifier';
import { AuthenticatedRequest } from './principal';

/** Prefixes of the routes without an API key (README: every other route needs one). */
const KEYLESS_PREFIXES = ['/webhooks', '/health', '/docs', '/metrics'];
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

function underPrefix(url: string, prefix: string): boolean {
  return url === prefix || url.startsWith(`${prefix}/`) || url.startsWith(`${prefix}-`);
}

/**
 * Whether a route takes a body that only a key holder may send: a state-changing method on a
 * route that needs a key. `exceptPrefixes` are routes with their own check (the queue
 * dashboard's onRequest hook).
 */
export function takesKeyedBody(
  method: string | string[],
  url: string,
  exceptPrefixes: readonly string[] = [],
): boolean {
  const methods = [method].flat();
  if (!methods.some((m) => BODY_METHODS.has(m))) return false;
  return ![...KEYLESS_PREFIXES, ...exceptPrefixes].some((prefix) => underPrefix(url, prefix));
}

/**
 * An onRequest hook for the routes `takesKeyedBody` names: the API key is checked before the
 * body is read, so a request without a valid key costs nothing but its headers. The global
 * ApiKeyGuard still decides the scope once the route runs.
 */
export function apiKeyBeforeBody(verifier: ApiKeyVerifier): onRequestAsyncHookHandler {
  return async (request: FastifyRequest & AuthenticatedRequest) => {
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!match) {
      throw new AppError(
        ErrorCode.Unauthorized,
        'Missing API key: send Authorization: Bearer <key>',
      );
    }
    const principal = await verifier.verify(match[1]);
    if (!principal) throw new AppError(ErrorCode.Unauthorized, 'Invalid API key');
    request.principal = principal;
  };
}
