import { createHash, randomUUID } from 'node:crypto';
import { registeredRoutes } from '../../src/bootstrap';
import { VERIFIED_CACHE_TTL_MS } from '../../src/core/auth/api-keys.service';
import { eventually, startTestApp, TestApp } from '../support/test-app';
import { githubHeaders } from '../support/signing';

const API_KEYS = '/api/v1/admin/api-keys';
const AUDIT = '/api/v1/admin/audit';
const SOURCES = '/api/v1/admin/sources';
const PUBLIC_PREFIXES = ['/webhooks', '/health', '/docs', '/metrics'];
const READ_METHODS = ['GET', 'HEAD', 'OPTIONS'];
const PLACEHOLDER_ID = '00000000-0000-4000-8000-000000000000';
const KEY_FORMAT = /^hy_[A-Za-z0-9_-]{43}$/;

/** List routes every read key must be able to use. */
const KNOWN_LISTS = [
  '/api/v1/admin/sources',
  '/api/v1/admin/deliveries',
  '/api/v1/admin/api-keys',
  '/api/v1/admin/audit',
  '/api/v1/repositories',
  '/api/v1/pull-requests',
  '/api/v1/people',
  '/api/v1/commits',
  '/api/v1/issues',
  '/api/v1/ci-runs',
  '/api/v1/deployments',
  '/api/v1/releases',
];

interface CreatedKey {
  id: string;
  name: string;
  scopes: string[];
  key: string;
  prefix: string;
  createdAt: string;
}

interface KeyView {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  createdBy: string | null;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

interface AuditEntry {
  id: string;
  at: string;
  keyId: string;
  keyName: string | null;
  method: string | null;
  path: string | null;
  action: string;
  target: string | null;
  statusCode: number | null;
  details: unknown;
}

interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

interface ErrorBody {
  statusCode: number;
  code: string;
  message: string;
}

const withPlaceholders = (url: string) => url.replace(/:[A-Za-z]+/g, PLACEHOLDER_ID);

describe('API keys and audit log (real HTTP, PostgreSQL, Redis)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });

  afterAll(async () => {
    await t.close();
  });

  const createKey = async (scopes: string[], token?: string): Promise<CreatedKey> => {
    const response = await t.request('POST', API_KEYS, {
      json: { name: `key-${scopes.join('+')}-${randomUUID().slice(0, 8)}`, scopes },
      token,
    });
    expect(response.status).toBe(201);
    return response.json<CreatedKey>();
  };

  const allKeys = async (): Promise<KeyView[]> => {
    const keys: KeyView[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `?limit=200&cursor=${cursor}` : '?limit=200';
      const response = await t.request('GET', `${API_KEYS}${query}`);
      expect(response.status).toBe(200);
      const page = response.json<Page<KeyView>>();
      keys.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    return keys;
  };

  const auditOf = async (keyId: string): Promise<AuditEntry[]> => {
    const response = await t.request('GET', `${AUDIT}?keyId=${keyId}&limit=200`);
    expect(response.status).toBe(200);
    return response.json<Page<AuditEntry>>().items;
  };

  const count = async (table: string): Promise<number> =>
    Number((await t.dataSource.query<{ n: string }[]>(`SELECT count(*) AS n FROM ${table}`))[0].n);

  it('shows a new key once, at creation; listings never contain it; only its hash is stored', async () => {
    const response = await t.request('POST', API_KEYS, {
      json: { name: 'ci dashboards', scopes: ['read'] },
    });
    expect(response.status).toBe(201);
    const created = response.json<CreatedKey>();
    expect(Object.keys(created).sort()).toEqual([
      'createdAt',
      'id',
      'key',
      'name',
      'prefix',
      'scopes',
    ]);
    expect(created).toMatchObject({ name: 'ci dashboards', scopes: ['read'] });
    expect(created.key).toMatch(KEY_FORMAT);
    expect(created.prefix).toBe(created.key.slice(3, 11));
    expect(Number.isNaN(Date.parse(created.createdAt))).toBe(false);

    const other = await createKey(['read', 'admin']);
    expect(other.key).not.toBe(created.key);
    expect(other.scopes.sort()).toEqual(['admin', 'read']);

    const list = await t.request('GET', API_KEYS);
    expect(list.status).toBe(200);
    const secretPart = created.key.slice(11);
    expect(list.text).not.toContain(created.key);
    expect(list.text).not.toContain(secretPart);
    expect(list.text).not.toContain(other.key);
    const listed = (await allKeys()).find((k) => k.id === created.id);
    expect(listed).toEqual({
      id: created.id,
      name: 'ci dashboards',
      prefix: created.prefix,
      scopes: ['read'],
      createdBy: 'admin-token',
      createdAt: created.createdAt,
      lastUsedAt: null,
      revokedAt: null,
    });

    const [row] = await t.dataSource.query<{ key_hash: Buffer; whole: string }[]>(
      'SELECT key_hash, row_to_json(k)::text AS whole FROM api_keys k WHERE id = $1',
      [created.id],
    );
    expect(row.key_hash.equals(createHash('sha256').update(created.key).digest())).toBe(true);
    expect(row.whole).not.toContain(secretPart);
    expect(row.whole).not.toContain(Buffer.from(created.key).toString('hex'));
    expect(row.whole).not.toContain(Buffer.from(created.key).toString('base64'));
  });

  it('400 VALIDATION_FAILED on bad scopes, a missing name or an unknown field; nothing stored', async () => {
    const before = await count('api_keys');
    const cases: [Record<string, unknown>, string][] = [
      [{ name: 'x', scopes: [] }, 'scopes'],
      [{ name: 'x', scopes: ['write'] }, 'scopes'],
      [{ name: 'x', scopes: 'read' }, 'scopes'],
      [{ scopes: ['read'] }, 'name'],
      [{ name: '', scopes: ['read'] }, 'name'],
      [{ name: 'a\u0000b', scopes: ['read'] }, 'name must not contain NUL'],
      [{ name: 'a\u0007b', scopes: ['read'] }, 'control characters'],
      [{ name: 'x', scopes: ['read'], key: 'hy_mine' }, 'key should not exist'],
    ];
    for (const [json, mentioned] of cases) {
      const response = await t.request('POST', API_KEYS, { json });
      expect({ json, status: response.status }).toEqual({ json, status: 400 });
      expect(response.json<ErrorBody>().code).toBe('VALIDATION_FAILED');
      expect(response.json<ErrorBody>().message).toContain(mentioned);
    }
    expect(await count('api_keys')).toBe(before);
    const badCursor = await t.request('GET', `${API_KEYS}?cursor=nonsense`);
    expect(badCursor.status).toBe(400);
  });

  it('a read key can use every GET under /api/v1', async () => {
    const reader = await createKey(['read']);
    for (const path of KNOWN_LISTS) {
      const response = await t.request('GET', path, { token: reader.key });
      expect({ path, status: response.status }).toEqual({ path, status: 200 });
    }
    const gets = registeredRoutes(t.app).filter(
      (r) => r.method === 'GET' && r.url.startsWith('/api/v1/'),
    );
    expect(gets.length).toBeGreaterThanOrEqual(KNOWN_LISTS.length);
    const refused: string[] = [];
    for (const route of gets) {
      const response = await t.request('GET', withPlaceholders(route.url), {
        token: reader.key,
      });
      if ([401, 403].includes(response.status) || response.status >= 500)
        refused.push(`GET ${route.url} -> ${response.status}`);
    }
    expect(refused).toEqual([]);
  });

  it('a read key gets 403 FORBIDDEN on every state change, which changes nothing and is not audited', async () => {
    const reader = await createKey(['read']);
    const source = await t.request('POST', SOURCES, {
      json: { provider: 'github', slug: `ro-${randomUUID().slice(0, 8)}` },
    });
    const sourceId = source.json<{ id: string }>().id;
    const before = { keys: await count('api_keys'), sources: await count('webhook_sources') };

    const changes = registeredRoutes(t.app).filter(
      // POST /mcp takes reads too (a read key may call it); its state-changing tools check for
      // admin themselves (test/mcp.e2e-spec.ts).
      (r) =>
        !READ_METHODS.includes(r.method) &&
        !PUBLIC_PREFIXES.some((p) => r.url.startsWith(p)) &&
        r.url !== '/mcp',
    );
    const urls = changes.map((r) => `${r.method} ${r.url}`);
    expect(urls).toEqual(
      expect.arrayContaining([
        'POST /api/v1/admin/sources',
        'PATCH /api/v1/admin/sources/:id',
        'DELETE /api/v1/admin/sources/:id',
        'POST /api/v1/admin/sources/:id/secrets',
        'POST /api/v1/admin/deliveries/replay',
        'POST /api/v1/admin/deliveries/:id/replay',
        'POST /api/v1/admin/api-keys',
        'DELETE /api/v1/admin/api-keys/:id',
      ]),
    );
    const failures: string[] = [];
    for (const route of changes) {
      const response = await t.request(route.method, withPlaceholders(route.url), {
        token: reader.key,
        json: ['POST', 'PUT', 'PATCH'].includes(route.method) ? {} : undefined,
      });
      if (response.status !== 403)
        failures.push(`${route.method} ${route.url} -> ${response.status}`);
      else expect(response.json()).toMatchObject({ statusCode: 403, code: 'FORBIDDEN' });
    }
    expect(failures).toEqual([]);

    // Real targets and valid bodies do not get through either.
    const attempts: [string, string, unknown][] = [
      ['POST', API_KEYS, { name: 'escalate', scopes: ['admin'] }],
      ['DELETE', `${API_KEYS}/${reader.id}`, undefined],
      ['PATCH', `${SOURCES}/${sourceId}`, { enabled: false }],
      ['POST', `${SOURCES}/${sourceId}/secrets`, { action: 'add', secret: 'a-new-secret-1' }],
      ['DELETE', `${SOURCES}/${sourceId}`, undefined],
    ];
    for (const [method, path, json] of attempts) {
      const response = await t.request(method, path, { token: reader.key, json });
      expect({ method, path, status: response.status }).toEqual({ method, path, status: 403 });
    }
    expect({ keys: await count('api_keys'), sources: await count('webhook_sources') }).toEqual(
      before,
    );
    expect((await t.request('GET', `${SOURCES}/${sourceId}`)).json()).toMatchObject({
      enabled: true,
      secretCount: 0,
    });
    expect(await auditOf(reader.id)).toEqual([]);
  });

  it('an admin key can change things, and the key itself records when it was last used', async () => {
    const admin = await createKey(['read', 'admin']);
    const slug = `by-key-${randomUUID().slice(0, 8)}`;
    const created = await t.request('POST', SOURCES, {
      json: { provider: 'github', slug },
      token: admin.key,
    });
    expect(created.status).toBe(201);
    const nested = await t.request('POST', API_KEYS, {
      json: { name: 'made by a key', scopes: ['read'] },
      token: admin.key,
    });
    expect(nested.status).toBe(201);
    const listed = await allKeys();
    expect(listed.find((k) => k.id === nested.json<CreatedKey>().id)?.createdBy).toBe(admin.id);
    const used = listed.find((k) => k.id === admin.id);
    expect(used?.lastUsedAt).not.toBeNull();
    expect(Date.parse(used?.lastUsedAt ?? '')).toBeGreaterThanOrEqual(
      Date.parse(admin.createdAt) - 1000,
    );
    // An admin-only key (no read scope) cannot read.
    const writeOnly = await createKey(['admin']);
    expect((await t.request('GET', SOURCES, { token: writeOnly.key })).status).toBe(403);
  });

  it('a revoked key answers 401 at once; DELETE is 204, again 204, unknown 404, not a uuid 400', async () => {
    const admin = await createKey(['read', 'admin']);
    const reader = await createKey(['read']);
    expect((await t.request('GET', SOURCES, { token: reader.key })).status).toBe(200);
    expect((await t.request('GET', SOURCES, { token: admin.key })).status).toBe(200);

    const revoked = await t.request('DELETE', `${API_KEYS}/${reader.id}`, { token: admin.key });
    expect(revoked.status).toBe(204);
    expect(revoked.text).toBe('');
    const refused = await t.request('GET', SOURCES, { token: reader.key });
    expect(refused.status).toBe(401);
    expect(refused.json<ErrorBody>().code).toBe('UNAUTHORIZED');
    const listed = (await allKeys()).find((k) => k.id === reader.id);
    expect(listed?.revokedAt).not.toBeNull();

    expect((await t.request('DELETE', `${API_KEYS}/${reader.id}`)).status).toBe(204);
    expect((await t.request('DELETE', `${API_KEYS}/${randomUUID()}`)).status).toBe(404);
    expect((await t.request('DELETE', `${API_KEYS}/admin-token`)).status).toBe(400);
    // A key can revoke itself; from then on it is refused too.
    expect(
      (await t.request('DELETE', `${API_KEYS}/${admin.id}`, { token: admin.key })).status,
    ).toBe(204);
    expect((await t.request('GET', SOURCES, { token: admin.key })).status).toBe(401);
    // Keys that were never issued, or look like keys, are 401.
    for (const token of [`hy_${'A'.repeat(43)}`, 'hy_short', reader.key.slice(0, -1)]) {
      expect((await t.request('GET', SOURCES, { token })).status).toBe(401);
    }
  });

  it('a key revoked in one replica stops working in the others well before the cache expires', async () => {
    const other = await startTestApp({ ROLE: 'api' });
    try {
      const reader = await createKey(['read']);
      // The other replica has verified (and cached) the key.
      expect((await other.request('GET', SOURCES, { token: reader.key })).status).toBe(200);
      const started = Date.now();
      expect((await t.request('DELETE', `${API_KEYS}/${reader.id}`)).status).toBe(204);
      await eventually(
        async () =>
          (await other.request('GET', SOURCES, { token: reader.key })).status === 401
            ? true
            : undefined,
        5000,
        'the other replica refuses the revoked key',
      );
      expect(Date.now() - started).toBeLessThan(VERIFIED_CACHE_TTL_MS / 2);
    } finally {
      await other.close();
    }
  });

  it('records every admin state change with key, action, target and status; secrets redacted', async () => {
    const admin = await createKey(['read', 'admin']);
    const secret = `audit-secret-${randomUUID()}`;
    const rotated = `audit-rotated-${randomUUID()}`;
    const slug = `audited-${randomUUID().slice(0, 8)}`;
    const as = (method: string, path: string, json?: unknown) =>
      t.request(method, path, { token: admin.key, json });

    const created = await as('POST', SOURCES, { provider: 'github', slug, secrets: [secret] });
    expect(created.status).toBe(201);
    const sourceId = created.json<{ id: string }>().id;
    expect((await as('PATCH', `${SOURCES}/${sourceId}`, { description: 'audited' })).status).toBe(
      200,
    );
    expect(
      (await as('POST', `${SOURCES}/${sourceId}/secrets`, { action: 'rotate', secret: rotated }))
        .status,
    ).toBe(200);
    expect(
      (await as('POST', SOURCES, { provider: 'github', slug, secrets: [secret] })).status,
    ).toBe(409);
    expect((await as('POST', SOURCES, { provider: 'nope', slug: 'x', token: secret })).status).toBe(
      400,
    );
    const missing = randomUUID();
    expect((await as('POST', `/api/v1/admin/deliveries/${missing}/replay`)).status).toBe(404);
    const newKey = await as('POST', API_KEYS, { name: 'via audit test', scopes: ['read'] });
    expect(newKey.status).toBe(201);
    const newKeyBody = newKey.json<CreatedKey>();
    expect((await as('DELETE', `${API_KEYS}/${newKeyBody.id}`)).status).toBe(204);
    expect((await as('DELETE', `${SOURCES}/${sourceId}`)).status).toBe(204);
    // Reads are not audited.
    expect((await as('GET', `${SOURCES}/${sourceId}`)).status).toBe(404);

    const response = await t.request('GET', `${AUDIT}?keyId=${admin.id}&limit=200`);
    expect(response.status).toBe(200);
    for (const hidden of [secret, rotated, newKeyBody.key, admin.key]) {
      expect(response.text).not.toContain(hidden);
    }
    const entries = response.json<Page<AuditEntry>>().items;
    const summary = entries.map((e) => ({
      action: e.action,
      method: e.method,
      target: e.target,
      statusCode: e.statusCode,
    }));
    // Newest first.
    expect(summary).toEqual(
      [
        { action: `POST ${SOURCES}`, method: 'POST', target: sourceId, statusCode: 201 },
        { action: `PATCH ${SOURCES}/:id`, method: 'PATCH', target: sourceId, statusCode: 200 },
        {
          action: `POST ${SOURCES}/:id/secrets`,
          method: 'POST',
          target: sourceId,
          statusCode: 200,
        },
        { action: `POST ${SOURCES}`, method: 'POST', target: null, statusCode: 409 },
        { action: `POST ${SOURCES}`, method: 'POST', target: null, statusCode: 400 },
        {
          action: 'POST /api/v1/admin/deliveries/:id/replay',
          method: 'POST',
          target: missing,
          statusCode: 404,
        },
        { action: `POST ${API_KEYS}`, method: 'POST', target: newKeyBody.id, statusCode: 201 },
        {
          action: `DELETE ${API_KEYS}/:id`,
          method: 'DELETE',
          target: newKeyBody.id,
          statusCode: 204,
        },
        { action: `DELETE ${SOURCES}/:id`, method: 'DELETE', target: sourceId, statusCode: 204 },
      ].reverse(),
    );
    for (const entry of entries) {
      expect(entry.keyId).toBe(admin.id);
      expect(entry.keyName).toBe(admin.name);
      expect(Number.isNaN(Date.parse(entry.at))).toBe(false);
      expect(entry.path?.startsWith('/api/v1/admin/')).toBe(true);
    }
    const first = entries[entries.length - 1];
    expect(first.path).toBe(SOURCES);
    expect(first.details).toEqual({ provider: 'github', slug, secrets: '[redacted]' });
    const rotation = entries.find((e) => e.action === `POST ${SOURCES}/:id/secrets`);
    expect(rotation?.path).toBe(`${SOURCES}/${sourceId}/secrets`);
    expect(rotation?.details).toEqual({ action: 'rotate', secret: '[redacted]' });
    const invalid = entries.find((e) => e.statusCode === 400);
    expect(invalid?.details).toEqual({ provider: 'nope', slug: 'x', token: '[redacted]' });
    const keyCreation = entries.find((e) => e.action === `POST ${API_KEYS}`);
    expect(keyCreation?.details).toEqual({ name: 'via audit test', scopes: ['read'] });

    const [row] = await t.dataSource.query<{ whole: string }[]>(
      `SELECT string_agg(row_to_json(a)::text, ' ') AS whole FROM audit_log a WHERE key_id = $1`,
      [admin.id],
    );
    expect(row.whole).not.toContain(secret);
    expect(row.whole).not.toContain(rotated);
  });

  it('GET /audit filters by key, action and time, pages with a cursor, and records ADMIN_TOKEN use', async () => {
    const admin = await createKey(['read', 'admin']);
    const start = new Date().toISOString();
    const created: string[] = [];
    for (let i = 0; i < 5; i += 1) {
      const response = await t.request('POST', API_KEYS, {
        json: { name: `paged-${i}`, scopes: ['read'] },
        token: admin.key,
      });
      created.push(response.json<CreatedKey>().id);
    }
    await t.request('POST', SOURCES, { json: { provider: 'bogus' }, token: admin.key });

    const seen: AuditEntry[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = `keyId=${admin.id}&action=${encodeURIComponent(`POST ${API_KEYS}`)}&limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const response = await t.request('GET', `${AUDIT}?${query}`);
      expect(response.status).toBe(200);
      const page = response.json<Page<AuditEntry>>();
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items);
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen.map((e) => e.target)).toEqual([...created].reverse());
    expect(new Set(seen.map((e) => e.id)).size).toBe(5);

    const fromStart = await t.request(
      'GET',
      `${AUDIT}?keyId=${admin.id}&from=${encodeURIComponent(start)}`,
    );
    expect(fromStart.json<Page<AuditEntry>>().items).toHaveLength(6);
    const beforeStart = await t.request(
      'GET',
      `${AUDIT}?keyId=${admin.id}&to=${encodeURIComponent(start)}`,
    );
    expect(beforeStart.json<Page<AuditEntry>>().items).toHaveLength(0);

    const tokenEntries = await auditOf('admin-token');
    expect(tokenEntries.length).toBeGreaterThan(0);
    expect(tokenEntries.find((e) => e.target === admin.id)).toMatchObject({
      keyName: 'ADMIN_TOKEN',
      action: `POST ${API_KEYS}`,
      statusCode: 201,
    });

    for (const query of [
      'limit=0',
      'limit=201',
      'cursor=abc',
      'from=yesterday',
      'from=0000-01-01',
      'keyId=a%00b',
      'colour=red',
    ]) {
      const response = await t.request('GET', `${AUDIT}?${query}`);
      expect({ query, status: response.status }).toEqual({ query, status: 400 });
      expect(response.json<ErrorBody>().code).toBe('VALIDATION_FAILED');
    }
  });

  it('does not audit webhook deliveries, and a failing audit write does not fail the request', async () => {
    const before = await count('audit_log');
    const body = JSON.stringify({ zen: 'Keep it logically awesome.', hook_id: 1 });
    const delivery = await t.request('POST', '/webhooks/github', {
      body,
      headers: githubHeaders(body, 'ping'),
      token: null,
    });
    expect(delivery.status).toBeLessThan(300);
    expect(await count('audit_log')).toBe(before);

    await t.dataSource.query('ALTER TABLE audit_log RENAME TO audit_log_away');
    let status: number;
    try {
      status = (
        await t.request('POST', API_KEYS, { json: { name: 'audit down', scopes: ['read'] } })
      ).status;
    } finally {
      await t.dataSource.query('ALTER TABLE audit_log_away RENAME TO audit_log');
    }
    expect(status).toBe(201);
  });
});
