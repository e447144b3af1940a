import { HttpStatus } from '@nestjs/common';

/** Every error a client can see, with the one HTTP status it maps to. */
export enum ErrorCode {
  ValidationFailed = 'VALIDATION_FAILED',
  MalformedBody = 'MALFORMED_BODY',
  /** A search the index cannot narrow (no trigram): refused rather than scanning everything. */
  QueryTooBroad = 'QUERY_TOO_BROAD',
  MissingEventHeader = 'MISSING_EVENT_HEADER',
  MissingDeliveryId = 'MISSING_DELIVERY_ID',
  Unauthorized = 'UNAUTHORIZED',
  InvalidSignature = 'INVALID_SIGNATURE',
  Forbidden = 'FORBIDDEN',
  NotFound = 'NOT_FOUND',
  UnknownProvider = 'UNKNOWN_PROVIDER',
  UnknownSource = 'UNKNOWN_SOURCE',
  SourceDisabled = 'SOURCE_DISABLED',
  Conflict = 'CONFLICT',
  MethodNotAllowed = 'METHOD_NOT_ALLOWED',
  PayloadTooLarge = 'PAYLOAD_TOO_LARGE',
  UnsupportedMediaType = 'UNSUPPORTED_MEDIA_TYPE',
  TooManyRequests = 'TOO_MANY_REQUESTS',
  ServiceUnavailable = 'SERVICE_UNAVAILABLE',
  Internal = 'INTERNAL_ERROR',
}

export const ERROR_STATUS: Record<ErrorCode, HttpStatus> = {
  [ErrorCode.ValidationFailed]: HttpStatus.BAD_REQUEST,
  [ErrorCode.MalformedBody]: HttpStatus.BAD_REQUEST,
  [ErrorCode.QueryTooBroad]: HttpStatus.BAD_REQUEST,
  [ErrorCode.MissingEventHeader]: HttpStatus.BAD_REQUEST,
  [ErrorCode.MissingDeliveryId]: HttpStatus.BAD_REQUEST,
  [ErrorCode.Unauthorized]: HttpStatus.UNAUTHORIZED,
  [ErrorCode.InvalidSignature]: HttpStatus.UNAUTHORIZED,
  [ErrorCode.Forbidden]: HttpStatus.FORBIDDEN,
  [ErrorCode.NotFound]: HttpStatus.NOT_FOUND,
  [ErrorCode.UnknownProvider]: HttpStatus.NOT_FOUND,
  [ErrorCode.UnknownSource]: HttpStatus.NOT_FOUND,
  [ErrorCode.SourceDisabled]: HttpStatus.NOT_FOUND,
  [ErrorCode.Conflict]: HttpStatus.CONFLICT,
  [ErrorCode.MethodNotAllowed]: HttpStatus.METHOD_NOT_ALLOWED,
  [ErrorCode.PayloadTooLarge]: HttpStatus.PAYLOAD_TOO_LARGE,
  [ErrorCode.UnsupportedMediaType]: HttpStatus.UNSUPPORTED_MEDIA_TYPE,
  [ErrorCode.TooManyRequests]: HttpStatus.TOO_MANY_REQUESTS,
  [ErrorCode.ServiceUnavailable]: HttpStatus.SERVICE_UNAVAILABLE,
  [ErrorCode.Internal]: HttpStatus.INTERNAL_SERVER_ERROR,
};

/** A failure the client should see as-is: the code decides the HTTP status. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'AppError';
  }

  get status(): HttpStatus {
    return ERROR_STATUS[this.code];
  }
}

/** The body of every error answer. */
export interface ErrorEnvelope {
  statusCode: number;
  error: string;
  code: ErrorCode | string;
  message: string;
  errorId?: string;
  details?: Record<string, unknown>;
}
