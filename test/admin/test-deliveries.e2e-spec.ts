import { randomBytes, randomUUID } from 'node:crypto';
import { RollupRepository } from '../../src/modules/metrics/rollup.repository';
import { githubHeaders } from '../support/signing';
import { GITHUB_SECRET, startTestApp, TestApp } from '../support/test-app';

const SOURCES = '/api/v1/admin/sources';
const SIGNING_KEY = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const WAIT = 'wait=25';

interface TestDeliveryView {
  deliveryId: string;
  provider: string;
  source: string;
  webhookPath: string;
  event: string;
  webhook: { statusCode: number; status: string };
  status: string;
  final: boolean;
  attempts: number;
  lastError: string | null;
  records: {
    repository: { id: string; fullName: string };
    pushes: { id: string; ref: string; beforeSha: string; afterSha: string }[];
    commits: { sha: string; message: string }[];
  } | null;
}

interface ErrorBody {
  statusCode: number;
  code: string;
  message: string;
  details?: { reason?: string; retryAfterSeconds?: number };
}

/** Each provider's sample: its event name and the full name of the sample repository. */
const EXPECTED: Record<string, { event: string; fullName: string; commits: number }> = {
  github: { event: 'push', fullName: 'hookyard/test-delivery', commits: 1 },
  gitlab: { event: 'Push Hook', fullName: 'hookyard/test-delivery', commits: 1 },
  gitea: { event: 'push', fullName: 'hookyard/test-delivery', commits: 1 },
  bitbucket: { event: 'repo:push', fullName: 'hookyard/test-delivery', commits: 1 },
  'azure-devops': { event: 'git.push', fullName: 'hookyard/test-delivery', commits: 1 },
  // Bitbucket Data Center names PROJECT/slug and lists no commits in a push.
  'bitbucket-server': {
    event: 'repo:refs_changed',
    fullName: 'HOOKYARD/test-delivery',
    commits: 0,
  },
};

const newSlug = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;

describe('test deliveries (real HTTP, PostgreSQL, Redis, worker)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({
      GITLAB_WEBHOOK_SIGNING_TOKEN: SIGNING_KEY,
      GITEA_WEBHOOK_SECRET: `gitea-${randomUUID()}`,
      BITBUCKET_WEBHOOK_SECRET: `bitbucket-${randomUUID()}`,
      BITBUCKET_SERVER_WEBHOOK_SECRET: `dc-${randomUUID()}`,
      AZURE_DEVOPS_WEBHOOK_USERNAME: 'hookyard',
      AZURE_DEVOPS_WEBHOOK_PASSWORD: `first-${randomUUID()},second-${randomUUID()}`,
    });
  });

  afterAll(async () => {
    await t.close();
  });

  const createSource = async (body: Record<string, unknown>): Promise<{ id: string }> => {
    const response = await t.request('POST', SOURCES, { json: body });
    expect(response.status).toBe(201);
    return response.json<{ id: string }>();
  };

  const deliveryRow = async (id: string) =>
    (
      await t.dataSource.query<{ source: string; test: boolean; status: string }[]>(
        'SELECT source, test, status FROM deliveries WHERE id = $1',
        [id],
      )
    )[0];

  /** A processed test delivery: the answer, its row, and the records it names, really written. */
  const expectProcessed = async (view: TestDeliveryView, provider: string, source: string) => {
    const expected = EXPECTED[provider];
    expect(view).toMatchObject({
      provider,
      source,
      event: expected.event,
      webhook: { statusCode: 202, status: 'accepted' },
      status: 'processed',
      final: true,
      attempts: 1,
      lastError: null,
    });
    expect(await deliveryRow(view.deliveryId)).toEqual({ source, test: true, status: 'processed' });
    const listed = await t.request('GET', `/api/v1/admin/deliveries/${view.deliveryId}`);
    expect(listed.json<{ test: boolean }>().test).toBe(true);
    const records = view.records;
    if (records === null) throw new Error('a processed test delivery names its records');
    expect(records.repository.fullName).toBe(expected.fullName);
    expect(records.pushes).toHaveLength(1);
    expect(records.pushes[0].ref).toBe('refs/heads/hookyard-test-delivery');
    expect(records.pushes[0].afterSha).toMatch(/^[0-9a-f]{40}$/);
    expect(records.commits).toHaveLength(expected.commits);
    if (expected.commits > 0) {
      expect(records.commits[0].sha).toBe(records.pushes[0].afterSha);
      expect(records.commits[0].message).toContain('Hookyard test delivery');
    }
    const [stored] = await t.dataSource.query<{ n: string }[]>(
      `SELECT count(*) AS n FROM pushes p JOIN repositories r ON r.id = p.repository_id
       WHERE r.provider = $1 AND r.external_id = 'hookyard-test-delivery' AND p.after_sha = $2`,
      [provider, records.pushes[0].afterSha],
    );
    expect(Number(stored.n)).toBe(1);
  };

  it.each(Object.keys(EXPECTED))(
    'the default %s source: a signed sample push goes all the way through, marked as a test',
    async (provider) => {
      const response = await t.request('POST', `${SOURCES}/default/${provider}/test?${WAIT}`);
      expect(response.status).toBe(200);
      const view = response.json<TestDeliveryView>();
      expect(view.webhookPath).toBe(`/webhooks/${provider}`);
      await expectProcessed(view, provider, 'default');
    },
  );

  it('named sources: signed with their own first secret (HMAC rotation, GitLab token, Azure credentials)', async () => {
    const cases = [
      { provider: 'github', secrets: [`first-${randomUUID()}`, `second-${randomUUID()}`] },
      { provider: 'gitlab', secrets: [`token-${randomUUID()}`] },
      { provider: 'azure-devops', secrets: [`builds:${randomUUID()}`] },
      { provider: 'bitbucket', secrets: [`bb-${randomUUID()}`] },
    ];
    const paths: string[] = [];
    for (const { provider, secrets } of cases) {
      const slug = newSlug('tested');
      const source = await createSource({ provider, slug, secrets });
      paths.push(`${SOURCES}/${source.id}/test`);
      const response = await t.request('POST', `${SOURCES}/${source.id}/test?${WAIT}`);
      expect(response.status).toBe(200);
      const view = response.json<TestDeliveryView>();
      expect(view.webhookPath).toBe(`/webhooks/${provider}/${slug}`);
      await expectProcessed(view, provider, slug);
    }
    const audited = await t.dataSource.query<{ status_code: number }[]>(
      `SELECT status_code FROM audit_log WHERE method = 'POST' AND path = ANY($1)`,
      [paths],
    );
    expect(audited.length).toBe(cases.length);
    expect(audited.every((a) => a.status_code === 200)).toBe(true);
  });

  it('answers 409 with the reason when the source has no secret or is disabled, 404 for unknown ones', async () => {
    const bare = await createSource({ provider: 'bitbucket-server', slug: newSlug('bare') });
    const noSecret = await t.request('POST', `${SOURCES}/${bare.id}/test`);
    expect(noSecret.status).toBe(409);
    const error = noSecret.json<ErrorBody>();
    expect(error.code).toBe('CONFLICT');
    expect(error.details?.reason).toBe('no_secret_configured');
    expect(error.message).toContain('no webhook secret');

    const gitlab = await createSource({ provider: 'gitlab', slug: newSlug('bare') });
    const noToken = await t.request('POST', `${SOURCES}/${gitlab.id}/test`);
    expect(noToken.status).toBe(409);
    expect(noToken.json<ErrorBody>().message).toContain('neither a webhook token');

    const disabled = await createSource({
      provider: 'github',
      slug: newSlug('off'),
      secrets: [`off-${randomUUID()}`],
      enabled: false,
    });
    const off = await t.request('POST', `${SOURCES}/${disabled.id}/test`);
    expect(off.status).toBe(409);
    expect(off.json<ErrorBody>().details?.reason).toBe('source_disabled');

    const unknown = await t.request('POST', `${SOURCES}/${randomUUID()}/test`);
    expect(unknown.status).toBe(404);
    const provider = await t.request('POST', `${SOURCES}/default/forgejo/test`);
    expect(provider.status).toBe(404);
    expect(provider.json<ErrorBody>().code).toBe('UNKNOWN_PROVIDER');
    expect((await t.request('POST', `${SOURCES}/not-a-uuid/test`)).status).toBe(400);
    for (const wait of ['31', '-1', 'soon', '1.5']) {
      const response = await t.request('POST', `${SOURCES}/default/github/test?wait=${wait}`);
      expect(response.status).toBe(400);
    }
    const anonymous = await t.request('POST', `${SOURCES}/default/github/test`, { token: null });
    expect(anonymous.status).toBe(401);
    // None of the refusals stored anything for those sources.
    const [stored] = await t.dataSource.query<{ n: string }[]>(
      'SELECT count(*) AS n FROM deliveries WHERE source LIKE $1 OR source LIKE $2',
      ['bare-%', 'off-%'],
    );
    expect(Number(stored.n)).toBe(0);
  });

  it('without waiting it answers 202 with the stored delivery, which is processed afterwards', async () => {
    const response = await t.request('POST', `${SOURCES}/default/github/test?wait=0`);
    expect(response.status).toBe(202);
    const view = response.json<TestDeliveryView>();
    expect(view.final).toBe(false);
    expect(view.records).toBeNull();
    expect(['received', 'queued', 'processing']).toContain(view.status);
    const deadline = Date.now() + 20000;
    while ((await deliveryRow(view.deliveryId))?.status !== 'processed') {
      if (Date.now() > deadline) throw new Error('the test delivery was never processed');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });

  it("goes through the source's repository filter and rate ceiling like any delivery", async () => {
    const filtered = await createSource({
      provider: 'github',
      slug: newSlug('filtered'),
      secrets: [`filter-${randomUUID()}`],
      repositoryFilter: ['acme/*'],
    });
    const ignored = await t.request('POST', `${SOURCES}/${filtered.id}/test?${WAIT}`);
    expect(ignored.status).toBe(200);
    expect(ignored.json<TestDeliveryView>()).toMatchObject({
      status: 'ignored',
      final: true,
      records: null,
    });

    const limited = await createSource({
      provider: 'gitea',
      slug: newSlug('limited'),
      secrets: [`limit-${randomUUID()}`],
      rateLimitPerMinute: 1,
    });
    expect((await t.request('POST', `${SOURCES}/${limited.id}/test?${WAIT}`)).status).toBe(200);
    const refused = await t.request('POST', `${SOURCES}/${limited.id}/test`);
    expect(refused.status).toBe(429);
    const error = refused.json<ErrorBody>();
    expect(error.code).toBe('TOO_MANY_REQUESTS');
    expect(error.details?.retryAfterSeconds).toBeGreaterThanOrEqual(1);
  });

  it('the test mark cannot be forged: a real delivery carrying the header is not a test delivery', async () => {
    const first = await t.request('POST', `${SOURCES}/default/github/test?${WAIT}`);
    const view = first.json<TestDeliveryView>();
    expect(view.status).toBe('processed');
    for (const mark of [randomBytes(32).toString('hex'), '', 'true', '1']) {
      const body = JSON.stringify({
        ref: 'refs/heads/main',
        before: randomBytes(20).toString('hex'),
        after: randomBytes(20).toString('hex'),
        repository: { id: 9911, full_name: 'acme/real', name: 'real', pushed_at: 1760000000 },
        commits: [],
      });
      const response = await t.request('POST', '/webhooks/github', {
        body,
        token: null,
        headers: {
          ...githubHeaders(body, 'push', randomUUID(), GITHUB_SECRET),
          'x-hookyard-test-delivery': mark,
        },
      });
      expect(response.status).toBe(202);
      const { id } = response.json<{ id: string }>();
      expect((await deliveryRow(id))?.test).toBe(false);
    }
  });

  it('metrics ignore test deliveries: the rollups find nothing to count in the sample repositories', async () => {
    await t.request('POST', `${SOURCES}/default/gitea/test?${WAIT}`);
    const samples = await t.dataSource.query<{ id: string }[]>(
      `SELECT id FROM repositories WHERE external_id = 'hookyard-test-delivery'`,
    );
    expect(samples.length).toBeGreaterThanOrEqual(1);
    const rollups = t.app.get(RollupRepository);
    for (const { id } of samples) {
      const outcome = await rollups.refresh(id, true);
      expect(outcome).toMatchObject({ deployments: 0, changes: 0, pullRequests: 0 });
      const [counted] = await t.dataSource.query<{ n: string }[]>(
        `SELECT (SELECT count(*) FROM metric_deployments WHERE repository_id = $1)
              + (SELECT count(*) FROM metric_changes WHERE repository_id = $1)
              + (SELECT count(*) FROM metric_pull_requests WHERE repository_id = $1) AS n`,
        [id],
      );
      expect(Number(counted.n)).toBe(0);
    }
  });
});
