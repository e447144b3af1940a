import { Logger } from '@nestjs/common';
import { createServer } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import type { AppConfig } from '../../config/config';
import { AppError, ErrorCode } from '../../core/http/app-error';
import { MetricsService } from '../../core/observability/metrics.service';
import type { IngestService, WebhookAnswer, WebhookRequest } from './ingest.service';
import { WebhookIngress, webhookRouteOf } from './webhook-ingress';

describe('webhookRouteOf', () => {
  it('reads the provider, and the source when there is one', () => {
    expect(webhookRouteOf('/webhooks/github')).toEqual({
      provider: 'github',
      source: undefined,
      label: '/webhooks/:provider',
    });
    expect(webhookRouteOf('/webhooks/gitlab/team-a')).toEqual({
      provider: 'gitlab',
      source: 'team-a',
      label: '/webhooks/:provider/:source',
    });
  });

  it('ignores the query string and decodes percent-encoding', () => {
    expect(webhookRouteOf('/webhooks/gitea/my%20source?x=1&y=/a/b')).toMatchObject({
      provider: 'gitea',
      source: 'my source',
    });
    expect(webhookRouteOf('/webhooks/github?hook=1')).toMatchObject({
      provider: 'github',
      source: undefined,
    });
  });

  it('leaves everything else to the router', () => {
    for (const url of [
      '/webhooks',
      '/webhooks/',
      '/webhooks/github/',
      '/webhooks//x',
      '/webhooks/github/a/b',
      '/webhooks/github/%E0%A4%A',
      '/webhooksx/github',
      '/api/v1/webhooks/github',
    ]) {
      expect(webhookRouteOf(url)).toBeUndefined();
    }
  });
});

describe('WebhookIngress over a real node:http server', () => {
  const received: WebhookRequest[] = [];
  let answer: (request: WebhookRequest) => Promise<WebhookAnswer>;
  const ingest = {
    receive: (request: WebhookRequest) => {
      received.push(request);
      return answer(request);
    },
  } as unknown as IngestService;
  const metrics = new MetricsService();
  const ingress = new WebhookIngress(ingest, metrics, { maxBodyBytes: 1024 } as AppConfig);
  const server = createServer((request, response) => {
    if (!ingress.handle(request, response)) response.writeHead(418).end('router');
  });
  let base: string;
  let port: number;
  const logged: string[] = [];

  beforeAll(async () => {
    jest.spyOn(Logger.prototype, 'error').mockImplementation((message: unknown) => {
      logged.push(String(message));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
    base = `http://127.0.0.1:${port}`;
  });
  afterAll(async () => {
    jest.restoreAllMocks();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  beforeEach(() => {
    received.length = 0;
    logged.length = 0;
    answer = () => Promise.resolve({ statusCode: 202, body: { id: 'a1', status: 'accepted' } });
  });

  const post = (path: string, body: string | Uint8Array, contentType?: string) =>
    fetch(`${base}${path}`, {
      method: 'POST',
      body,
      headers: contentType === undefined ? {} : { 'content-type': contentType },
    });

  it('hands the raw body, parsed body and route to the ingest service', async () => {
    const response = await post('/webhooks/github/team?x=1', '{"a":1}', 'application/json');
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ id: 'a1', status: 'accepted' });
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ provider: 'github', source: 'team', body: { a: 1 } });
    expect(received[0].rawBody?.toString()).toBe('{"a":1}');
    const text = await metrics.render();
    expect(text).toMatch(
      /hookyard_http_request_duration_seconds_count\{method="POST",route="\/webhooks\/:provider\/:source",status_code="202"\} 1/,
    );
  });

  it('parses form bodies and leaves other methods and paths to the router', async () => {
    const form = await post(
      '/webhooks/github',
      'payload=%7B%7D',
      'application/x-www-form-urlencoded',
    );
    expect(form.status).toBe(202);
    expect(received[0].body).toEqual({ payload: '{}' });
    expect((await fetch(`${base}/webhooks/github`)).status).toBe(418);
    expect((await post('/webhooks/github/a/b', '{}', 'application/json')).status).toBe(418);
  });

  it('answers 415, 413 and 400 itself, without calling the ingest service', async () => {
    const unsupported = await post('/webhooks/github', '{}', 'text/plain');
    expect(unsupported.status).toBe(415);
    expect(await unsupported.json()).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE' });
    // A byte body: fetch adds no Content-Type of its own.
    const untyped = await post('/webhooks/github', new TextEncoder().encode('{}'));
    expect(untyped.status).toBe(415);
    const tooLarge = await post('/webhooks/github', 'x'.repeat(2048), 'application/json');
    expect(tooLarge.status).toBe(413);
    expect(await tooLarge.json()).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    expect(tooLarge.headers.get('connection')).toBe('close');
    const malformed = await post('/webhooks/github', '{"a":', 'application/json');
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ code: 'MALFORMED_BODY' });
    expect(received).toHaveLength(0);
  });

  it('counts the bytes of a chunked body (no Content-Length) against the limit', async () => {
    const chunk = new TextEncoder().encode('x'.repeat(400));
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 4; i++) controller.enqueue(chunk);
        controller.close();
      },
    });
    const response = await fetch(`${base}/webhooks/github`, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json' },
      duplex: 'half',
    });
    expect(response.status).toBe(413);
    expect(received).toHaveLength(0);
  });

  it('drops a request whose client hangs up mid-body, without logging an error', async () => {
    const socket = connect(port, '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    socket.write(
      'POST /webhooks/github HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
        'Content-Length: 500\r\n\r\n{"a":',
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    socket.destroy();
    await new Promise((resolve) => setTimeout(resolve, 50));
    // The server carries on, and nothing was logged or handed to the ingest service.
    expect((await post('/webhooks/github', '{}', 'application/json')).status).toBe(202);
    expect(received).toHaveLength(1);
    expect(logged).toEqual([]);
  });

  it('maps what the ingest service throws through the one error mapping', async () => {
    answer = () => Promise.reject(new AppError(ErrorCode.ServiceUnavailable, 'down'));
    const unavailable = await post('/webhooks/github', '{}', 'application/json');
    expect(unavailable.status).toBe(503);
    expect(await unavailable.json()).toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    answer = () => Promise.reject(new Error('secret internals'));
    const broken = await post('/webhooks/github', '{}', 'application/json');
    expect(broken.status).toBe(500);
    const body = (await broken.json()) as { errorId: string };
    expect(body).toMatchObject({ code: 'INTERNAL_ERROR', errorId: expect.any(String) });
    expect(JSON.stringify(body)).not.toContain('secret internals');
    expect(logged.join('\n')).toContain(body.errorId);
  });

  it('answers 503 and closes the connection once the server is shutting down', async () => {
    // Last: the ingress stays closed.
    ingress.onModuleDestroy();
    const response = await post('/webhooks/github', '{}', 'application/json');
    expect(response.status).toBe(503);
    expect(response.headers.get('connection')).toBe('close');
    expect(received).toHaveLength(0);
  });
});
