import { isUtf8 } from 'node:buffer';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError, ErrorCode } from './app-error';

/** The request's body exactly as received: signatures are computed over these bytes. */
export interface RawBodyRequest {
  rawBody?: Buffer;
}

function decode(body: Buffer): string {
  if (!isUtf8(body)) throw new AppError(ErrorCode.MalformedBody, 'Body is not valid UTF-8');
  return body.toString('utf8');
}

export function parseJsonBody(body: Buffer): unknown {
  if (body.length === 0) return undefined;
  const text = decode(body);
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const reason = error instanceof Error ? error.message : 'parse error';
    throw new AppError(ErrorCode.MalformedBody, `Body is not valid JSON: ${reason}`);
  }
}

export function parseFormBody(body: Buffer): Record<string, string> {
  return Object.fromEntries(new URLSearchParams(decode(body)));
}

/**
 * JSON and form bodies only (anything else is 415), kept raw beside the parsed value.
 * Replaces Fastify's defaults so that the webhook signature is checked on the exact bytes.
 */
export function registerBodyParsers(fastify: FastifyInstance, bodyLimit: number): void {
  fastify.removeAllContentTypeParsers();
  const keepRaw =
    (parse: (body: Buffer) => unknown) =>
    (request: FastifyRequest, body: Buffer, done: (err: Error | null, body?: unknown) => void) => {
      (request as FastifyRequest & RawBodyRequest).rawBody = body;
      try {
        done(null, parse(body));
      } catch (error) {
        done(error as Error);
      }
    };
  fastify.addContentTypeParser(
    'application/json',
    { parseAs: 'buffer', bodyLimit },
    keepRaw(parseJsonBody),
  );
  fastify.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'buffer', bodyLimit },
    keepRaw(parseFormBody),
  );
}
