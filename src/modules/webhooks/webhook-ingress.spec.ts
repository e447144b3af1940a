import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AppError, ErrorCode } from '../../core/http/app-error';
import { MetricsService } from '../../core/observability/metrics.service';
import type { IngestService, WebhookAnswer, WebhookRequest } from './ingest.service';
import { bodyKindOf, WebhookIngress, webhookRouteOf } from './webhook-ingress';

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

describe('bodyKindOf', () => {
  it('knows JSON and forms, with parameters and in any case', () => {
    expect(bodyKindOf('application/json')).toBe('json');
    expect(bodyKindOf('Application/JSON; charset=utf-8')).toBe('json');
    expect(bodyKindOf('application/x-www-form-urlencoded')).toBe('form');
    expect(bodyKindOf(' application/x-www-form-urlencoded ;charset=UTF-8')).toBe('form');
  });

  it('refuses every other media type', () => {
    for (const type of ['text/plain', 'application/json-patch+json', 'multipart/form-data', '']) {
      expect(bodyKindOf(type)).toBeNull();
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
  const ingress = new WebhookIngress(1024);
  ingress.attach(ingest, metrics);
  const server = createServer((request, response) => {
    if (!ingress.handle(request, response)) response.writeHead(418).end('router');
  });
  let base: string;

  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  beforeEach(() => {
    received.length = 0;
    answer = () => Promise.resolve({ statusCode: 202, body: { id: 'a1', status: 'accepted' } });
  });

  const post = (path: string, body: string, contentType?: string) =>
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
    const untyped = await post('/webhooks/github', '{}');
    expect(untyped.status).toBe(415);
    const tooLarge = await post('/webhooks/github', 'x'.repeat(2048), 'application/json');
    expect(tooLarge.status).toBe(413);
    expect(await tooLarge.json()).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    const malformed = await post('/webhooks/github', '{"a":', 'application/json');
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ code: 'MALFORMED_BODY' });
    expect(received).toHaveLength(0);
  });

  it('maps what the ingest service throws through the one error mapping', async () => {
    answer = () => Promise.reject(new AppError(ErrorCode.ServiceUnavailable, 'down'));
    const unavailable = await post('/webhooks/github', '{}', 'application/json');
    expect(unavailable.status).toBe(503);
    expect(await unavailable.json()).toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    answer = () => Promise.reject(new Error('secret internals'));
    const broken = await post('/webhooks/github', '{}', 'application/json');
    expect(broken.status).toBe(500);
    const body = await broken.json();
    expect(body).toMatchObject({ code: 'INTERNAL_ERROR', errorId: expect.any(String) });
    expect(JSON.stringify(body)).not.toContain('secret internals');
  });

  it('answers 503 and closes the connection once the server is shutting down', async () => {
    ingress.close();
    const response = await post('/webhooks/github', '{}', 'application/json');
    expect(response.status).toBe(503);
    expect(response.headers.get('connection')).toBe('close');
    expect(received).toHaveLength(0);
  });
});
