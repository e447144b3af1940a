import { NotFoundException } from '@nestjs/common';
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { AppError, ErrorCode } from './app-error';

/** Whether the request says a body follows (and so would be read and parsed). */
export function declaresBody(headers: FastifyRequest['headers']): boolean {
  if (headers['transfer-encoding'] !== undefined) return true;
  const length = headers['content-length'];
  return length !== undefined && length !== '0';
}

/**
 * Refusals every request gets before its body is read (an onRequest hook of the whole
 * server): a body no route will take (an unrouted path) is answered 404 at once, and a
 * compressed body (Content-Encoding) is 415 naming the header, instead of being read as bytes
 * that are "not valid UTF-8".
 */
export function refuseBeforeBody(
  request: FastifyRequest,
  _reply: FastifyReply,
  done: HookHandlerDoneFunction,
): void {
  const encoding = request.headers['content-encoding'];
  if (encoding !== undefined && encoding.trim().toLowerCase() !== 'identity') {
    done(
      new AppError(
        ErrorCode.UnsupportedMediaType,
        `Content-Encoding "${encoding}" is not supported: send the body uncompressed`,
      ),
    );
    return;
  }
  if (request.is404 && declaresBody(request.headers)) {
    done(new NotFoundException(`Cannot ${request.method} ${request.url}`));
    return;
  }
  done();
}
