import { HttpException, HttpStatus, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import { isTransientError } from '../database/transient-errors';
import { AppError, ErrorCode, ErrorEnvelope } from './app-error';

const CODE_BY_STATUS: Partial<Record<number, ErrorCode>> = {
  400: ErrorCode.ValidationFailed,
  401: ErrorCode.Unauthorized,
  403: ErrorCode.Forbidden,
  404: ErrorCode.NotFound,
  409: ErrorCode.Conflict,
  413: ErrorCode.PayloadTooLarge,
  415: ErrorCode.UnsupportedMediaType,
  503: ErrorCode.ServiceUnavailable,
};

/** Fastify's own errors (body parsing, limits) that are the client's fault. */
const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: ErrorCode.PayloadTooLarge,
  FST_ERR_CTP_INVALID_MEDIA_TYPE: ErrorCode.UnsupportedMediaType,
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: ErrorCode.MalformedBody,
  FST_ERR_CTP_EMPTY_JSON_BODY: ErrorCode.MalformedBody,
  FST_ERR_CTP_INVALID_JSON_BODY: ErrorCode.MalformedBody,
};

export const UNSUPPORTED_MEDIA_MESSAGE =
  'Content-Type must be application/json or application/x-www-form-urlencoded';

export interface MappedError {
  envelope: ErrorEnvelope;
  /** Set when the error is ours and must be logged with its id. */
  unexpected?: unknown;
}

function envelope(status: number, code: string, message: string): ErrorEnvelope {
  return { statusCode: status, error: STATUS_CODES[status] ?? 'Error', code, message };
}

function httpExceptionMessage(exception: HttpException): string {
  const response = exception.getResponse();
  if (typeof response === 'string') return response;
  const message = (response as { message?: unknown }).message;
  if (Array.isArray(message)) return message.map(String).join('; ');
  if (typeof message === 'string') return message;
  return exception.message;
}

/** Logs an error that is ours (marked `unexpected` by mapError) under its error id. */
export function logUnexpected(logger: Logger, { envelope, unexpected }: MappedError): void {
  if (unexpected === undefined) return;
  const stack = unexpected instanceof Error ? unexpected.stack : JSON.stringify(unexpected);
  logger.error(`${envelope.code} ${envelope.errorId ?? ''}: ${stack}`);
}

/**
 * The single mapping from anything thrown to an HTTP answer. Unknown errors become a 500
 * with an error id and no internals; the caller logs the original under that id.
 */
export function mapError(exception: unknown): MappedError {
  if (exception instanceof AppError) {
    const body = envelope(exception.status, exception.code, exception.message);
    if (exception.details) body.details = exception.details;
    return { envelope: body };
  }
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const code = CODE_BY_STATUS[status] ?? `HTTP_${status}`;
    const message = status === 415 ? UNSUPPORTED_MEDIA_MESSAGE : httpExceptionMessage(exception);
    return { envelope: envelope(status, code, message) };
  }
  const fastifyCode = (exception as { code?: unknown } | null)?.code;
  if (typeof fastifyCode === 'string' && fastifyCode in FASTIFY_CODES) {
    const code = FASTIFY_CODES[fastifyCode];
    const message =
      code === ErrorCode.UnsupportedMediaType
        ? UNSUPPORTED_MEDIA_MESSAGE
        : (exception as Error).message;
    const error = new AppError(code, message);
    return { envelope: envelope(error.status, code, error.message) };
  }
  const status = (exception as { statusCode?: unknown } | null)?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const code = CODE_BY_STATUS[status] ?? `HTTP_${status}`;
    return { envelope: envelope(status, code, (exception as Error).message) };
  }
  if (isTransientError(exception)) {
    const body = envelope(
      HttpStatus.SERVICE_UNAVAILABLE,
      ErrorCode.ServiceUnavailable,
      'A backing service is unavailable; retry later',
    );
    return { envelope: body, unexpected: exception };
  }
  const body = envelope(
    HttpStatus.INTERNAL_SERVER_ERROR,
    ErrorCode.Internal,
    'Internal error; the error id identifies it in the server log',
  );
  body.errorId = randomUUID();
  return { envelope: body, unexpected: exception };
}
