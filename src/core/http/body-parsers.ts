import { isUtf8 } from 'node:buffer';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError, ErrorCode } from './app-error';

export type BodyKind = 'json' | 'form';

/** The parser for a Content-Type header (parameters and case ignored); null for any other. */
export function bodyKindOf(contentType: string): BodyKind | null {
  const semicolon = contentType.indexOf(';');
  const media = (semicolon === -1 ? contentType : contentType.slice(0, semicolon))
    .trim()
    .toLowerCase();
  if (media === 'application/json') return 'json';
  if (media === 'application/x-www-form-urlencoded') return 'form';
  return null;
}

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
