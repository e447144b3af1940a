import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { AppError, ErrorCode } from '../http/app-error';
import { ApiKeyVerifier } from './api-key.verifier';
import { AuthenticatedRequest, Scope } from './principal';
import { IS_PUBLIC } from './public.decorator';
import { REQUIRED_SCOPE } from './required-scope.decorator';

const READ_METHODS = new Set(['GET', 'HEAD']);

/**
 * Global guard: every route needs `Authorization: Bearer <key>` unless marked @Public().
 * Reading needs the `read` scope; every state change needs `admin`.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly verifier: ApiKeyVerifier,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const isPublic = this.reflector.getAllAndOverride<boolean | undefined>(IS_PUBLIC, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (isPublic) return true;
    const request = context.switchToHttp().getRequest<FastifyRequest & AuthenticatedRequest>();
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!match) {
      throw new AppError(
        ErrorCode.Unauthorized,
        'Missing API key: send Authorization: Bearer <key>',
      );
    }
    const principal = await this.verifier.verify(match[1]);
    if (!principal) throw new AppError(ErrorCode.Unauthorized, 'Invalid API key');
    const declared = this.reflector.getAllAndOverride<Scope | undefined>(REQUIRED_SCOPE, [
      context.getHandler(),
      context.getClass(),
    ]);
    const needed: Scope = declared ?? (READ_METHODS.has(request.method) ? 'read' : 'admin');
    if (!principal.scopes.includes(needed)) {
      throw new AppError(ErrorCode.Forbidden, `This key lacks the "${needed}" scope`);
    }
    request.principal = principal;
    request.admitted = true;
    return true;
  }
}
