import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { AppError, ErrorCode } from '../../core/http/app-error';
import { AppConfig } from '../../config/config';
import { bodyKindOf, parseFormBody, parseJsonBody } from '../../core/http/body-parsers';
import { logUnexpected, mapError, UNSUPPORTED_MEDIA_MESSAGE } from '../../core/http/error-mapping';
import { MetricsService } from '../../core/observability/metrics.service';
import { IngestService } from './ingest.service';

const PREFIX = '/webhooks/';
const DEFAULT_ROUTE = '/webhooks/:provider';
const NAMED_ROUTE = '/webhooks/:provider/:source';

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

/**
 * Answers `POST /webhooks/…` straight from node:http, before Fastify's router and Nest's
 * pipeline: the forge's request is the one hot path of the API, and that pipeline (routing,
 * hooks, guards, interceptors, rxjs) cost a quarter of its CPU. Everything that decides the
 * answer is shared with the rest of the app: the IngestService, the body parsers and the one
 * error mapping. Any other request, and any webhook URL it does not recognise, goes on to
 * Fastify, where the WebhooksController serves the same routes (and documents them).
 */
@Injectable()
export class WebhookIngress implements OnModuleDestroy {
  private readonly logger = new Logger('HTTP');
  private readonly maxBodyBytes: number;
  private closing = false;

  constructor(
    private readonly ingest: IngestService,
    private readonly metrics: MetricsService,
    config: AppConfig,
  ) {
    this.maxBodyBytes = config.maxBodyBytes;
  }

  /** The first step of shutdown: from now on webhooks are answered 503 (retry elsewhere). */
  onModuleDestroy(): void {
    this.closing = true;
  }

  /** Takes the request when it is a webhook; false leaves it to the next handler. */
  handle(request: IncomingMessage, response: ServerResponse): boolean {
    if (request.method !== 'POST') return false;
    const route = webhookRouteOf(request.url ?? '');
    if (route === undefined) return false;
    const started = performance.now();
    response.once('finish', () => {
      this.metrics.httpRequestDuration.observe(
        { method: 'POST', route: route.label, status_code: String(response.statusCode) },
        (performance.now() - started) / 1000,
      );
    });
    this.answer(route, request, response).catch((error: unknown) => {
      this.fail(request, response, error);
    });
    return true;
  }

  private async answer(
    route: WebhookRoute,
    request: IncomingMessage,
    response: ServerResponse,
  ): Promise<void> {
    if (this.closing) {
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

  private fail(request: IncomingMessage, response: ServerResponse, error: unknown): void {
    // The client went away mid-request: nobody to answer, and nothing of ours to log.
    if (request.destroyed && !request.complete) {
      response.destroy();
      return;
    }
    const mapped = mapError(error);
    logUnexpected(this.logger, mapped);
    const { envelope } = mapped;
    if (response.headersSent || response.destroyed) {
      response.destroy();
      return;
    }
    this.send(response, envelope.statusCode, envelope);
  }

  private send(response: ServerResponse, statusCode: number, body: object): void {
    const text = JSON.stringify(body);
    // While shutting down, no connection is kept for another request.
    if (this.closing) response.setHeader('connection', 'close');
    response.writeHead(statusCode, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(text),
    });
    response.end(text);
  }
}
