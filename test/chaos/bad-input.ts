import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import { azurePushDelivery, pushDelivery, serverPushDelivery } from './load';
import { CHAOS_AZURE_USER, errorText, HttpAnswer, jsonOf, rawRequest, sign } from './support';
import { hmacHex, hubSignature } from '../support/signing';

/** 'ok' = 2xx; a number = that status; '4xx' = any client error; 'ok|4xx' = either. */
type Expectation = number | '4xx' | 'ok|4xx' | 'ok|413';

interface BadCase {
  name: string;
  method?: string;
  path?: string;
  headers: Array<[string, string]>;
  body: Buffer;
  /** When false, no Content-Length is added (the case frames the body itself). */
  contentLength?: boolean;
  /** Bytes sent after the request on the same connection (its answer must still come first). */
  trailing?: Buffer;
  expect: Expectation;
}

export interface BadInputOutcome {
  cases: number;
  propertyRuns: number;
  accepted: number;
  serverErrors: number;
  summary: string;
  problems: string[];
}

const MiB = 1024 * 1024;

function signedHeaders(
  body: Buffer,
  secret: string,
  overrides: Record<string, string | null> = {},
): Array<[string, string]> {
  const base: Record<string, string | null> = {
    'content-type': 'application/json',
    'x-github-event': 'push',
    'x-github-delivery': randomUUID(),
    'x-github-hook-id': '4242',
    'x-hub-signature-256': sign(body, secret),
    ...overrides,
  };
  return Object.entries(base).filter((e): e is [string, string] => e[1] !== null);
}

/** Letters that do not compress (an index entry would hold them as they are). */
function incompressible(length: number): string {
  let text = '';
  while (text.length < length) text += randomUUID().replaceAll('-', '');
  return text.replace(/[0-9]/g, 'q').slice(0, length);
}

/** Requests to the API with the admin key: hostile query and body input is a 400 there. */
function apiCases(adminToken: string): BadCase[] {
  const auth: [string, string] = ['authorization', `Bearer ${adminToken}`];
  const get = (name: string, path: string, expect: Expectation = 400): BadCase => ({
    name,
    method: 'GET',
    path,
    headers: [auth],
    body: Buffer.alloc(0),
    expect,
  });
  const post = (name: string, path: string, body: string, expect: Expectation = 400): BadCase => ({
    name,
    path,
    headers: [auth, ['content-type', 'application/json']],
    body: Buffer.from(body),
    expect,
  });
  const deep = `${'{"a":'.repeat(50_000)}1${'}'.repeat(50_000)}`;
  return [
    get('API: NUL in a text filter', '/api/v1/admin/deliveries?event=%00'),
    get('API: week date filter', '/api/v1/admin/deliveries?receivedFrom=2024-W01'),
    get('API: month filter', '/api/v1/admin/dead-letters?receivedTo=2024-01'),
    get('API: hour without minutes', '/api/v1/admin/audit?from=2024-01-01T10Z'),
    get('API: job id that is a BullMQ key', '/api/v1/admin/queues/deliveries/jobs/meta'),
    get(
      'API: upper-case delivery id',
      `/api/v1/admin/deliveries/${randomUUID().toUpperCase()}`,
      404,
    ),
    post(
      'API: replay filter with a week date',
      '/api/v1/admin/deliveries/replay',
      '{"filter":{"receivedFrom":"2024-W01"}}',
    ),
    post(
      'API: source description with NUL',
      '/api/v1/admin/sources',
      '{"provider":"github","slug":"nul","description":"a\\u0000b"}',
    ),
    post(
      'API: body nested 50,000 levels',
      '/api/v1/admin/dead-letters/redrive',
      `{"filter":${deep}}`,
    ),
    post(
      'API: whsec_ key of zero bytes',
      '/api/v1/admin/sources',
      '{"provider":"gitlab","slug":"zero-key","secrets":["whsec_===="]}',
    ),
    {
      ...post(
        'API: dashboard state change',
        '/admin/queues/api/queues/deliveries/pause',
        '{}',
        405,
      ),
      method: 'PUT',
    },
    {
      ...get('API: wrong key', '/api/v1/admin/deliveries', 401),
      headers: [['authorization', 'Bearer nope']],
    },
  ];
}

function corpus(secret: string): BadCase[] {
  const valid = pushDelivery(secret, 'bad-input').body;
  const json = (value: unknown) => Buffer.from(JSON.stringify(value));
  const signedCase = (
    name: string,
    body: Buffer,
    expect: Expectation,
    overrides: Record<string, string | null> = {},
  ): BadCase => ({ name, body, expect, headers: signedHeaders(body, secret, overrides) });
  const truncated = valid.subarray(0, Math.floor(valid.length / 2));
  const invalidUtf8 = Buffer.concat([
    Buffer.from('{"zen":"'),
    Buffer.from([0xff, 0xfe, 0xc3, 0x28]),
    Buffer.from('"}'),
  ]);
  const form = (payload: string | undefined) =>
    Buffer.from(payload === undefined ? 'other=1' : `payload=${encodeURIComponent(payload)}`);
  const formType = { 'content-type': 'application/x-www-form-urlencoded' };
  const goodSig = sign(valid, secret);
  const sha1 = `sha1=${hmacHex(secret, valid, 'sha1')}`;
  const hugeArray = Buffer.from(
    `{"zen":"huge","items":[${new Array(1_000_000).fill('0').join(',')}]}`,
  );
  const deep = Buffer.from(`${'['.repeat(100_000)}${']'.repeat(100_000)}`);
  const thirtyMiB = Buffer.concat([
    Buffer.from('{"zen":"'),
    Buffer.alloc(30 * MiB, 'a'),
    Buffer.from('"}'),
  ]);
  const manyObjects = Buffer.from(`[${'{"k":"v"},'.repeat(2_600_000)}{}]`);
  const withNul = Buffer.from(
    valid.toString('utf8').replace('"full_name":"', '"full_name":"nul\\u0000inside/'),
  );
  const edited = (edit: (payload: Record<string, unknown>) => void) => {
    const payload = JSON.parse(valid.toString('utf8')) as Record<string, unknown>;
    edit(payload);
    return Buffer.from(JSON.stringify(payload));
  };
  const commitsOf = (payload: Record<string, unknown>) =>
    payload.commits as Array<Record<string, unknown>>;
  const loneSurrogate = edited((p) => {
    commitsOf(p)[0].message = 'half a pair \ud83d here';
  });
  const longName = edited((p) => {
    const repository = p.repository as Record<string, unknown>;
    repository.full_name = `acme/${incompressible(9000)}`;
    repository.name = incompressible(9000);
  });
  const longCommitId = edited((p) => {
    commitsOf(p)[0].id = 'a'.repeat(9000);
  });
  const chunked = (body: Buffer) =>
    Buffer.concat([
      Buffer.from(`${body.length.toString(16)}\r\n`),
      body,
      Buffer.from('\r\n0\r\n\r\n'),
    ]);
  return [
    signedCase('control: a valid signed push', valid, 202),
    signedCase('truncated JSON, signed', truncated, 400),
    {
      name: 'truncated JSON, signature of the full body',
      body: truncated,
      headers: signedHeaders(truncated, secret, { 'x-hub-signature-256': goodSig }),
      expect: '4xx',
    },
    signedCase('invalid UTF-8, signed', invalidUtf8, 400),
    signedCase('lone surrogate escape', Buffer.from('{"zen":"\\ud800"}'), 'ok|4xx'),
    signedCase(
      'UTF-8 BOM before JSON',
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), valid]),
      'ok|4xx',
    ),
    signedCase('content-type text/plain', valid, 415, { 'content-type': 'text/plain' }),
    signedCase('content-type application/xml', Buffer.from('<push/>'), 415, {
      'content-type': 'application/xml',
    }),
    signedCase('content-type multipart/form-data', valid, 415, {
      'content-type': 'multipart/form-data; boundary=x',
    }),
    signedCase('no content-type', valid, '4xx', { 'content-type': null }),
    signedCase('content-type with charset=utf-16', valid, 'ok|4xx', {
      'content-type': 'application/json; charset=utf-16',
    }),
    signedCase('content-type with a 4 KiB parameter', valid, 'ok|4xx', {
      'content-type': `application/json; x=${'y'.repeat(4096)}`,
    }),
    signedCase('form body with payload=', form(valid.toString()), 202, formType),
    signedCase('form body without payload', form(undefined), 400, formType),
    signedCase('form payload that is not JSON', form('{not json'), 400, formType),
    signedCase('missing X-GitHub-Event', valid, 400, { 'x-github-event': null }),
    signedCase('missing X-GitHub-Delivery', valid, 400, { 'x-github-delivery': null }),
    {
      name: 'repeated X-GitHub-Event',
      body: valid,
      headers: [...signedHeaders(valid, secret), ['x-github-event', 'push']],
      expect: 'ok|4xx',
    },
    {
      name: 'repeated X-GitHub-Delivery',
      body: valid,
      headers: [...signedHeaders(valid, secret), ['x-github-delivery', randomUUID()]],
      expect: 'ok|4xx',
    },
    {
      name: 'repeated X-Hub-Signature-256 (one wrong)',
      body: valid,
      headers: [
        ...signedHeaders(valid, secret),
        ['x-hub-signature-256', `sha256=${'0'.repeat(64)}`],
      ],
      expect: '4xx',
    },
    {
      name: 'repeated Content-Type',
      body: valid,
      headers: [...signedHeaders(valid, secret), ['content-type', 'text/plain']],
      expect: 'ok|4xx',
    },
    signedCase('oversized header (64 KiB)', valid, '4xx', { 'x-padding': 'p'.repeat(64 * 1024) }),
    {
      name: '1,000 extra headers',
      body: valid,
      headers: [
        ...signedHeaders(valid, secret),
        ...Array.from({ length: 1000 }, (_, i): [string, string] => [`x-extra-${i}`, 'v']),
      ],
      expect: 'ok|4xx',
    },
    signedCase('delivery id of 1,000 characters', valid, 400, {
      'x-github-delivery': 'd'.repeat(1000),
    }),
    signedCase('delivery id with a control character', valid, 400, { 'x-github-delivery': 'a\tb' }),
    signedCase('event of 1,000 characters', valid, 400, { 'x-github-event': 'e'.repeat(1000) }),
    signedCase('30 MiB body', thirtyMiB, 413),
    signedCase('empty body, signed', Buffer.alloc(0), 400),
    signedCase('empty body, no content-type', Buffer.alloc(0), '4xx', { 'content-type': null }),
    signedCase('signature missing', valid, 401, { 'x-hub-signature-256': null }),
    signedCase('signature wrong', valid, 401, {
      'x-hub-signature-256': `sha256=${'ab'.repeat(32)}`,
    }),
    signedCase('signature sha1= only (X-Hub-Signature)', valid, 401, {
      'x-hub-signature-256': null,
      'x-hub-signature': sha1,
    }),
    signedCase('sha1= value in X-Hub-Signature-256', valid, 401, { 'x-hub-signature-256': sha1 }),
    signedCase('signature truncated', valid, 401, { 'x-hub-signature-256': goodSig.slice(0, 40) }),
    signedCase('signature without the sha256= prefix', valid, 401, {
      'x-hub-signature-256': goodSig.slice('sha256='.length),
    }),
    signedCase('signature not hex', valid, 401, {
      'x-hub-signature-256': `sha256=${'zz'.repeat(32)}`,
    }),
    signedCase('signature over another body', valid, 401, {
      'x-hub-signature-256': sign(json({ another: 'body' }), secret),
    }),
    signedCase('signature with another secret', valid, 401, {
      'x-hub-signature-256': sign(valid, `${secret}-not`),
    }),
    signedCase('signature in upper-case hex', valid, 'ok|4xx', {
      'x-hub-signature-256': `sha256=${goodSig.slice('sha256='.length).toUpperCase()}`,
    }),
    { ...signedCase('unknown provider', valid, 404), path: '/webhooks/sourceforge' },
    { ...signedCase('unknown source', valid, 404), path: '/webhooks/github/no-such-source' },
    {
      ...signedCase('source with odd characters', valid, '4xx'),
      path: '/webhooks/github/%00%ff..',
    },
    { ...signedCase('gitlab without a configured secret', valid, 401), path: '/webhooks/gitlab' },
    { ...signedCase('gitea without a configured secret', valid, 401), path: '/webhooks/gitea' },
    {
      ...signedCase('bitbucket without a configured secret', valid, 401),
      path: '/webhooks/bitbucket',
    },
    signedCase('unknown event', valid, 'ok|4xx', { 'x-github-event': 'frobnicate' }),
    signedCase('huge array (1e6 elements), signed', hugeArray, 'ok|413'),
    signedCase('deeply nested arrays (100,000 levels), signed', deep, 'ok|4xx'),
    signedCase('JSON null', Buffer.from('null'), 'ok|4xx'),
    signedCase('JSON number', Buffer.from('42'), 'ok|4xx'),
    signedCase('JSON string', Buffer.from('"push"'), 'ok|4xx'),
    signedCase('JSON array', Buffer.from('[]'), 'ok|4xx'),
    signedCase('NUL inside a JSON string', withNul, 'ok|4xx'),
    signedCase('lone surrogate in a commit message', loneSurrogate, 202),
    signedCase('9,000-character repository name', longName, 202),
    signedCase('9,000-character commit id', longCommitId, 202),
    {
      name: 'chunked transfer encoding',
      body: chunked(valid),
      contentLength: false,
      headers: [...signedHeaders(valid, secret), ['transfer-encoding', 'chunked']],
      expect: 202,
    },
    // Work before authentication: refused on the headers, before 25 MiB are read or parsed.
    signedCase('unsigned 25 MiB of small objects', manyObjects, 401, {
      'x-hub-signature-256': null,
    }),
    { ...signedCase('25 MiB to an unknown provider', manyObjects, 404), path: '/webhooks/nope' },
    {
      name: '25 MiB to an API route without a key',
      path: '/api/v1/admin/sources',
      body: manyObjects,
      headers: [['content-type', 'application/json']],
      expect: 401,
    },
    {
      name: '25 MiB to a path that does not exist',
      path: '/no/such/route',
      body: manyObjects,
      headers: [['content-type', 'application/json']],
      expect: 404,
    },
    signedCase('malformed JSON with a wrong signature (checked before any parse)', truncated, 401, {
      'x-hub-signature-256': sign(json({ other: true }), secret),
    }),
    signedCase(
      'form body with payload= twice',
      Buffer.from(`${form(valid.toString()).toString()}&payload=${encodeURIComponent('{}')}`),
      400,
      formType,
    ),
    signedCase('Content-Encoding: gzip', valid, 415, { 'content-encoding': 'gzip' }),
    {
      ...signedCase('one stray byte after a signed request', valid, 202),
      trailing: Buffer.from('X'),
    },
    { ...signedCase('GET on the ingest route', Buffer.alloc(0), '4xx'), method: 'GET' },
    { ...signedCase('PUT on the ingest route', valid, '4xx'), method: 'PUT' },
    { ...signedCase('query string on the ingest route', valid, 202), path: '/webhooks/github?x=1' },
  ];
}

/** Azure DevOps (Basic credentials, ids in the body) and Bitbucket Data Center. */
function otherForgeCases(secret: string): BadCase[] {
  const azure = azurePushDelivery(secret);
  const azureEvent = JSON.parse(azure.body.toString('utf8')) as Record<string, unknown>;
  const azureCase = (
    name: string,
    expect: Expectation,
    change: { body?: Record<string, unknown>; authorization?: string | null } = {},
  ): BadCase => {
    const body = change.body === undefined ? azure.body : Buffer.from(JSON.stringify(change.body));
    const authorization =
      change.authorization === undefined ? azure.headers.authorization : change.authorization;
    return {
      name: `azure-devops: ${name}`,
      path: '/webhooks/azure-devops',
      body,
      headers: [
        ['content-type', 'application/json'],
        ...(authorization === null
          ? []
          : ([['authorization', authorization]] as Array<[string, string]>)),
      ],
      expect,
    };
  };
  const basic = (credentials: string) => `Basic ${Buffer.from(credentials).toString('base64')}`;
  const server = serverPushDelivery(secret);
  const serverCase = (
    name: string,
    expect: Expectation,
    overrides: Record<string, string | null> = {},
    body: Buffer = server.body,
  ): BadCase => ({
    name: `bitbucket-server: ${name}`,
    path: '/webhooks/bitbucket-server',
    body,
    headers: Object.entries({ ...server.headers, ...overrides }).filter(
      (e): e is [string, string] => e[1] !== null,
    ),
    expect,
  });
  return [
    azureCase('control: a valid push with Basic credentials', 202),
    azureCase('no Authorization header', 401, { authorization: null }),
    azureCase('wrong password', 401, { authorization: basic(`chaos:${secret}-not`) }),
    azureCase('password without a user name', 401, { authorization: basic(`:${secret}`) }),
    azureCase('Bearer instead of Basic', 401, { authorization: `Bearer ${secret}` }),
    azureCase('Basic with no credentials', 401, { authorization: 'Basic ' }),
    azureCase('Basic with credentials that are not base64', 401, { authorization: 'Basic ***' }),
    azureCase('Basic credentials of 16 KiB', '4xx', {
      authorization: basic(`chaos:${'p'.repeat(16 * 1024)}`),
    }),
    azureCase('eventType missing', 400, { body: { ...azureEvent, eventType: undefined } }),
    azureCase('eventType a number', 400, { body: { ...azureEvent, eventType: 42 } }),
    azureCase('eventType an object', 400, {
      body: { ...azureEvent, eventType: { name: 'git.push' } },
    }),
    azureCase('eventType with a control character', 400, {
      body: { ...azureEvent, eventType: 'git\u0000push' },
    }),
    azureCase('event id missing', 400, { body: { ...azureEvent, id: undefined } }),
    azureCase('event id of 1,000 characters', 400, {
      body: { ...azureEvent, id: 'i'.repeat(1000) },
    }),
    azureCase('subscription id of 1,000 characters', 400, {
      body: { ...azureEvent, id: 'x', subscriptionId: 's'.repeat(1000) },
    }),
    azureCase('resource not an object', 'ok|4xx', {
      body: { ...azureEvent, id: `${String(azureEvent.id)}-r`, resource: [] },
    }),
    azureCase('body a JSON array', 400, {
      body: [azureEvent] as unknown as Record<string, unknown>,
    }),
    serverCase('control: a valid signed refs_changed', 202),
    serverCase('no X-Hub-Signature', 401, { 'x-hub-signature': null }),
    serverCase('sha1= signature', 401, {
      'x-hub-signature': `sha1=${hmacHex(secret, server.body, 'sha1')}`,
    }),
    serverCase('signature over another body', 401, {
      'x-hub-signature': hubSignature('{}', secret),
    }),
    serverCase('no X-Event-Key', 400, { 'x-event-key': null }),
    serverCase('no X-Request-Id', 400, { 'x-request-id': null }),
    serverCase('X-Request-UUID (Cloud) instead of X-Request-Id', 400, {
      'x-request-id': null,
      'x-request-uuid': randomUUID(),
    }),
    serverCase('X-Request-Id of 1,000 characters', 400, { 'x-request-id': 'r'.repeat(1000) }),
    serverCase('unknown event key', 'ok|4xx', {
      'x-event-key': 'repo:teleported',
      'x-request-id': randomUUID(),
    }),
  ];
}

function head(port: number, c: BadCase): string {
  const lines = [`${c.method ?? 'POST'} ${c.path ?? '/webhooks/github'} HTTP/1.1`];
  lines.push(`Host: 127.0.0.1:${port}`, 'Connection: close');
  for (const [name, value] of c.headers) lines.push(`${name}: ${value}`);
  if (c.contentLength !== false) lines.push(`Content-Length: ${c.body.length}`);
  return `${lines.join('\r\n')}\r\n\r\n`;
}

function matches(status: number, expect: Expectation): boolean {
  const ok = status >= 200 && status < 300;
  const clientError = status >= 400 && status < 500;
  if (typeof expect === 'number') return status === expect;
  switch (expect) {
    case '4xx':
      return clientError;
    case 'ok|4xx':
      return ok || clientError;
    case 'ok|413':
      return ok || status === 413;
  }
}

/** A problem with the answer's shape: an error must be JSON naming the problem. */
function shapeProblem(answer: HttpAnswer): string | undefined {
  const body = jsonOf(answer);
  if (typeof body !== 'object' || body === null) {
    return `body is not JSON (${JSON.stringify(answer.body.subarray(0, 80).toString('utf8'))})`;
  }
  if (answer.status >= 400) {
    const code = 'code' in body ? body.code : undefined;
    const message = 'message' in body ? body.message : undefined;
    if (typeof code !== 'string' || typeof message !== 'string' || message.length === 0) {
      return 'error body lacks code and message';
    }
  }
  return undefined;
}

const HEADER_NAMES = [
  'content-type',
  'x-github-event',
  'x-github-delivery',
  'x-github-hook-id',
  'x-hub-signature-256',
  'x-hub-signature',
  'x-gitlab-event',
  'x-gitlab-token',
  'idempotency-key',
  'webhook-id',
  'webhook-timestamp',
  'webhook-signature',
  'x-gitea-event',
  'x-gitea-delivery',
  'x-gitea-signature',
  'x-event-key',
  'x-request-uuid',
  'x-request-id',
  'x-hub-signature',
  'authorization',
];
const CONTENT_TYPES = [
  'application/json',
  'application/x-www-form-urlencoded',
  'text/plain',
  'application/json; charset=utf-8',
  '',
];
const FRAMING = new Set(['content-length', 'transfer-encoding', 'host', 'connection']);

/** Random but well-framed requests: HTTP/1.1 syntax holds, everything else is arbitrary. */
function requestArbitrary(secret: string) {
  const headerValue = fc.stringMatching(/^[\x21-\x7e][\x20-\x7e]{0,60}$/);
  const headerName = fc.oneof(
    fc.constantFrom(...HEADER_NAMES),
    fc.stringMatching(/^[a-z][a-z0-9-]{0,24}$/).filter((name) => !FRAMING.has(name)),
  );
  const body = fc.oneof(
    fc.uint8Array({ maxLength: 4096 }).map((bytes) => Buffer.from(bytes)),
    fc.json({ maxDepth: 4 }).map((text) => Buffer.from(text)),
    fc.string({ maxLength: 200 }).map((text) => Buffer.from(text)),
    fc.constant(pushDelivery(secret, 'property').body),
  );
  return fc.record({
    path: fc.oneof(
      fc.constantFrom(
        '/webhooks/github',
        '/webhooks/gitlab',
        '/webhooks/gitea',
        '/webhooks/bitbucket',
        '/webhooks/bitbucket-server',
        '/webhooks/azure-devops',
        '/webhooks/github/default',
      ),
      fc.stringMatching(/^[a-zA-Z0-9._~%-]{1,30}$/).map((segment) => `/webhooks/${segment}`),
    ),
    contentType: fc.constantFrom(...CONTENT_TYPES),
    event: fc.option(fc.constantFrom('push', 'ping', 'pull_request', 'issues', 'nope', '')),
    deliveryId: fc.option(fc.oneof(fc.uuid(), headerValue)),
    signBody: fc.boolean(),
    headers: fc.array(fc.tuple(headerName, headerValue), { maxLength: 10 }),
    body,
    // Azure DevOps: the deployment's own credentials, someone else's, or none.
    basicAuth: fc.constantFrom('valid', 'wrong', 'none'),
  });
}

/**
 * The corpus, then the property: whatever arrives, the answer is never 5xx and always JSON
 * (with a code and a message when it is an error).
 */
export async function runBadInput(
  port: number,
  secret: string,
  propertyRuns: number,
  adminToken: string,
): Promise<BadInputOutcome> {
  const problems: string[] = [];
  const statuses = new Map<number, number>();
  let accepted = 0;
  let serverErrors = 0;
  const record = (status: number) => {
    statuses.set(status, (statuses.get(status) ?? 0) + 1);
    if (status >= 200 && status < 300) accepted += 1;
    if (status >= 500) serverErrors += 1;
  };

  const cases = [...corpus(secret), ...otherForgeCases(secret), ...apiCases(adminToken)];
  for (const c of cases) {
    let answer: HttpAnswer;
    try {
      const body = c.trailing === undefined ? c.body : Buffer.concat([c.body, c.trailing]);
      answer = await rawRequest(port, head(port, c), body);
    } catch (error) {
      problems.push(`${c.name}: ${errorText(error)}`);
      continue;
    }
    record(answer.status);
    if (!matches(answer.status, c.expect)) {
      problems.push(
        `${c.name}: HTTP ${answer.status}, expected ${c.expect} (${answer.body.subarray(0, 160).toString('utf8')})`,
      );
    }
    const shape = shapeProblem(answer);
    if (shape) problems.push(`${c.name}: HTTP ${answer.status}, ${shape}`);
  }

  // A connection idle in the middle of its headers: 408 or a plain close once
  // HTTP_HEADERS_TIMEOUT_MS (10 s by default) has passed, never held open.
  const idle = 'POST /webhooks/github HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: appl';
  try {
    const answer = await rawRequest(port, idle, Buffer.alloc(0), 20_000);
    record(answer.status);
    if (answer.status !== 408) problems.push(`idle mid-headers: HTTP ${answer.status}, not 408`);
  } catch (error) {
    // A close without an answer is as good; only a connection still open is a problem.
    if (errorText(error).includes('timed out'))
      problems.push(`idle mid-headers: ${errorText(error)}`);
  }

  let runs = 0;
  try {
    await fc.assert(
      fc.asyncProperty(requestArbitrary(secret), async (r) => {
        runs += 1;
        const headers: Array<[string, string]> = [];
        if (r.contentType !== '') headers.push(['content-type', r.contentType]);
        if (r.event !== null) headers.push(['x-github-event', r.event]);
        if (r.deliveryId !== null) headers.push(['x-github-delivery', r.deliveryId]);
        if (r.signBody) headers.push(['x-hub-signature-256', sign(r.body, secret)]);
        if (r.signBody) headers.push(['x-hub-signature', sign(r.body, secret)]);
        if (r.basicAuth !== 'none') {
          const password = r.basicAuth === 'valid' ? secret : `${secret}-wrong`;
          headers.push([
            'authorization',
            `Basic ${Buffer.from(`${CHAOS_AZURE_USER}:${password}`).toString('base64')}`,
          ]);
        }
        headers.push(...r.headers);
        const c: BadCase = {
          name: 'property',
          path: r.path,
          headers,
          body: r.body,
          expect: 'ok|4xx',
        };
        const answer = await rawRequest(port, head(port, c), r.body, 20_000);
        record(answer.status);
        if (answer.status >= 500 || answer.status < 200) {
          throw new Error(
            `HTTP ${answer.status}: ${answer.body.subarray(0, 200).toString('utf8')}`,
          );
        }
        const shape = shapeProblem(answer);
        if (shape) throw new Error(`HTTP ${answer.status}: ${shape}`);
      }),
      { numRuns: propertyRuns, endOnFailure: true },
    );
  } catch (error) {
    problems.push(`fast-check property: ${errorText(error).split('\n').slice(0, 6).join(' | ')}`);
  }
  return {
    cases: cases.length + 1,
    propertyRuns: runs,
    accepted,
    serverErrors,
    summary: [...statuses]
      .sort((a, b) => a[0] - b[0])
      .map(([s, n]) => `${s}×${n}`)
      .join(' '),
    problems,
  };
}
