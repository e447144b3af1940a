import { randomUUID } from 'node:crypto';
import { deleteKeys } from '../support/harness';
import { githubHeaders, hmacHex } from '../support/signing';
import { GITHUB_SECRET, startTestApp, TestApp, TestResponse } from '../support/test-app';

const SOURCES = '/api/v1/admin/sources';

interface SourceView {
  id: string;
  slug: string;
  rateLimitPerMinute: number | null;
}

interface ErrorBody {
  statusCode: number;
  code: string;
  message: string;
  details?: { retryAfterSeconds?: number; field?: string };
}

const newSecret = () => `ceiling-secret-${randomUUID()}`;
const newSlug = () => `ceiling-${randomUUID().slice(0, 8)}`;

/** A small GitHub push, unique per call (its delivery id too). */
function pushBody(): string {
  return JSON.stringify({
    ref: 'refs/heads/main',
    before: '0'.repeat(40),
    after: randomUUID().replaceAll('-', '').padEnd(40, '0'),
    repository: { id: 7301, full_name: 'acme/ceiling', name: 'ceiling' },
    commits: [],
  });
}

/** How many of the app's Redis keys match `pattern` (deleting them: only used at a test's end). */
function takeKeys(app: TestApp, pattern: string): Promise<number> {
  return deleteKeys(app.config.redisUrl, `${app.config.queuePrefix}:${pattern}`);
}

describe('per-source webhook rate ceiling (real HTTP, PostgreSQL, Redis)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });

  afterAll(async () => {
    await t.close();
  });

  const createSource = async (body: Record<string, unknown>): Promise<SourceView> => {
    const response = await t.request('POST', SOURCES, { json: body });
    expect(response.status).toBe(201);
    return response.json<SourceView>();
  };

  const deliver = (app: TestApp, path: string, secret: string): Promise<TestResponse> => {
    const body = pushBody();
    return app.request('POST', path, {
      body,
      headers: githubHeaders(body, 'push', randomUUID(), secret),
      token: null,
    });
  };

  const storedFor = async (source: string): Promise<number> =>
    Number(
      (
        await t.dataSource.query<{ n: string }[]>(
          'SELECT count(*) AS n FROM deliveries WHERE provider = $1 AND source = $2',
          ['github', source],
        )
      )[0].n,
    );

  it('answers 429 with Retry-After and a JSON error over the ceiling, and stores nothing', async () => {
    const secret = newSecret();
    const source = await createSource({
      provider: 'github',
      slug: newSlug(),
      secrets: [secret],
      rateLimitPerMinute: 3,
    });
    expect(source.rateLimitPerMinute).toBe(3);
    const path = `/webhooks/github/${source.slug}`;
    for (let i = 0; i < 3; i++) expect((await deliver(t, path, secret)).status).toBe(202);

    const refused = await deliver(t, path, secret);
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    const error = refused.json<ErrorBody>();
    expect(error).toMatchObject({ statusCode: 429, code: 'TOO_MANY_REQUESTS' });
    expect(error.message).toContain('3 webhooks per minute');
    expect(error.details?.retryAfterSeconds).toBe(retryAfter);
    expect(await storedFor(source.slug)).toBe(3);
    // The count lives in Redis, under the source's name (the next test expects none without a ceiling).
    expect(await takeKeys(t, `webhook-ceiling:github/${source.slug}`)).toBe(1);
  });

  it('counts only authentic deliveries: bad signatures cannot use up a source allowance', async () => {
    const secret = newSecret();
    const source = await createSource({
      provider: 'github',
      slug: newSlug(),
      secrets: [secret],
      rateLimitPerMinute: 2,
    });
    const path = `/webhooks/github/${source.slug}`;
    for (let i = 0; i < 5; i++) {
      expect((await deliver(t, path, `not-${secret}`)).status).toBe(401);
    }
    expect((await deliver(t, path, secret)).status).toBe(202);
    expect((await deliver(t, path, secret)).status).toBe(202);
    expect((await deliver(t, path, secret)).status).toBe(429);
  });

  it('a source without a ceiling is never counted (no Redis key) and never refused', async () => {
    const secret = newSecret();
    const source = await createSource({ provider: 'github', slug: newSlug(), secrets: [secret] });
    expect(source.rateLimitPerMinute).toBeNull();
    const path = `/webhooks/github/${source.slug}`;
    for (let i = 0; i < 8; i++) expect((await deliver(t, path, secret)).status).toBe(202);
    expect(await takeKeys(t, `webhook-ceiling:github/${source.slug}`)).toBe(0);
    expect(await storedFor(source.slug)).toBe(8);
  });

  it('PATCH sets and (with null) removes the ceiling; bad values are 400 and change nothing', async () => {
    const secret = newSecret();
    const source = await createSource({ provider: 'github', slug: newSlug(), secrets: [secret] });
    const url = `${SOURCES}/${source.id}`;
    for (const bad of [0, -1, 1.5, 1_000_001, '60', true]) {
      const response = await t.request('PATCH', url, { json: { rateLimitPerMinute: bad } });
      expect(response.status).toBe(400);
      expect(response.json<ErrorBody>().message).toContain('rateLimitPerMinute');
    }
    const created = await t.request('POST', SOURCES, {
      json: { provider: 'github', slug: newSlug(), rateLimitPerMinute: 0 },
    });
    expect(created.status).toBe(400);

    const set = await t.request('PATCH', url, { json: { rateLimitPerMinute: 1 } });
    expect(set.status).toBe(200);
    expect(set.json<SourceView>().rateLimitPerMinute).toBe(1);
    // The resolver caches a source for up to 5 s: wait until the ceiling is seen.
    const path = `/webhooks/github/${source.slug}`;
    let refusedAfter = 0;
    for (let i = 0; i < 60 && refusedAfter === 0; i++) {
      if ((await deliver(t, path, secret)).status === 429) refusedAfter = i + 1;
      else await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(refusedAfter).toBeGreaterThan(1);

    const cleared = await t.request('PATCH', url, { json: { rateLimitPerMinute: null } });
    expect(cleared.status).toBe(200);
    expect(cleared.json<SourceView>().rateLimitPerMinute).toBeNull();
    const accepted = await (async () => {
      for (let i = 0; i < 60; i++) {
        if ((await deliver(t, path, secret)).status === 202) return true;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      return false;
    })();
    expect(accepted).toBe(true);

    const audited = await t.dataSource.query<{ details: Record<string, unknown> }[]>(
      `SELECT details FROM audit_log WHERE target = $1 AND method = 'PATCH' AND status_code = 200
       ORDER BY at`,
      [source.id],
    );
    expect(audited.map((a) => a.details)).toEqual([
      { rateLimitPerMinute: 1 },
      { rateLimitPerMinute: null },
    ]);
  });

  it('is shared by replicas (Redis), and WEBHOOK_RATE_LIMITS sets it for a default source', async () => {
    const env = { WEBHOOK_RATE_LIMITS: 'gitea=3', GITEA_WEBHOOK_SECRET: newSecret() };
    const a = await startTestApp({ ...env, ROLE: 'api' });
    const b = await startTestApp({ ...env, ROLE: 'api', QUEUE_PREFIX: a.config.queuePrefix });
    try {
      const send = (app: TestApp) => {
        const body = JSON.stringify({
          ref: 'refs/heads/main',
          repository: { id: 7302, full_name: 'acme/shared', name: 'shared' },
          commits: [],
        });
        return app.request('POST', '/webhooks/gitea', {
          body,
          token: null,
          headers: {
            'content-type': 'application/json',
            'x-gitea-event': 'push',
            'x-gitea-delivery': randomUUID(),
            'x-gitea-signature': hmacHex(env.GITEA_WEBHOOK_SECRET, body),
          },
        });
      };
      expect((await send(a)).status).toBe(202);
      expect((await send(b)).status).toBe(202);
      expect((await send(a)).status).toBe(202);
      const refused = await send(b);
      expect(refused.status).toBe(429);
      expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
      // The other providers' default sources have no ceiling.
      for (let i = 0; i < 5; i++) {
        expect((await deliver(a, '/webhooks/github', GITHUB_SECRET)).status).toBe(202);
      }
    } finally {
      await b.close();
      await a.close();
    }
  });
});
