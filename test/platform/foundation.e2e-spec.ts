import { registeredRoutes } from '../../src/bootstrap';
import { startTestApp, TestApp } from '../support/test-app';

// '/' and '/ui' serve the dashboard's public static files (every figure comes from /api/v1).
const PUBLIC_PREFIXES = ['/webhooks', '/health', '/docs', '/metrics', '/ui'];

describe('service foundation (real PostgreSQL + Redis)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });

  afterAll(async () => {
    await t.close();
  });

  it('is live and ready when database, Redis and queues answer', async () => {
    const live = await t.request('GET', '/health/live', { token: null });
    expect(live.status).toBe(200);
    const ready = await t.request('GET', '/health/ready', { token: null });
    expect(ready.status).toBe(200);
    const body = ready.json<{ status: string; details: Record<string, { status: string }> }>();
    expect(body.status).toBe('ok');
    expect(Object.keys(body.details).sort()).toEqual(['database', 'queues', 'redis']);
    expect(Object.values(body.details).every((d) => d.status === 'up')).toBe(true);
  });

  it('serves a valid OpenAPI 3 document and the Swagger UI without a key', async () => {
    const doc = await t.request('GET', '/docs-json', { token: null });
    expect(doc.status).toBe(200);
    const openapi = doc.json<{
      openapi: string;
      info: { title: string };
      paths: Record<string, unknown>;
    }>();
    expect(openapi.openapi).toMatch(/^3\./);
    expect(openapi.info.title).toBe('Hookyard');
    expect(Object.keys(openapi.paths)).toEqual(
      expect.arrayContaining(['/webhooks/{provider}', '/health/ready', '/api/v1/admin/deliveries']),
    );
    const ui = await t.request('GET', '/docs', { token: null });
    expect(ui.status).toBe(200);
    expect(ui.text).toContain('swagger');
  });

  it('exports Prometheus metrics: HTTP histogram, queue depth, job durations', async () => {
    await t.request('GET', '/health/live', { token: null });
    const metrics = await t.request('GET', '/metrics', { token: null });
    expect(metrics.status).toBe(200);
    expect(metrics.headers.get('content-type')).toContain('text/plain');
    expect(metrics.text).toContain('hookyard_http_request_duration_seconds_bucket');
    expect(metrics.text).toMatch(/hookyard_queue_jobs\{queue="deliveries",state="waiting"\} \d+/);
    expect(metrics.text).toContain('# TYPE hookyard_job_duration_seconds histogram');
  });

  it('answers 401 without a key on every route outside /webhooks, /health, /docs and /metrics', async () => {
    const guarded = registeredRoutes(t.app).filter(
      (r) =>
        r.method !== 'HEAD' &&
        r.method !== 'OPTIONS' &&
        r.url !== '/' &&
        !PUBLIC_PREFIXES.some((p) => r.url.startsWith(p)),
    );
    expect(guarded.length).toBeGreaterThan(5);
    const failures: string[] = [];
    for (const route of guarded) {
      const path = route.url.replace(/:[A-Za-z]+/g, '00000000-0000-4000-8000-000000000000');
      const response = await t.request(route.method, path, {
        token: null,
        json: ['POST', 'PUT', 'PATCH'].includes(route.method) ? {} : undefined,
      });
      if (response.status !== 401)
        failures.push(`${route.method} ${route.url} -> ${response.status}`);
      else expect(response.json()).toMatchObject({ statusCode: 401, code: 'UNAUTHORIZED' });
    }
    expect(failures).toEqual([]);
  });

  it('rejects a wrong key with 401 and accepts the admin token', async () => {
    expect((await t.request('GET', '/api/v1/admin/sources', { token: 'not-the-key' })).status).toBe(
      401,
    );
    expect((await t.request('GET', '/api/v1/admin/sources')).status).toBe(200);
  });

  it('answers unknown routes and invalid query input with the error envelope', async () => {
    const missing = await t.request('GET', '/api/v1/nothing-here');
    expect(missing.status).toBe(404);
    expect(missing.json()).toMatchObject({
      statusCode: 404,
      error: 'Not Found',
      code: 'NOT_FOUND',
    });
    const invalid = await t.request('GET', '/api/v1/admin/deliveries?limit=0&unknown=1');
    expect(invalid.status).toBe(400);
    expect(invalid.json()).toMatchObject({ statusCode: 400, code: 'VALIDATION_FAILED' });
    expect(invalid.json<{ message: string }>().message).toContain('unknown should not exist');
  });
});
