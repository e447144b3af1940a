import examples from '@octokit/webhooks-examples/api.github.com/index.json';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { PinoLogger } from 'nestjs-pino';
import { isRefusedInput, refusedInputReason } from '../../src/core/database/refused-input';
import { eventually, startTestApp, TestApp } from '../support/test-app';
import { githubHeaders } from '../support/signing';

type Json = Record<string, unknown>;

interface ErrorBody {
  statusCode: number;
  code: string;
  message: string;
  details?: { field?: string };
}

interface DeliveryState {
  status: string;
  attempts: number;
  last_error: string | null;
}

const DELIVERIES = '/api/v1/admin/deliveries';
const SOURCES = '/api/v1/admin/sources';

function example(name: string): Json {
  const all = examples as unknown as { name: string; examples: Json[] }[];
  // For a push, one with commits.
  const found = all
    .find((e) => e.name === name)
    ?.examples.find((e) => !Array.isArray(e.commits) || e.commits.length > 0);
  if (!found) throw new Error(`@octokit/webhooks-examples has no ${name} example`);
  return structuredClone(found);
}

/** Letters that do not compress: an index entry holds them as they are. */
const incompressible = (length: number) =>
  randomBytes(length)
    .toString('base64')
    .replace(/[^A-Za-z]/g, 'q')
    .slice(0, length);

/** A real GitHub push in its own repository (fresh id and name), changed by `edit`. */
function push(edit: (payload: Json, commits: Json[]) => void, fullName?: string): string {
  const payload = example('push');
  const name = fullName ?? `hardening/${randomUUID()}`;
  payload.repository = {
    ...(payload.repository as Json),
    id: parseInt(createHash('sha1').update(name).digest('hex').slice(0, 8), 16),
    full_name: name,
    name: name.split('/')[1],
  };
  const commits = payload.commits as Json[];
  edit(payload, commits);
  return JSON.stringify(payload);
}

describe('hardening (real HTTP, PostgreSQL, Redis, worker)', () => {
  let t: TestApp;
  const logged: Array<{ level: string; line: unknown; message: unknown }> = [];

  beforeAll(async () => {
    // The access log's output, as the logger receives it (the test app's pino is silent).
    for (const level of ['debug', 'info', 'warn', 'error'] as const) {
      jest.spyOn(PinoLogger.prototype, level).mockImplementation(function (
        this: PinoLogger,
        ...args: unknown[]
      ) {
        logged.push({ level, line: args[0], message: args[1] });
      });
    }
    t = await startTestApp({ WORKER_CONCURRENCY: '4' });
  }, 60_000);

  afterAll(async () => {
    await t.close();
    jest.restoreAllMocks();
  });

  const send = async (body: string, event = 'push', headers: Record<string, string> = {}) => {
    const response = await t.request('POST', '/webhooks/github', {
      body,
      headers: { ...githubHeaders(body, event), ...headers },
      token: null,
    });
    expect(response.status).toBe(202);
    return response.json<{ id: string }>().id;
  };

  const state = async (id: string): Promise<DeliveryState> =>
    (
      await t.dataSource.query<DeliveryState[]>(
        'SELECT status, attempts, last_error FROM deliveries WHERE id = $1',
        [id],
      )
    )[0];

  const final = (id: string) =>
    eventually(
      async () => {
        const s = await state(id);
        return ['processed', 'ignored', 'dead'].includes(s.status) ? s : undefined;
      },
      30_000,
      `delivery ${id} to be final`,
    );

  describe('content PostgreSQL refuses (issue 17.4)', () => {
    it('a push with NUL, lone surrogates and 9,000-character names is processed at the first attempt, cleaned', async () => {
      const longName = incompressible(9000);
      const body = push(
        (payload, commits) => {
          commits[0].message = 'fix\u0000 the build';
          commits[0].author = { ...(commits[0].author as Json), name: longName };
          payload.pusher = { name: 'ada', email: `${incompressible(9000)}@example.com` };
          if (commits.length < 2) commits.push({ ...commits[0], id: 'f'.repeat(40) });
          commits[1].message = 'half a pair \ud83d and a lone low \udc00 surrogate';
        },
        `acme/${incompressible(9000)}`,
      );
      expect(body).toContain('\\u0000');
      expect(body).toContain('\\ud83d');
      const id = await send(body);
      expect(await final(id)).toMatchObject({ status: 'processed', attempts: 1, last_error: null });
      const [repository] = await t.dataSource.query<{ id: string; full_name: string }[]>(
        `SELECT r.id, r.full_name FROM repositories r JOIN commits c ON c.repository_id = r.id
         WHERE c.message = 'fix the build'`,
      );
      expect(repository.full_name).toHaveLength(512);
      const messages = await t.dataSource.query<{ message: string }[]>(
        'SELECT message FROM commits WHERE repository_id = $1 ORDER BY message',
        [repository.id],
      );
      expect(messages.map((m) => m.message)).toEqual([
        'fix the build',
        'half a pair \uFFFD and a lone low \uFFFD surrogate',
      ]);
    }, 60_000);

    it('a 9,000-character commit id is dead at once, the reason naming the field', async () => {
      const body = push((_, commits) => {
        commits[0].id = 'a'.repeat(9000);
      });
      const id = await send(body);
      const s = await final(id);
      expect(s).toMatchObject({ status: 'dead', attempts: 1 });
      expect(s.last_error).toMatch(/commits\[0\]\.sha is 9000 characters long/);
    }, 60_000);

    it('a value PostgreSQL refuses (a pull request number beyond integer) is dead at once with its SQLSTATE', async () => {
      const payload = example('pull_request');
      (payload.pull_request as Json).number = 99_999_999_999;
      payload.number = 99_999_999_999;
      const id = await send(JSON.stringify(payload), 'pull_request');
      const s = await final(id);
      expect(s).toMatchObject({ status: 'dead', attempts: 1 });
      expect(s.last_error).toMatch(/SQLSTATE 22003/);
    }, 60_000);

    it('classifies real PostgreSQL errors: data exceptions and program limits are refused input', async () => {
      const errorOf = (sql: string, params: unknown[]) =>
        t.dataSource.query(sql, params).then(
          () => undefined,
          (error: unknown) => error,
        );
      const nul = await errorOf('SELECT $1::text', ['a\u0000b']);
      expect(isRefusedInput(nul)).toBe(true);
      expect(refusedInputReason(nul)).toMatch(/SQLSTATE 22021/);
      const surrogate = await errorOf(`SELECT $1::jsonb`, ['{"a":"\\ud800"}']);
      expect(isRefusedInput(surrogate)).toBe(true);
      const missing = await errorOf('SELECT * FROM no_such_table_here', []);
      expect(isRefusedInput(missing)).toBe(false);
    });
  });

  describe('repository filters (issue 17.5)', () => {
    it('a backtracking-prone glob neither blocks ingest nor the worker', async () => {
      const secret = `secret-${randomUUID()}`;
      const slug = `glob-${randomUUID().slice(0, 8)}`;
      const created = await t.request('POST', SOURCES, {
        json: {
          provider: 'github',
          slug,
          secrets: [secret],
          repositoryFilter: ['acme/*-*-*-*-*-*-*-*-*-x'],
        },
      });
      expect(created.status).toBe(201);
      const deliver = async (fullName: string) => {
        const body = push(() => undefined, fullName);
        const response = await t.request('POST', `/webhooks/github/${slug}`, {
          body,
          headers: githubHeaders(body, 'push', randomUUID(), secret),
          token: null,
        });
        expect(response.status).toBe(202);
        return response.json<{ id: string }>().id;
      };
      // A regular expression from this glob needs C(200, 9) steps to refuse this name.
      const dashes = await deliver(`acme/${'-'.repeat(200)}`);
      expect((await state(dashes)).status).toBe('ignored');
      const matching = await deliver('acme/a-b-c-d-e-f-g-h-i-j-x');
      expect((await final(matching)).status).toBe('processed');
      // Replayed, the filter holds in the worker too.
      expect((await t.request('POST', `${DELIVERIES}/${dashes}/replay`)).status).toBe(202);
      expect((await final(dashes)).status).toBe('ignored');
    }, 60_000);
  });

  describe('UUIDs in upper case (issue 17.6)', () => {
    it('replaying a delivery by its id in upper case processes it (no false dead)', async () => {
      const id = await send(push(() => undefined));
      await final(id);
      const upper = id.toUpperCase();
      const detail = await t.request('GET', `${DELIVERIES}/${upper}`);
      expect(detail.status).toBe(200);
      expect(detail.json<{ id: string }>().id).toBe(id);
      const replay = await t.request('POST', `${DELIVERIES}/${upper}/replay`);
      expect(replay.status).toBe(202);
      expect(replay.json()).toEqual({ id, status: 'queued' });
      const s = await eventually(
        async () => {
          const current = await state(id);
          return current.status === 'processed' || current.status === 'dead' ? current : undefined;
        },
        30_000,
        'the replay to finish',
      );
      expect(s).toMatchObject({ status: 'processed', last_error: null });
    }, 60_000);

    it('a secret id in upper case revokes that secret', async () => {
      const created = await t.request('POST', SOURCES, {
        json: {
          provider: 'github',
          slug: `upper-${randomUUID().slice(0, 8)}`,
          secrets: ['first-secret-value', 'second-secret-value'],
        },
      });
      const source = created.json<{ id: string; secrets: { id: string }[] }>();
      const revoked = await t.request('POST', `${SOURCES}/${source.id.toUpperCase()}/secrets`, {
        json: { action: 'revoke', secretId: source.secrets[0].id.toUpperCase() },
      });
      expect(revoked.status).toBe(200);
      expect(revoked.json<{ secretCount: number }>().secretCount).toBe(1);
    });
  });

  describe('hostile query and body input is a 400 naming the field (issue 17.7)', () => {
    const deep = (levels: number) => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;
    const cases: Array<[string, string, string, string | undefined, string]> = [
      ['GET', `${DELIVERIES}?event=a%00b`, '', undefined, 'event'],
      ['GET', `${DELIVERIES}?repository=%00`, '', undefined, 'repository'],
      ['GET', `${DELIVERIES}?receivedFrom=2024-W01`, '', undefined, 'receivedFrom'],
      ['GET', `${DELIVERIES}?receivedFrom=2024-01`, '', undefined, 'receivedFrom'],
      ['GET', `${DELIVERIES}?receivedTo=2024-01-01T10Z`, '', undefined, 'receivedTo'],
      ['GET', '/api/v1/admin/dead-letters?source=%00', '', undefined, 'source'],
      ['GET', '/api/v1/admin/dead-letters?receivedFrom=2024-W01', '', undefined, 'receivedFrom'],
      ['GET', '/api/v1/admin/dead-letters?receivedTo=2024-01', '', undefined, 'receivedTo'],
      ['GET', '/api/v1/admin/audit?action=%00', '', undefined, 'action'],
      ['GET', '/api/v1/admin/audit?from=2024-W01', '', undefined, 'from'],
      ['GET', '/api/v1/admin/audit?to=2024-01-01T10Z', '', undefined, 'to'],
      [
        'POST',
        `${DELIVERIES}/replay`,
        JSON.stringify({ filter: { receivedFrom: '2024-W01' } }),
        undefined,
        'receivedFrom',
      ],
      [
        'POST',
        `${DELIVERIES}/replay`,
        JSON.stringify({ filter: { event: 'push\u0000' } }),
        undefined,
        'filter.event',
      ],
      [
        'POST',
        '/api/v1/admin/dead-letters/redrive',
        JSON.stringify({ filter: { receivedTo: '2024-01' } }),
        undefined,
        'receivedTo',
      ],
      [
        'POST',
        SOURCES,
        JSON.stringify({ provider: 'github', slug: 'nul-desc', description: 'a\u0000b' }),
        undefined,
        'description',
      ],
      ['POST', SOURCES, `{"provider":"github","slug":"deep","x":${deep(50_000)}}`, undefined, 'x'],
      ['POST', `${DELIVERIES}/replay`, `{"filter":${deep(50_000)}}`, undefined, 'filter'],
      [
        'POST',
        '/api/v1/admin/dead-letters/redrive',
        `{"filter":${deep(50_000)}}`,
        undefined,
        'filter',
      ],
      ...['meta', 'events', 'id', 'completed', 'wait', 'stalled-check', 'a:b'].flatMap(
        (jobId): Array<[string, string, string, string | undefined, string]> => [
          ['GET', `/api/v1/admin/queues/deliveries/jobs/${jobId}`, '', undefined, 'id'],
          ['POST', `/api/v1/admin/queues/maintenance/jobs/${jobId}/retry`, '', undefined, 'id'],
          ['POST', `/api/v1/admin/queues/deliveries/jobs/${jobId}/promote`, '', undefined, 'id'],
          ['DELETE', `/api/v1/admin/queues/deliveries/jobs/${jobId}`, '', undefined, 'id'],
        ],
      ),
    ];

    it.each(cases)('%s %s → 400', async (method, path, body, _unused, field) => {
      const response = await t.request(method, path, {
        body: body === '' ? undefined : body,
        headers: body === '' ? {} : { 'content-type': 'application/json' },
      });
      expect(response.status).toBe(400);
      const error = response.json<ErrorBody>();
      expect(error.code).toBe('VALIDATION_FAILED');
      expect(error.message).toContain(field);
    });

    it('valid dates are still accepted (a date, and a date-time with offset)', async () => {
      for (const query of [
        'receivedFrom=2024-01-01',
        'receivedFrom=2024-01-01T10:00Z',
        'receivedTo=2024-01-01T10:00:00.123%2B02:00',
      ]) {
        expect((await t.request('GET', `${DELIVERIES}?${query}`)).status).toBe(200);
      }
    });
  });

  describe('access log (issue 17.8)', () => {
    it('logs every non-webhook request with route, status, key id and request id, never the key', async () => {
      logged.length = 0;
      const wrongKey = `hy_wrong_${randomUUID()}`;
      const requests: Array<[string, string | null | undefined, number, string]> = [
        ['/api/v1/admin/deliveries', null, 401, 'none'],
        ['/api/v1/admin/deliveries', wrongKey, 401, 'none'],
        ['/api/v1/admin/deliveries?limit=1', undefined, 200, 'admin-token'],
        ['/no/such/route', null, 404, 'none'],
      ];
      const ids: string[] = [];
      for (const [path, token, status] of requests) {
        const response = await t.request('GET', path, token === undefined ? {} : { token });
        expect(response.status).toBe(status);
        const requestId = response.headers.get('x-request-id');
        expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
        ids.push(requestId ?? '');
      }
      // The line is written when the answer has been sent: by now, for every request above.
      const lines = ids.map((id) =>
        logged.find((l) => (l.line as { requestId?: string } | null)?.requestId === id),
      );
      requests.forEach(([path, , status, keyId], i) => {
        expect(lines[i]?.line).toMatchObject({
          method: 'GET',
          path: path.split('?')[0],
          status,
          keyId,
          requestId: ids[i],
        });
        expect(typeof (lines[i]?.line as { durationMs: unknown }).durationMs).toBe('number');
      });
      expect(lines[0]?.line).toMatchObject({
        credential: 'none',
        route: '/api/v1/admin/deliveries',
      });
      expect(lines[1]?.line).toMatchObject({ credential: 'bearer' });
      expect(lines[1]?.level).toBe('warn');
      expect(lines[3]?.line).toMatchObject({ route: 'unmatched' });
      expect(JSON.stringify(logged)).not.toContain(wrongKey);
      expect(JSON.stringify(logged)).not.toContain(t.config.adminToken);

      // A client's own request id is kept when it is sane, replaced when it is not.
      const given = await t.request('GET', '/api/v1/admin/queues', {
        headers: { 'x-request-id': 'proxy-7.abc_1' },
      });
      expect(given.headers.get('x-request-id')).toBe('proxy-7.abc_1');
      const odd = await t.request('GET', '/api/v1/admin/queues', {
        headers: { 'x-request-id': 'a b\tc' },
      });
      expect(odd.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('webhooks get no access-log line', async () => {
      logged.length = 0;
      const body = push(() => undefined);
      const response = await t.request('POST', '/webhooks/github', {
        body,
        headers: githubHeaders(body),
        token: null,
      });
      expect(response.status).toBe(202);
      expect(
        logged.filter((l) => (l.line as { path?: string } | null)?.path === '/webhooks/github'),
      ).toEqual([]);
    });
  });

  describe('smaller holes (issue 17.9)', () => {
    it('stores an allow-list of headers: no proxy-authorization, x-api-key, cookies or tokens', async () => {
      const id = await send(
        push(() => undefined),
        'push',
        {
          'proxy-authorization': 'Basic cHJveHk6c2VjcmV0',
          'x-api-key': 'key-that-must-not-be-stored',
          cookie: 'session=abc',
          'x-custom-auth-token': 'another-secret',
          'x-forwarded-for': '203.0.113.9',
          'user-agent': 'GitHub-Hookshot/abc',
        },
      );
      const detail = await t.request('GET', `${DELIVERIES}/${id}`);
      const headers = detail.json<{ headers: Record<string, string> }>().headers;
      expect(Object.keys(headers).sort()).toEqual(
        [
          'content-length',
          'content-type',
          'user-agent',
          'x-github-delivery',
          'x-github-event',
          'x-github-hook-id',
        ].sort(),
      );
      expect(detail.text).not.toContain('key-that-must-not-be-stored');
    });

    it('refuses blank, repeated and impossible secrets, and caps add as create is capped', async () => {
      const create = (body: Json) => t.request('POST', SOURCES, { json: body });
      const slug = () => `secrets-${randomUUID().slice(0, 8)}`;
      for (const [secrets, field] of [
        [['          '], 'secrets'],
        [['same-secret-1', 'same-secret-1'], 'secrets'],
      ] as const) {
        const response = await create({ provider: 'github', slug: slug(), secrets });
        expect(response.status).toBe(400);
        expect(response.json<ErrorBody>().message).toContain(field);
      }
      // A key decoding to no bytes (or to too few) would never verify a delivery.
      for (const key of ['whsec_====', 'whsec_!!!!!!!!', `whsec_${'A'.repeat(8)}`]) {
        const response = await create({ provider: 'gitlab', slug: slug(), secrets: [key] });
        expect(response.status).toBe(400);
        expect(response.json<ErrorBody>().message).toMatch(/secrets\[0\]: a signing token/);
      }
      const good = await create({
        provider: 'gitlab',
        slug: slug(),
        secrets: ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'],
      });
      expect(good.status).toBe(201);
      const sourceId = good.json<{ id: string }>().id;
      const change = (body: Json) =>
        t.request('POST', `${SOURCES}/${sourceId}/secrets`, { json: body });
      expect((await change({ action: 'add', secret: '         ' })).status).toBe(400);
      expect((await change({ action: 'add', secret: 'whsec_====' })).status).toBe(400);
      const duplicate = await change({
        action: 'add',
        secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
      });
      expect(duplicate.status).toBe(409);
      for (let i = 1; i < 10; i++) {
        expect((await change({ action: 'add', secret: `gitlab-token-${i}-x` })).status).toBe(200);
      }
      const eleventh = await change({ action: 'add', secret: 'gitlab-token-11-x' });
      expect(eleventh.status).toBe(409);
      expect(eleventh.json<ErrorBody>().message).toMatch(/10 secrets/);
    });

    it('the queue dashboard is read-only: its state changes are refused and change nothing', async () => {
      for (const [method, path] of [
        ['PUT', '/admin/queues/api/queues/deliveries/pause'],
        ['PUT', '/admin/queues/api/queues/pause'],
        ['PUT', '/admin/queues/api/queues/maintenance/clean/completed'],
        ['DELETE', '/admin/queues/api/queues/deliveries/empty'],
      ]) {
        const response = await t.request(method, path);
        expect(response.status).toBe(405);
        expect(response.json<ErrorBody>().code).toBe('METHOD_NOT_ALLOWED');
      }
      const overview = await t.request('GET', '/api/v1/admin/queues');
      const queues = overview.json<{ queues: { name: string; paused: boolean }[] }>().queues;
      expect(queues.every((q) => !q.paused)).toBe(true);
      // Reading still works.
      expect((await t.request('GET', '/admin/queues/api/queues')).status).toBe(200);
    });
  });
});
