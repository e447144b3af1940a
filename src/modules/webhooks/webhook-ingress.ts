import { Logger } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { AppError, ErrorCode } from '../../core/http/app-error';
import { parseFormBody, parseJsonBody } from '../../core/http/body-parsers';
import { mapError, UNSUPPORTED_MEDIA_MESSAGE } from '../../core/http/error-mapping';
import { MetricsService } from '../../core/observability/metrics.service';
import { IngestService } from './ingest.service';

const PREFIX = '/webhooks/';
const DEFAULT_ROUTE = '/webhooks/:provider';
const NAMED_ROUTE = '/webhooks/:provider/:source';

type BodyKind = 'json' | 'form';

interface WebhookRoute {
  provider: string;
  source: string | undefined;
  label: typeof DEFAULT_ROUTE | typeof NAMED_ROUTE;
}

function decodeSegment(segment: string): string | undefined {
  if (segment === '') return undefined;
  if (!segment.includes('%')) return segment;
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/** `/webhooks/<provider>[/<source>][?…]`, or undefined for anything else. */
export function webhookRouteOf(url: string): WebhookRoute | undefined {
  if (!url.startsWith(PREFIX)) return undefined;
  const query = url.indexOf('?');
  const segments = url.slice(PREFIX.length, query === -1 ? undefined : query).split('/');
  if (segments.length > 2) return undefined;
  const provider = decodeSegment(segments[0]);
  if (provider === undefined) return undefined;
  if (segments.length === 1) return { provider, source: undefined, label: DEFAULT_ROUTE };
  const source = decodeSegment(segments[1]);
  return source === undefined ? undefined : { provider, source, label: NAMED_ROUTE };
}

/** The body parser for a Content-Type header; null when it names anything else. */
export function bodyKindOf(contentType: string): BodyKind | null {
  const semicolon = contentType.indexOf(';');
  const media = (semicolon === -1 ? contentType : contentType.slice(0, semicolon))
    .trim()
    .toLowerCase();
  if (media === 'application/json') return 'json';
  if (media === 'application/x-www-form-urlencoded') return 'form';
  return null;
}

/**
 * Answers `POST /webhooks/…` straight from node:http, before Fastify's router and Nest's
 * pipeline: the forge's request is the one hot path of the API, and that pipeline (routing,
 * hooks, guards, interceptors, rxjs) cost a quarter of its CPU. Everything that decides the
 * answer is shared with the rest of the app: the IngestService, the body parsers and the one
 * error mapping. Any other request, and any webhook URL it does not recognise, goes on to
 * Fastify, where the WebhooksController serves the same routes (and documents them).
 */
export class WebhookIngress {
  private readonly logger = new Logger('HTTP');
  private ingest: IngestService | undefined;
  private metrics: MetricsService | undefined;
  private closing = false;

  constructor(private readonly maxBodyBytes: number) {}

  /** Connects the ingress to the app once the Nest container exists. */
  attach(ingest: IngestService, metrics: MetricsService): void {
    this.ingest = ingest;
    this.metrics = metrics;
  }

  /** From now on, webhooks are answered 503 (the server is shutting down). */
  close(): void {
    this.closing = true;
  }

  /** Takes the request when it is a webhook; false leaves it to the next handler. */
  handle(request: IncomingMessage, response: ServerResponse): boolean {
    if (request.method !== 'POST' || this.ingest === undefined) return false;
    const route = webhookRouteOf(request.url ?? '');
    if (route === undefined) return false;
    const started = performance.now();
    response.once('finish', () => {
      this.metrics?.httpRequestDuration.observe(
        { method: 'POST', route: route.label, status_code: String(response.statusCode) },
        (performance.now() - started) / 1000,
      );
    });
    this.answer(route, request, response).catch((error: unknown) => {
      this.fail(response, error);
    });
    return true;
  }

  private async answer(
    route: WebhookRoute,
    request: IncomingMessage,
    response: ServerResponse,
  ): Promise<void> {
    if (this.closing || this.ingest === undefined) {
      response.setHeader('connection', 'close');
      throw new AppError(ErrorCode.ServiceUnavailable, 'The server is shutting down; retry');
    }
    const contentType = request.headers['content-type'];
    const kind = contentType === undefined ? undefined : bodyKindOf(contentType);
    if (kind === null) {
      throw new AppError(ErrorCode.UnsupportedMediaType, UNSUPPORTED_MEDIA_MESSAGE);
    }
    const rawBody = await this.readBody(request, response);
    if (kind === undefined && rawBody.length > 0) {
      throw new AppError(ErrorCode.UnsupportedMediaType, UNSUPPORTED_MEDIA_MESSAGE);
    }
    const body = kind === 'form' ? parseFormBody(rawBody) : parseJsonBody(rawBody);
    const answer = await this.ingest.receive({
      provider: route.provider,
      source: route.source,
      headers: request.headers,
      contentType,
      rawBody: kind === undefined ? undefined : rawBody,
      body,
    });
    this.send(response, answer.statusCode, answer.body);
  }

  private readBody(request: IncomingMessage, response: ServerResponse): Promise<Buffer> {
    const tooLarge = () => {
      // The rest of the body is not read, so this connection cannot carry another request.
      response.setHeader('connection', 'close');
      return new AppError(
        ErrorCode.PayloadTooLarge,
        `The body is larger than the limit of ${this.maxBodyBytes} bytes`,
      );
    };
    const declared = Number(request.headers['content-length']);
    if (declared > this.maxBodyBytes) return Promise.reject(tooLarge());
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const onData = (chunk: Buffer) => {
        size += chunk.length;
        if (size > this.maxBodyBytes) {
          request.off('data', onData);
          request.pause();
          reject(tooLarge());
          return;
        }
        chunks.push(chunk);
      };
      request.on('data', onData);
      request.once('end', () => resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)));
      request.once('error', reject);
    });
  }

  private fail(response: ServerResponse, error: unknown): void {
    const { envelope, unexpected } = mapError(error);
    if (unexpected !== undefined) {
      const stack = unexpected instanceof Error ? unexpected.stack : JSON.stringify(unexpected);
      this.logger.error(`${envelope.code} ${envelope.errorId ?? ''}: ${stack}`);
    }
    if (response.headersSent || response.destroyed) {
      response.destroy();
      return;
    }
    this.send(response, envelope.statusCode, envelope);
  }

  private send(response: ServerResponse, statusCode: number, body: object): void {
    const text = JSON.stringify(body);
    response.writeHead(statusCode, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(text),
    });
    response.end(text);
  }
}
