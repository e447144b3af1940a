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

/**
 * Route config (Fastify's, set with Nest's `@RouteConfig`) of a route whose body is kept raw
 * and left unparsed: the handler decides when, and whether, to parse it.
 */
export const RAW_BODY_ROUTE = { rawBody: true } as const;

export function isRawBodyRoute(config: unknown): boolean {
  return (
    typeof config === 'object' &&
    config !== null &&
    (config as { rawBody?: unknown }).rawBody === true
  );
}

/** A body as text: bytes are checked to be UTF-8; text (as stored) is taken as it is. */
function decode(body: Buffer | string): string {
  if (typeof body === 'string') return body;
  if (!isUtf8(body)) throw new AppError(ErrorCode.MalformedBody, 'Body is not valid UTF-8');
  return body.toString('utf8');
}

export function parseJsonBody(body: Buffer | string): unknown {
  if (body.length === 0) return undefined;
  const text = decode(body);
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const reason = error instanceof Error ? error.message : 'parse error';
    throw new AppError(ErrorCode.MalformedBody, `Body is not valid JSON: ${reason}`);
  }
}

/** A form's fields. A field given twice is refused: readers would disagree on which one counts. */
export function parseFormBody(body: Buffer | string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(decode(body))) {
    if (Object.hasOwn(fields, name)) {
      throw new AppError(ErrorCode.MalformedBody, `Form field "${name}" is given more than once`);
    }
    fields[name] = value;
  }
  return fields;
}

/**
 * JSON and form bodies only (anything else is 415), read as bytes. Routes marked
 * RAW_BODY_ROUTE (the webhooks) keep the bytes unparsed in `rawBody`: their signature is
 * checked on those bytes before anything parses them. Every other route gets the parsed value.
 * The body limit is each route's own (set where the routes are registered).
 */
export function registerBodyParsers(fastify: FastifyInstance): void {
  fastify.removeAllContentTypeParsers();
  const parseUnlessRaw =
    (parse: (body: Buffer) => unknown) =>
    (request: FastifyRequest, body: Buffer, done: (err: Error | null, body?: unknown) => void) => {
      if (isRawBodyRoute(request.routeOptions.config)) {
        (request as FastifyRequest & RawBodyRequest).rawBody = body;
        done(null, undefined);
        return;
      }
      try {
        done(null, parse(body));
      } catch (error) {
        done(error as Error);
      }
    };
  fastify.addContentTypeParser(
    'application/json',
    { parseAs: 'buffer' },
    parseUnlessRaw(parseJsonBody),
  );
  fastify.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'buffer' },
    parseUnlessRaw(parseFormBody),
  );
}
