import { randomUUID } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import { request as httpRequest } from 'node:http';
import { connect, Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { createHttpApp } from '../../src/bootstrap';
import { loadConfig } from '../../src/config/config';
import { freePort } from '../support/harness';
import { ADMIN_TOKEN, startTestApp, TestApp } from '../support/test-app';
import { githubHeaders, githubSignature, standardWebhookSignature } from '../support/signing';
import { testEnv } from '../support/test-env';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const MIB = 1024 * 1024;
const BIG_BODY_BYTES = 25 * MIB;
const SIGNING_KEY = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const PUSH = JSON.stringify({
  ref: 'refs/heads/main',
  repository: { full_name: 'acme/request-path' },
  commits: [],
});

/** 25 MiB of small JSON objects: cheap to read, expensive to parse (millions of objects). */
function expensiveJson(bytes: number): Buffer {
  const item = '{"k":"v"},';
  const count = Math.floor((bytes - 2) / item.length);
  return Buffer.from(`[${item.repeat(count).slice(0, -1)}]`);
}

interface RawExchange {
  /** Everything the server wrote until it closed the connection or the wait ended. */
  text: string;
  closed: boolean;
}

/** Whether `text` holds a whole HTTP response (headers and a Content-Length body). */
function holdsResponse(text: string): boolean {
  const end = text.indexOf('\r\n\r\n');
  if (end === -1) return false;
  const length = /\r\ncontent-length: *(\d+)/i.exec(text.slice(0, end));
  return length !== null && Buffer.byteLength(text.slice(end + 4), 'latin1') >= Number(length[1]);
}

/**
 * Writes `chunks` on one connection and collects what comes back: until the server closes
 * the connection, `waitMs` pass, or (with `untilAnswered`) a whole response has arrived.
 */
function rawExchange(
  port: number,
  chunks: Array<string | Buffer>,
  waitMs: number,
  untilAnswered = false,
) {
  return new Promise<RawExchange>((resolve) => {
    const socket: Socket = connect(port, '127.0.0.1');
    let text = '';
    let settled = false;
    const finish = (closed: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ text, closed });
    };
    const timer = setTimeout(() => finish(false), waitMs);
    socket.on('data', (data) => {
      text += data.toString('latin1');
      if (untilAnswered && holdsResponse(text)) finish(false);
    });
    socket.on('error', () => finish(true));
    socket.on('close', () => finish(true));
    socket.on('connect', () => {
      for (const chunk of chunks) socket.write(chunk);
    });
  });
}

/** Sends the headers of a request and only the first KiB of its body; the rest never comes. */
function headersAndFirstKib(
  port: number,
  path: string,
  headers: Record<string, string>,
  declaredBytes = BIG_BODY_BYTES,
  waitMs = 5000,
) {
  const lines = [
    `POST ${path} HTTP/1.1`,
    'Host: 127.0.0.1',
    `Content-Length: ${declaredBytes}`,
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
  ];
  return rawExchange(
    port,
    [`${lines.join('\r\n')}\r\n\r\n`, '['.padEnd(1024, ' ')],
    waitMs,
    declaredBytes === BIG_BODY_BYTES,
  );
}

function statusOf(exchange: RawExchange): number | undefined {
  const match = /^HTTP\/1\.1 (\d{3})/.exec(exchange.text);
  return match ? Number(match[1]) : undefined;
}

function bodyOf(exchange: RawExchange): Record<string, unknown> {
  const start = exchange.text.indexOf('\r\n\r\n');
  return JSON.parse(exchange.text.slice(start + 4)) as Record<string, unknown>;
}

/** POSTs a whole body over its own connection; resolves with the status (0 on a reset). */
function postWhole(
  port: number,
  path: string,
  headers: Record<string, string>,
  body: Buffer,
): Promise<number> {
  return new Promise((resolve) => {
    const request = httpRequest(
      { host: '127.0.0.1', port, path, method: 'POST', agent: false, headers },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
        response.on('error', () => resolve(0));
      },
    );
    request.on('error', () => resolve(0));
    request.end(body);
  });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function standardWebhookHeaders(body: string, id: string, key = SIGNING_KEY) {
  const timestamp = String(Math.floor(Date.now() / 1000));
  return {
    'content-type': 'application/json',
    'x-gitlab-event': 'Push Hook',
    'webhook-id': id,
    'webhook-timestamp': timestamp,
    'webhook-signature': standardWebhookSignature(key, id, timestamp, body),
  };
}

describe('the request path: nothing is read or parsed before it is authenticated', () => {
  let t: TestApp;
  let port: number;
  let parseSpy: jest.SpyInstance<unknown, Parameters<typeof JSON.parse>>;
  /** Lengths of the strings JSON.parse was given that were at least 1 MiB long. */
  const bigParses: number[] = [];

  beforeAll(async () => {
    t = await startTestApp({ GITLAB_WEBHOOK_SIGNING_TOKEN: SIGNING_KEY });
    port = Number(new URL(t.baseUrl).port);
    const parse = JSON.parse.bind(JSON);
    parseSpy = jest.spyOn(JSON, 'parse').mockImplementation((text, reviver) => {
      if (typeof text === 'string' && text.length >= MIB) bigParses.push(text.length);
      return parse(text, reviver) as unknown;
    });
  });

  afterAll(async () => {
    parseSpy.mockRestore();
    await t.close();
  });

  const post = (path: string, body: string | Buffer, headers: Record<string, string>) =>
    t.request('POST', path, { body, headers, token: null });

  it('answers an unknown provider or source, a missing signature, a keyless API call and an unrouted path before reading their 25 MiB body', async () => {
    const { ['x-hub-signature-256']: _omit, ...unsigned } = githubHeaders(PUSH);
    const cases: Array<[string, Record<string, string>, number, string]> = [
      ['/webhooks/sourcehut', githubHeaders(PUSH), 404, 'UNKNOWN_PROVIDER'],
      ['/webhooks/github/no-such-source', githubHeaders(PUSH), 404, 'UNKNOWN_SOURCE'],
      ['/webhooks/github', unsigned, 401, 'INVALID_SIGNATURE'],
      ['/api/v1/admin/sources', { 'content-type': 'application/json' }, 401, 'UNAUTHORIZED'],
      [
        '/api/v1/admin/sources',
        { 'content-type': 'application/json', authorization: 'Bearer not-a-key' },
        401,
        'UNAUTHORIZED',
      ],
      ['/no/such/path', { 'content-type': 'application/json' }, 404, 'NOT_FOUND'],
    ];
    for (const [path, headers, status, code] of cases) {
      // Only the first KiB of the declared 25 MiB is ever sent: an answer proves it was not awaited.
      const exchange = await headersAndFirstKib(port, path, headers);
      expect([path, statusOf(exchange)]).toEqual([path, status]);
      expect(bodyOf(exchange)).toMatchObject({ statusCode: status, code });
    }
  });

  it('an unauthenticated 25 MiB body costs no more than reading it: refused, never parsed', async () => {
    const body = expensiveJson(BIG_BODY_BYTES);
    bigParses.length = 0;
    const wrongSignature = {
      ...githubHeaders(PUSH),
      'x-hub-signature-256': githubSignature('something else'),
    };
    const { ['x-hub-signature-256']: _omit, ...unsigned } = githubHeaders(PUSH);
    expect(await postWhole(port, '/webhooks/github', wrongSignature, body)).toBe(401);
    expect(await postWhole(port, '/webhooks/github', unsigned, body)).toBe(401);
    expect(
      await postWhole(port, '/api/v1/admin/sources', { 'content-type': 'application/json' }, body),
    ).toBe(401);
    expect(bigParses).toEqual([]);
  });

  it('verifies the signature on the raw bytes before any parse, and parses a signed body once', async () => {
    const malformed = '{"ref": ';
    const unsignedGarbage = await post('/webhooks/github', malformed, {
      ...githubHeaders(malformed),
      'x-hub-signature-256': githubSignature('{}'),
    });
    expect(unsignedGarbage.status).toBe(401);
    expect(unsignedGarbage.json()).toMatchObject({ code: 'INVALID_SIGNATURE' });

    // A signed body of 1 MiB and more, so that its parses show in bigParses.
    const large = JSON.stringify({ ...JSON.parse(PUSH), filler: 'x'.repeat(MIB) });
    bigParses.length = 0;
    const signed = await post('/webhooks/github', large, githubHeaders(large));
    expect(signed.status).toBe(202);
    expect(bigParses).toEqual([large.length]);
  });

  it('signed deliveries keep their latency while unauthenticated 25 MiB bodies arrive', async () => {
    const signedLatencies = async (count: number) => {
      const latencies: number[] = [];
      for (let i = 0; i < count; i++) {
        const started = performance.now();
        const response = await post('/webhooks/github', PUSH, githubHeaders(PUSH));
        latencies.push(performance.now() - started);
        expect(response.status).toBe(202);
      }
      return latencies;
    };
    const quiet = median(await signedLatencies(15));

    const body = expensiveJson(BIG_BODY_BYTES);
    const { ['x-hub-signature-256']: _omit, ...unsigned } = githubHeaders(PUSH);
    let attacking = true;
    let attacks = 0;
    const attacker = async (path: string, headers: Record<string, string>) => {
      while (attacking) {
        await postWhole(port, path, headers, body);
        attacks += 1;
      }
    };
    const attackers = [
      attacker('/webhooks/github', unsigned),
      attacker('/webhooks/sourcehut', githubHeaders(PUSH)),
      attacker('/api/v1/admin/sources', { 'content-type': 'application/json' }),
    ];
    let underAttack: number;
    try {
      underAttack = median(await signedLatencies(15));
    } finally {
      attacking = false;
      await Promise.all(attackers);
    }
    expect(attacks).toBeGreaterThan(0);
    // Relative, and generous for a busy machine: parsing one such body takes seconds.
    expect(underAttack).toBeLessThan(quiet * 10 + 250);
  });

  it('non-webhook routes have their own body limit (API_MAX_BODY_BYTES, 1 MiB by default)', async () => {
    const response = await t.request('POST', '/api/v1/admin/sources', {
      json: { provider: 'github', slug: 'big', description: 'x'.repeat(MIB) },
    });
    expect(response.status).toBe(413);
    expect(response.json()).toMatchObject({ statusCode: 413, code: 'PAYLOAD_TOO_LARGE' });
  });

  it('a request followed by one stray byte gets its own answer first', async () => {
    const headers = githubHeaders(PUSH);
    const lines = [
      'POST /webhooks/github HTTP/1.1',
      'Host: 127.0.0.1',
      `Content-Length: ${Buffer.byteLength(PUSH)}`,
      ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
    ];
    const exchange = await rawExchange(port, [`${lines.join('\r\n')}\r\n\r\n${PUSH}`, 'X'], 5000);
    expect(statusOf(exchange)).toBe(202);
    const [row] = await t.dataSource.query<{ n: string }[]>(
      'SELECT count(*) AS n FROM deliveries WHERE provider_delivery_id = $1',
      [`4242:${headers['x-github-delivery']}`],
    );
    expect(row.n).toBe('1');
  });

  it('refuses a form body with "payload" given twice (400)', async () => {
    const form = `payload=${encodeURIComponent(PUSH)}&payload=${encodeURIComponent('{"ref":"other"}')}`;
    const response = await post('/webhooks/github', form, {
      ...githubHeaders(form),
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(response.status).toBe(400);
    expect(response.json()).toMatchObject({ code: 'MALFORMED_BODY' });
    expect(response.json<{ message: string }>().message).toContain('"payload"');
  });

  it('answers a compressed body 415 naming Content-Encoding', async () => {
    for (const path of ['/webhooks/github', '/api/v1/admin/sources']) {
      const response = await t.request('POST', path, {
        body: PUSH,
        headers: { ...githubHeaders(PUSH), 'content-encoding': 'gzip' },
      });
      expect(response.status).toBe(415);
      expect(response.json()).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE' });
      expect(response.json<{ message: string }>().message).toContain('Content-Encoding');
    }
  });

  it("GitLab: a signed delivery's identity is its signed webhook-id, not the unsigned Idempotency-Key", async () => {
    const body = JSON.stringify({
      object_kind: 'push',
      project: { path_with_namespace: 'group/replayed' },
    });
    const signed = standardWebhookHeaders(body, `msg_${randomUUID()}`);
    const first = await post('/webhooks/gitlab', body, {
      ...signed,
      'idempotency-key': randomUUID(),
    });
    expect(first.status).toBe(202);
    const replayed = await post('/webhooks/gitlab', body, {
      ...signed,
      'idempotency-key': randomUUID(),
    });
    expect(replayed.status).toBe(200);
    expect(replayed.json()).toEqual({ id: first.json().id, status: 'duplicate' });
  });
});

describe('HTTP server limits', () => {
  let t: TestApp;
  let port: number;

  beforeAll(async () => {
    t = await startTestApp({
      HTTP_HEADERS_TIMEOUT_MS: '500',
      HTTP_REQUEST_TIMEOUT_MS: '1000',
      HTTP_KEEP_ALIVE_TIMEOUT_MS: '4000',
    });
    port = Number(new URL(t.baseUrl).port);
  });

  afterAll(async () => {
    await t.close();
  });

  const answeredOrClosed = (exchange: RawExchange) => {
    expect(exchange.closed).toBe(true);
    // Either a 408 or a plain close, never another answer.
    if (exchange.text !== '') expect(statusOf(exchange)).toBe(408);
  };

  it('configures the server from HTTP_* settings', () => {
    const server = t.app.getHttpServer();
    expect([server.headersTimeout, server.requestTimeout, server.keepAliveTimeout]).toEqual([
      500, 1000, 4000,
    ]);
  });

  it('a connection idle in the middle of its headers is answered 408 or closed', async () => {
    const exchange = await rawExchange(
      port,
      ['POST /webhooks/github HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: appl'],
      6000,
    );
    answeredOrClosed(exchange);
  });

  it('a body that never finishes is answered 408 or closed', async () => {
    const headers = { ...githubHeaders(PUSH), 'x-hub-signature-256': githubSignature('other') };
    const exchange = await headersAndFirstKib(port, '/webhooks/github', headers, 4096, 6000);
    answeredOrClosed(exchange);
  });
});

describe('HOST=localhost', () => {
  it('binds every address localhost resolves to (IPv4 and IPv6 where both), as Fastify does', async () => {
    const addresses = await lookup('localhost', { all: true });
    const config = loadConfig({
      DATABASE_URL: testEnv('databaseUrl'),
      REDIS_URL: testEnv('redisUrl'),
      QUEUE_PREFIX: `${testEnv('queuePrefix')}-localhost-${randomUUID().slice(0, 8)}`,
      DATA_DIR: mkdtempSync(join(tmpdir(), 'hookyard-test-data-')),
      ADMIN_TOKEN,
      LOG_LEVEL: 'silent',
      DATABASE_POOL_SIZE: '2',
      ROLE: 'api',
    });
    const port = await freePort();
    const app = await createHttpApp(config);
    try {
      await app.listen(port, 'localhost');
      for (const { address, family } of addresses) {
        const host = family === 6 ? `[${address}]` : address;
        const response = await fetch(`http://${host}:${port}/health/live`);
        expect([host, response.status]).toEqual([host, 200]);
      }
    } finally {
      await app.close();
    }
  });
});
