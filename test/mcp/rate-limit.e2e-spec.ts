import { randomBytes } from 'node:crypto';
import { githubHeaders } from '../support/signing';
import { ADMIN_TOKEN, startTestApp, TestApp } from '../support/test-app';

describe('API rate limits (real HTTP, counts in Redis)', () => {
  let t: TestApp;
  let replica: TestApp;

  beforeAll(async () => {
    const env = {
      API_RATE_LIMIT_PER_KEY: '5',
      API_RATE_LIMIT_ANONYMOUS: '3',
      API_RATE_LIMIT_WINDOW_MS: '60000',
    };
    t = await startTestApp(env);
    // A second replica sharing the Redis key prefix: the counts are shared.
    replica = await startTestApp({ ...env, QUEUE_PREFIX: t.config.queuePrefix });
  });
  afterAll(async () => {
    await replica?.close();
    await t?.close();
  });

  it('limits a key across replicas, answering 429 with Retry-After', async () => {
    const created = await t.request('POST', '/api/v1/admin/api-keys', {
      json: { name: `limited-${randomBytes(4).toString('hex')}`, scopes: ['read'] },
      token: ADMIN_TOKEN,
    });
    expect(created.status).toBe(201);
    const key = created.json<{ key: string }>().key;
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const app = i % 2 === 0 ? t : replica;
      statuses.push((await app.request('GET', '/api/v1/capabilities', { token: key })).status);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    const limited = await t.request('GET', '/api/v1/capabilities', { token: key });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(limited.json()).toMatchObject({ statusCode: 429, code: 'TOO_MANY_REQUESTS' });
    expect(limited.text).not.toContain(key);
  });

  it('limits requests without a key per client address, before the key check', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      statuses.push((await t.request('GET', '/api/v1/capabilities', { token: null })).status);
    }
    expect(statuses).toEqual([401, 401, 401, 429]);
  });

  it('never limits webhooks or health', async () => {
    const statuses = new Set<number>();
    for (let i = 0; i < 8; i++) {
      const body = JSON.stringify({ zen: 'Keep it logically awesome.', hook_id: 1 });
      const webhook = await t.request('POST', '/webhooks/github', {
        body,
        headers: githubHeaders(body, 'ping'),
        token: null,
      });
      statuses.add(webhook.status);
      statuses.add((await t.request('GET', '/health/live', { token: null })).status);
    }
    expect([...statuses].sort()).toEqual([200, 202]);
  });
});
