import examples from '@octokit/webhooks-examples/api.github.com/index.json';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { MIGRATIONS } from '../../src/core/database/migrations';
import { runMigrations } from '../../src/core/database/migrator';
import { QueueName } from '../../src/core/jobs/job-catalogue';
import { JobsService } from '../../src/core/jobs/jobs.service';
import { eventually, GITHUB_SECRET, startTestApp, TestApp } from '../support/test-app';
import {
  githubHeaders,
  githubSignature,
  hmacHex,
  hubSignature,
  standardWebhookSignature,
} from '../support/signing';
import { testEnv } from '../support/test-env';

// A real push (the smallest @octokit/webhooks-examples push with commits), so that it also
// processes into records.
const PUSH_EXAMPLE = (
  examples as unknown as Array<{ name: string; examples: Record<string, unknown>[] }>
)
  .find((e) => e.name === 'push')
  ?.examples.filter((p) => Array.isArray(p.commits) && p.commits.length > 0)
  .sort((a, b) => JSON.stringify(a).length - JSON.stringify(b).length)[0];
const PUSH = JSON.stringify(PUSH_EXAMPLE);
const PUSH_REPOSITORY = (PUSH_EXAMPLE?.repository as { full_name: string }).full_name;

const GITLAB_TOKEN = 'gitlab-test-token';
const GITEA_SECRET = 'gitea-test-secret';
const BITBUCKET_SECRET = 'bitbucket-test-secret';
const SIGNING_KEY = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const AZURE_USER = 'hookyard';
const AZURE_PASSWORD = 'azure-test-password';
const BITBUCKET_SERVER_SECRET = 'bitbucket-server-test-secret';
const basicAuthorization = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

interface DeliveryRow {
  id: string;
  status: string;
  provider_delivery_id: string;
}

describe('webhook ingestion (real HTTP, PostgreSQL, Redis)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({
      GITLAB_WEBHOOK_TOKEN: GITLAB_TOKEN,
      GITLAB_WEBHOOK_SIGNING_TOKEN: SIGNING_KEY,
      GITEA_WEBHOOK_SECRET: GITEA_SECRET,
      BITBUCKET_WEBHOOK_SECRET: `old-secret,${BITBUCKET_SECRET}`,
      AZURE_DEVOPS_WEBHOOK_USERNAME: AZURE_USER,
      AZURE_DEVOPS_WEBHOOK_PASSWORD: `old-password,${AZURE_PASSWORD}`,
      BITBUCKET_SERVER_WEBHOOK_SECRET: BITBUCKET_SERVER_SECRET,
      WEBHOOK_MAX_BODY_BYTES: String(1024 * 1024),
    });
  });

  afterAll(async () => {
    await t.close();
  });

  const post = (path: string, body: string | Buffer, headers: Record<string, string>) =>
    t.request('POST', path, { body, headers, token: null });

  const statusOf = async (id: string) =>
    (
      await t.dataSource.query<DeliveryRow[]>('SELECT status FROM deliveries WHERE id = $1', [id])
    )[0]?.status;

  const waitForStatus = (id: string, wanted: string) =>
    eventually(
      async () => ((await statusOf(id)) === wanted ? wanted : undefined),
      20000,
      `${id} ${wanted}`,
    );

  it('202: stores a signed GitHub delivery, commits it, and the worker processes it', async () => {
    const response = await post('/webhooks/github', PUSH, githubHeaders(PUSH, 'push'));
    expect(response.status).toBe(202);
    const { id, status } = response.json<{ id: string; status: string }>();
    expect(status).toBe('accepted');
    const [row] = await t.dataSource.query<Record<string, unknown>[]>(
      'SELECT * FROM deliveries WHERE id = $1',
      [id],
    );
    expect(row).toMatchObject({
      provider: 'github',
      source: 'default',
      event: 'push',
      repository: PUSH_REPOSITORY,
    });
    expect((row.body as Buffer).toString()).toBe(PUSH);
    expect(row.headers).not.toHaveProperty('x-hub-signature-256');
    expect(row.headers).toHaveProperty('x-github-event', 'push');
    await waitForStatus(id, 'processed');
  });

  it('200 duplicate: the same delivery again answers duplicate with the same id', async () => {
    const headers = githubHeaders(PUSH, 'push');
    const first = await post('/webhooks/github', PUSH, headers);
    const second = await post('/webhooks/github', PUSH, headers);
    expect(first.status).toBe(202);
    expect(second.status).toBe(200);
    expect(second.json()).toEqual({ id: first.json().id, status: 'duplicate' });
  });

  it('50 concurrent copies of one delivery leave exactly one row', async () => {
    const headers = githubHeaders(PUSH, 'push');
    const answers = await Promise.all(
      Array.from({ length: 50 }, () => post('/webhooks/github', PUSH, headers)),
    );
    const codes = answers.map((a) => a.status).sort();
    expect(codes.filter((c) => c === 202)).toHaveLength(1);
    expect(codes.filter((c) => c === 200)).toHaveLength(49);
    expect(new Set(answers.map((a) => a.json().id)).size).toBe(1);
    const rows = await t.dataSource.query<DeliveryRow[]>(
      'SELECT id FROM deliveries WHERE provider_delivery_id = $1',
      [`4242:${headers['x-github-delivery']}`],
    );
    expect(rows).toHaveLength(1);
  });

  it("accepts GitHub's form-encoded bodies (payload=) signed over the raw form", async () => {
    const form = `payload=${encodeURIComponent(PUSH)}`;
    const headers = {
      ...githubHeaders(form, 'push'),
      'content-type': 'application/x-www-form-urlencoded',
    };
    const response = await post('/webhooks/github', form, headers);
    expect(response.status).toBe(202);
    const [row] = await t.dataSource.query<{ repository: string }[]>(
      'SELECT repository FROM deliveries WHERE id = $1',
      [response.json().id],
    );
    expect(row.repository).toBe(PUSH_REPOSITORY);
  });

  it('stores ping events and marks them ignored', async () => {
    const ping = JSON.stringify({ zen: 'Keep it logically awesome.', hook_id: 1 });
    const response = await post('/webhooks/github', ping, githubHeaders(ping, 'ping'));
    expect(response.status).toBe(202);
    await waitForStatus(response.json<{ id: string }>().id, 'ignored');
  });

  it('401: missing, wrong and foreign signatures; no row is written', async () => {
    const before = await t.dataSource.query<{ n: string }[]>(
      'SELECT count(*) AS n FROM deliveries',
    );
    const headers = githubHeaders(PUSH, 'push');
    const { ['x-hub-signature-256']: _omit, ...unsigned } = headers;
    const cases = [
      unsigned,
      { ...headers, 'x-hub-signature-256': githubSignature(PUSH, 'wrong-secret') },
      { ...headers, 'x-hub-signature-256': githubSignature('{"other":true}') },
      {
        ...headers,
        'x-hub-signature-256': `sha1=${hmacHex(GITHUB_SECRET, PUSH, 'sha1')}`,
      },
    ];
    for (const h of cases) {
      const response = await post('/webhooks/github', PUSH, h);
      expect(response.status).toBe(401);
      expect(response.json()).toMatchObject({ statusCode: 401, code: 'INVALID_SIGNATURE' });
      expect(response.text).not.toContain(GITHUB_SECRET);
    }
    const after = await t.dataSource.query<{ n: string }[]>('SELECT count(*) AS n FROM deliveries');
    expect(after[0].n).toBe(before[0].n);
  });

  it('401: a provider with no secret configured rejects everything (fail closed)', async () => {
    const app = await startTestApp({ GITHUB_WEBHOOK_SECRET: '' });
    try {
      const response = await app.request('POST', '/webhooks/github', {
        body: PUSH,
        headers: githubHeaders(PUSH, 'push'),
        token: null,
      });
      expect(response.status).toBe(401);
      expect(response.json<{ details: { reason: string } }>().details.reason).toBe(
        'no_secret_configured',
      );
    } finally {
      await app.close();
    }
  });

  it('401: Azure DevOps and Bitbucket Data Center without credentials configured refuse everything', async () => {
    const app = await startTestApp({});
    try {
      const body = JSON.stringify({ id: randomUUID(), eventType: 'git.push', resource: {} });
      const azure = await app.request('POST', '/webhooks/azure-devops', {
        body,
        headers: {
          'content-type': 'application/json',
          authorization: basicAuthorization(AZURE_USER, AZURE_PASSWORD),
        },
        token: null,
      });
      const server = await app.request('POST', '/webhooks/bitbucket-server', {
        body,
        headers: {
          'content-type': 'application/json',
          'x-event-key': 'repo:refs_changed',
          'x-request-id': randomUUID(),
          'x-hub-signature': hubSignature(body, BITBUCKET_SERVER_SECRET),
        },
        token: null,
      });
      for (const response of [azure, server]) {
        expect(response.status).toBe(401);
        expect(response.json<{ details: { reason: string } }>().details.reason).toBe(
          'no_secret_configured',
        );
      }
    } finally {
      await app.close();
    }
  });

  it('400: malformed JSON, invalid UTF-8, empty body, missing event header, missing delivery id', async () => {
    const bad = '{"ref": ';
    const malformed = await post('/webhooks/github', bad, githubHeaders(bad));
    expect(malformed.status).toBe(400);
    expect(malformed.json()).toMatchObject({ code: 'MALFORMED_BODY' });
    expect(malformed.json<{ message: string }>().message).toContain('not valid JSON');

    const latin1 = Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]);
    const invalidUtf8 = await post('/webhooks/github', latin1, githubHeaders(latin1));
    expect(invalidUtf8.status).toBe(400);
    expect(invalidUtf8.json<{ message: string }>().message).toContain('UTF-8');

    const empty = await post('/webhooks/github', '', githubHeaders(''));
    expect(empty.status).toBe(400);
    expect(empty.json()).toMatchObject({ code: 'MALFORMED_BODY' });

    const { ['x-github-event']: _e, ...noEvent } = githubHeaders(PUSH);
    const missingEvent = await post('/webhooks/github', PUSH, noEvent);
    expect(missingEvent.status).toBe(400);
    expect(missingEvent.json()).toMatchObject({ code: 'MISSING_EVENT_HEADER' });

    const { ['x-github-delivery']: _d, ...noDelivery } = githubHeaders(PUSH);
    const missingDelivery = await post('/webhooks/github', PUSH, noDelivery);
    expect(missingDelivery.status).toBe(400);
    expect(missingDelivery.json()).toMatchObject({ code: 'MISSING_DELIVERY_ID' });
  });

  it('404: unknown provider and unknown source', async () => {
    const provider = await post('/webhooks/sourcehut', PUSH, githubHeaders(PUSH));
    expect(provider.status).toBe(404);
    expect(provider.json()).toMatchObject({ code: 'UNKNOWN_PROVIDER' });
    // The message lists the providers there are, whichever they are.
    expect(provider.json<{ message: string }>().message).toContain(
      'github, gitlab, gitea, bitbucket, azure-devops, bitbucket-server',
    );
    const source = await post('/webhooks/github/no-such-source', PUSH, githubHeaders(PUSH));
    expect(source.status).toBe(404);
    expect(source.json()).toMatchObject({ code: 'UNKNOWN_SOURCE' });
    // Segments no source can be named (too long, a NUL byte) are 404 too, never a 5xx.
    for (const segment of ['x'.repeat(5000), 'a%00b', 'Upper']) {
      const odd = await post(`/webhooks/github/${segment}`, PUSH, githubHeaders(PUSH));
      expect(odd.status).toBe(404);
      expect(odd.json()).toMatchObject({ code: 'UNKNOWN_SOURCE' });
    }
  });

  it('413: a body over the configured limit', async () => {
    const big = JSON.stringify({ filler: 'x'.repeat(1024 * 1024 + 10) });
    const response = await post('/webhooks/github', big, githubHeaders(big));
    expect(response.status).toBe(413);
    expect(response.json()).toMatchObject({ statusCode: 413, code: 'PAYLOAD_TOO_LARGE' });
  });

  it('415: content types other than JSON and form', async () => {
    const response = await post('/webhooks/github', PUSH, {
      ...githubHeaders(PUSH),
      'content-type': 'text/plain',
    });
    expect(response.status).toBe(415);
    expect(response.json()).toMatchObject({ statusCode: 415, code: 'UNSUPPORTED_MEDIA_TYPE' });
  });

  it('GitLab: X-Gitlab-Token, and Standard Webhooks signatures when present', async () => {
    const body = JSON.stringify({
      object_kind: 'push',
      project: { path_with_namespace: 'group/sub/app' },
    });
    const base = { 'content-type': 'application/json', 'x-gitlab-event': 'Push Hook' };
    const byToken = await post('/webhooks/gitlab', body, {
      ...base,
      'x-gitlab-token': GITLAB_TOKEN,
      'x-gitlab-event-uuid': randomUUID(),
    });
    expect(byToken.status).toBe(202);
    const wrongToken = await post('/webhooks/gitlab', body, {
      ...base,
      'x-gitlab-token': 'nope',
      'x-gitlab-event-uuid': randomUUID(),
    });
    expect(wrongToken.status).toBe(401);

    const id = `msg_${randomUUID()}`;
    const timestamp = String(Math.floor(Date.now() / 1000));
    const signature = standardWebhookSignature(SIGNING_KEY, id, timestamp, body);
    const signed = await post('/webhooks/gitlab', body, {
      ...base,
      'webhook-id': id,
      'webhook-timestamp': timestamp,
      'webhook-signature': `v1,bm90LXRoaXMtb25l ${signature}`,
    });
    expect(signed.status).toBe(202);
    const [row] = await t.dataSource.query<{ provider_delivery_id: string; repository: string }[]>(
      'SELECT provider_delivery_id, repository FROM deliveries WHERE id = $1',
      [signed.json().id],
    );
    expect(row).toEqual({ provider_delivery_id: id, repository: 'group/sub/app' });
    const stale = await post('/webhooks/gitlab', body, {
      ...base,
      'webhook-id': id,
      'webhook-timestamp': String(Number(timestamp) - 3600),
      'webhook-signature': `v1,${signature}`,
    });
    expect(stale.status).toBe(401);
  });

  it('Gitea and Bitbucket: their signatures, rotation, and empty Gitea signature = unsigned', async () => {
    const body = JSON.stringify({ ref: 'refs/heads/main', repository: { full_name: 'acme/web' } });
    const giteaSig = hmacHex(GITEA_SECRET, body);
    const gitea = await post('/webhooks/gitea', body, {
      'content-type': 'application/json',
      'x-gitea-event': 'push',
      'x-gitea-delivery': randomUUID(),
      'x-gitea-signature': giteaSig,
    });
    expect(gitea.status).toBe(202);
    const unsigned = await post('/webhooks/gitea', body, {
      'content-type': 'application/json',
      'x-gitea-event': 'push',
      'x-gitea-delivery': randomUUID(),
      'x-gitea-signature': '',
    });
    expect(unsigned.status).toBe(401);

    for (const secret of ['old-secret', BITBUCKET_SECRET]) {
      const bitbucket = await post('/webhooks/bitbucket', body, {
        'content-type': 'application/json',
        'x-event-key': 'repo:push',
        'x-request-uuid': randomUUID(),
        'x-hub-signature': hubSignature(body, secret),
      });
      expect(bitbucket.status).toBe(202);
    }
  });

  it('Azure DevOps: Basic credentials (rotation), event and delivery id from the body', async () => {
    const event = {
      subscriptionId: randomUUID(),
      notificationId: 1,
      id: randomUUID(),
      eventType: 'git.push',
      resource: {
        repository: { id: randomUUID(), name: 'web', project: { id: randomUUID(), name: 'Acme' } },
      },
      createdDate: new Date().toISOString(),
    };
    const body = JSON.stringify(event);
    const headers = (authorization?: string): Record<string, string> => ({
      'content-type': 'application/json; charset=utf-8',
      ...(authorization === undefined ? {} : { authorization }),
    });
    const accepted = await post(
      '/webhooks/azure-devops',
      body,
      headers(basicAuthorization(AZURE_USER, 'old-password')),
    );
    expect(accepted.status).toBe(202);
    const { id } = accepted.json<{ id: string }>();
    const again = await post(
      '/webhooks/azure-devops',
      body,
      headers(basicAuthorization(AZURE_USER, AZURE_PASSWORD)),
    );
    expect(again.status).toBe(200);
    expect(again.json()).toEqual({ id, status: 'duplicate' });
    const [row] = await t.dataSource.query<
      {
        provider_delivery_id: string;
        event: string;
        repository: string;
        headers: Record<string, string>;
      }[]
    >('SELECT provider_delivery_id, event, repository, headers FROM deliveries WHERE id = $1', [
      id,
    ]);
    expect(row).toMatchObject({
      provider_delivery_id: `${event.subscriptionId}:${event.id}`,
      event: 'git.push',
      repository: 'Acme/web',
    });
    expect(Object.keys(row.headers)).not.toContain('authorization');

    const rejected: Array<[string | undefined, string]> = [
      [undefined, 'missing_signature'],
      [basicAuthorization(AZURE_USER, 'wrong-password'), 'signature_mismatch'],
      [basicAuthorization('someone-else', AZURE_PASSWORD), 'signature_mismatch'],
      [`Bearer ${AZURE_PASSWORD}`, 'malformed_signature'],
    ];
    for (const [authorization, reason] of rejected) {
      const response = await post('/webhooks/azure-devops', body, headers(authorization));
      expect(response.status).toBe(401);
      expect(response.json()).toMatchObject({ code: 'INVALID_SIGNATURE', details: { reason } });
      expect(response.text).not.toContain(AZURE_PASSWORD);
    }
    const good = headers(basicAuthorization(AZURE_USER, AZURE_PASSWORD));
    const noEvent = await post(
      '/webhooks/azure-devops',
      JSON.stringify({ ...event, eventType: undefined }),
      good,
    );
    expect(noEvent.status).toBe(400);
    expect(noEvent.json()).toMatchObject({ code: 'MISSING_EVENT_HEADER' });
    const noId = await post(
      '/webhooks/azure-devops',
      JSON.stringify({ ...event, id: undefined }),
      good,
    );
    expect(noId.status).toBe(400);
    expect(noId.json()).toMatchObject({ code: 'MISSING_DELIVERY_ID' });
  });

  it('Bitbucket Data Center: X-Hub-Signature, X-Request-Id, X-Event-Key; a ping is stored and ignored', async () => {
    const body = JSON.stringify({ test: true });
    const signature = hubSignature(body, BITBUCKET_SERVER_SECRET);
    const headers = {
      'content-type': 'application/json; charset=UTF-8',
      'x-event-key': 'diagnostics:ping',
      'x-request-id': randomUUID(),
      'x-hub-signature': signature,
    };
    const ping = await post('/webhooks/bitbucket-server', body, headers);
    expect(ping.status).toBe(202);
    const { id } = ping.json<{ id: string }>();
    expect(await waitForStatus(id, 'ignored')).toBe('ignored');
    const again = await post('/webhooks/bitbucket-server', body, headers);
    expect(again.json()).toEqual({ id, status: 'duplicate' });

    const cases: Array<[Record<string, string>, number, string]> = [
      [{ ...headers, 'x-hub-signature': `sha256=${'0'.repeat(64)}` }, 401, 'INVALID_SIGNATURE'],
      [{ ...headers, 'x-hub-signature': '' }, 401, 'INVALID_SIGNATURE'],
      [{ ...headers, 'x-event-key': '' }, 400, 'MISSING_EVENT_HEADER'],
      [{ ...headers, 'x-request-id': '' }, 400, 'MISSING_DELIVERY_ID'],
    ];
    for (const [caseHeaders, status, code] of cases) {
      const response = await post('/webhooks/bitbucket-server', body, caseHeaders);
      expect({ status: response.status, code: response.json().code }).toEqual({ status, code });
    }
  });

  it('counts received, accepted, duplicate and rejected deliveries in /metrics', async () => {
    const metrics = await t.request('GET', '/metrics', { token: null });
    expect(metrics.text).toMatch(/hookyard_webhooks_received_total\{provider="github"\} \d+/);
    expect(metrics.text).toMatch(
      /hookyard_webhooks_answered_total\{provider="github",outcome="accepted",reason="accepted"\} \d+/,
    );
    expect(metrics.text).toMatch(
      /hookyard_webhooks_answered_total\{provider="github",outcome="duplicate",reason="duplicate"\} \d+/,
    );
    expect(metrics.text).toMatch(
      /hookyard_webhooks_answered_total\{provider="github",outcome="rejected",reason="INVALID_SIGNATURE"\} \d+/,
    );
    expect(metrics.text).toMatch(
      /hookyard_webhooks_answered_total\{provider="azure-devops",outcome="rejected",reason="INVALID_SIGNATURE"\} \d+/,
    );
    expect(metrics.text).toMatch(
      /hookyard_webhooks_answered_total\{provider="bitbucket-server",outcome="accepted",reason="accepted"\} \d+/,
    );
    expect(metrics.text).toContain('hookyard_webhook_answer_duration_seconds_bucket');
    expect(metrics.text).toMatch(/hookyard_outbox_lag_seconds \d/);
  });
});

describe('outbox recovery when Redis loses everything', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ OUTBOX_SWEEP_INTERVAL_MS: '300', OUTBOX_LOST_AFTER_MS: '1000' });
  });

  afterAll(async () => {
    await t.close();
  });

  it('processes every accepted delivery after Redis is emptied while they wait in the queue', async () => {
    const queue = t.app.get(JobsService).queue(QueueName.Deliveries);
    // Hold the workers so the deliveries are still waiting in Redis when it is wiped.
    await queue.pause();
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) {
      const response = await t.request('POST', '/webhooks/github', {
        body: PUSH,
        headers: githubHeaders(PUSH, 'push'),
        token: null,
      });
      expect(response.status).toBe(202);
      ids.push(response.json<{ id: string }>().id);
    }
    const countIn = async (status: string) =>
      Number(
        (
          await t.dataSource.query<{ n: string }[]>(
            'SELECT count(*) AS n FROM deliveries WHERE id = ANY($1::uuid[]) AND status = $2',
            [ids, status],
          )
        )[0].n,
      );
    await eventually(
      async () => ((await countIn('queued')) === ids.length ? true : undefined),
      15000,
      'relay',
    );
    expect(await queue.getWaitingCount()).toBeGreaterThanOrEqual(ids.length);
    const queuedAt = Object.fromEntries(
      (
        await t.dataSource.query<{ id: string; at: string }[]>(
          `SELECT id, to_json(queued_at) #>> '{}' AS at FROM deliveries WHERE id = ANY($1::uuid[])`,
          [ids],
        )
      ).map((row) => [row.id, row.at]),
    );

    // As FLUSHALL or a restart without persistence would: the jobs (and the pause) are gone.
    expect(await t.wipeRedis()).toBeGreaterThan(0);
    expect(await queue.getJob(ids[0])).toBeUndefined();

    await eventually(
      async () => ((await countIn('processed')) === ids.length ? true : undefined),
      30000,
      'all deliveries processed after the Redis wipe',
    );
    const attempts = await t.dataSource.query<{ attempts: number }[]>(
      'SELECT attempts FROM deliveries WHERE id = ANY($1::uuid[])',
      [ids],
    );
    expect(attempts.every((r) => r.attempts === 1)).toBe(true);
    // The sweep records its checks in checked_at and leaves queued_at as the relay set it.
    const [marks] = await t.dataSource.query<{ checked: number; unchanged: number }[]>(
      `SELECT count(*) FILTER (WHERE checked_at IS NOT NULL)::int AS checked,
              count(*) FILTER (WHERE queued_at = (q.at ->> id::text)::timestamptz)::int AS unchanged
       FROM deliveries, (SELECT $2::jsonb AS at) AS q WHERE id = ANY($1::uuid[])`,
      [ids, JSON.stringify(queuedAt)],
    );
    expect(marks).toEqual({ checked: ids.length, unchanged: ids.length });
  }, 60000);
});

describe('when PostgreSQL is unavailable', () => {
  const name = `hookyard_down_${Date.now().toString(36)}`;
  let admin: Client;
  let t: TestApp;

  beforeAll(async () => {
    admin = new Client({ connectionString: testEnv('serverUrl') });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    const url = new URL(testEnv('serverUrl'));
    url.pathname = `/${name}`;
    await runMigrations(url.toString(), MIGRATIONS);
    t = await startTestApp({ DATABASE_URL: url.toString(), ROLE: 'api' });
  });

  afterAll(async () => {
    await t.close();
    await admin.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS true`);
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  });

  it('answers 503 (never 2xx, never 4xx) and is not ready; accepts again once it is back', async () => {
    const send = () =>
      t.request('POST', '/webhooks/github', {
        body: PUSH,
        headers: githubHeaders(PUSH),
        token: null,
      });
    expect((await send()).status).toBe(202);

    await admin.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS false`);
    await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [
      name,
    ]);
    for (let i = 0; i < 3; i++) {
      const down = await send();
      expect(down.status).toBe(503);
      expect(down.json()).toMatchObject({ statusCode: 503, code: 'SERVICE_UNAVAILABLE' });
    }
    expect((await t.request('GET', '/health/ready', { token: null })).status).toBe(503);

    await admin.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS true`);
    const back = await eventually(
      async () => {
        const response = await send();
        return response.status === 202 ? response : undefined;
      },
      15000,
      'ingest to recover',
    );
    const [row] = await t.dataSource.query<{ n: string }[]>('SELECT count(*) AS n FROM deliveries');
    expect(Number(row.n)).toBe(2);
    expect(back.json()).toMatchObject({ status: 'accepted' });
  });
});
