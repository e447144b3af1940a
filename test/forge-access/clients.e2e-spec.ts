import { randomUUID } from 'node:crypto';
import { ForgeOriginRefusedError, ForgeRequestError } from '../../src/modules/forges/forge-errors';
import { markerOf } from '../../src/modules/forges/feedback/feedback.service';
import { FakeForge } from '../support/fake-forge/fake-forge';
import {
  accessOf,
  FORGE_TOKEN,
  forgeEnv,
  ForgeTestApp,
  insertRepository,
  startForgeTestApp,
} from '../support/fake-forge/forge-test-app';

const SHA = 'b'.repeat(40);

async function metric(app: ForgeTestApp, name: string, labels: string): Promise<number> {
  const text = (await app.t.request('GET', '/metrics', { token: null })).text;
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(labels));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

describe('forge clients through the real SDKs against the fake forge', () => {
  let fake: FakeForge;
  let app: ForgeTestApp;
  const repo = `acme/widgets-${randomUUID().slice(0, 8)}`;
  let repositoryId = '';

  beforeAll(async () => {
    fake = await new FakeForge().start();
    fake.tokens.set(FORGE_TOKEN, 'hookyard-bot');
    fake.tokens.set('someone-else-token', 'someone-else');
    app = await startForgeTestApp(
      forgeEnv(fake, {
        GITHUB_TOKEN: FORGE_TOKEN,
        GITLAB_API_TOKEN: FORGE_TOKEN,
        GITEA_API_TOKEN: FORGE_TOKEN,
        BITBUCKET_API_TOKEN: FORGE_TOKEN,
        FORGE_REQUEST_TIMEOUT_MS: '800',
      }),
    );
    repositoryId = await insertRepository(app.t, 'github', repo);
  });

  afterAll(async () => {
    await app?.t.close();
    await fake?.close();
  });

  beforeEach(() => {
    fake.requests.length = 0;
  });

  it('describes a repository: endpoints, API access, feedback', async () => {
    const access = await accessOf(app.forges, repositoryId);
    expect(access).toMatchObject({
      provider: 'github',
      source: 'default',
      repository: { fullName: repo },
      endpoints: { webUrl: fake.url, apiUrl: `${fake.url}/api/v3` },
      api: { status: 'available' },
      feedback: ['comment', 'status'],
    });
  });

  it('keeps one sticky comment under 20 parallel updates, edited in place', async () => {
    const access = await accessOf(app.forges, repositoryId);
    // Someone else's comment quoting the marker is not Hookyard's.
    fake.commentsOn('github', repo, 7).push({
      id: fake.nextIdentifier(),
      body: `${markerOf('ci')}\nquoted by a human`,
      login: 'someone-else',
      createdAt: '2026-01-01T00:00:00Z',
      updatedAt: '2026-01-01T00:00:00Z',
    });
    const bodies = Array.from({ length: 20 }, (_, i) => `CI analysis, version ${i}`);
    const outcomes = await Promise.all(
      bodies.map((body) => app.feedback.upsertStickyComment(access, 7, 'ci', body)),
    );
    const mine = fake.commentsOn('github', repo, 7).filter((c) => c.login === 'hookyard-bot');
    expect(mine).toHaveLength(1);
    expect(outcomes.filter((o) => o.status === 'created')).toHaveLength(1);
    expect(outcomes.filter((o) => o.status === 'updated')).toHaveLength(19);
    expect(mine[0]?.body.startsWith(`${markerOf('ci')}\n`)).toBe(true);
    expect(bodies.map((b) => `${markerOf('ci')}\n${b}`)).toContain(mine[0]?.body);
    // Same content again: nothing is written.
    const writesBefore = fake.requests.filter((r) => r.method !== 'GET').length;
    const same = await app.feedback.upsertStickyComment(
      access,
      7,
      'ci',
      mine[0]?.body.slice(markerOf('ci').length + 1) ?? '',
    );
    expect(same.status).toBe('unchanged');
    expect(fake.requests.filter((r) => r.method !== 'GET').length).toBe(writesBefore);
    // Another purpose is another comment.
    await app.feedback.upsertStickyComment(access, 7, 'coverage', 'coverage 81%');
    expect(
      fake.commentsOn('github', repo, 7).filter((c) => c.login === 'hookyard-bot'),
    ).toHaveLength(2);
  });

  it('does not post twice after a POST that timed out but succeeded', async () => {
    const access = await accessOf(app.forges, repositoryId);
    fake.inject({ method: 'POST', path: /\/issues\/11\/comments$/, delayMs: 1500, times: 1 });
    await expect(
      app.feedback.upsertStickyComment(access, 11, 'ci', 'first try'),
    ).rejects.toBeInstanceOf(ForgeRequestError);
    // The forge stored it although the answer never came; the POST was not repeated.
    expect(fake.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
    expect(fake.commentsOn('github', repo, 11)).toHaveLength(1);
    const again = await app.feedback.upsertStickyComment(access, 11, 'ci', 'second try');
    expect(again.status).toBe('updated');
    expect(fake.commentsOn('github', repo, 11)).toHaveLength(1);
    expect(fake.commentsOn('github', repo, 11)[0]?.body).toBe(`${markerOf('ci')}\nsecond try`);
  });

  it('masks secrets before posting', async () => {
    const access = await accessOf(app.forges, repositoryId);
    const leaked = 'ghp_' + 'A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8';
    await app.feedback.upsertStickyComment(
      access,
      12,
      'ci',
      `step failed\nexport GITHUB_TOKEN=${leaked}\nauth with ${FORGE_TOKEN}\npassword: hunter2hunter2`,
    );
    const body = fake.commentsOn('github', repo, 12)[0]?.body ?? '';
    expect(body).toContain('step failed');
    expect(body).not.toContain(leaked);
    expect(body).not.toContain(FORGE_TOKEN);
    expect(body).not.toContain('hunter2hunter2');
  });

  it('sets commit statuses with a stable context within the forge limits', async () => {
    const access = await accessOf(app.forges, repositoryId);
    const outcome = await app.feedback.setCommitStatus(access, {
      sha: SHA,
      purpose: 'ci-analysis',
      state: 'failure',
      description: 'x'.repeat(500),
      targetUrl: 'https://hookyard.example.com/analysis/1',
    });
    expect(outcome).toEqual({ status: 'set' });
    const status = fake.statuses.find((s) => s.forge === 'github' && s.repo === repo);
    expect(status).toMatchObject({
      sha: SHA,
      state: 'failure',
      context: 'hookyard/ci-analysis',
      targetUrl: 'https://hookyard.example.com/analysis/1',
    });
    expect([...(status?.description ?? '')].length).toBe(140);
  });

  it('feedback and statuses on GitLab, Gitea and Bitbucket', async () => {
    const gitlabId = await insertRepository(app.t, 'gitlab', `group/sub/${repo}`, '4711');
    const giteaId = await insertRepository(app.t, 'gitea', repo);
    const bitbucketId = await insertRepository(app.t, 'bitbucket', repo);
    for (const [id, forge, key] of [
      [gitlabId, 'gitlab', '4711'],
      [giteaId, 'gitea', repo],
      [bitbucketId, 'bitbucket', repo],
    ] as const) {
      const access = await accessOf(app.forges, id);
      const results = await Promise.all(
        [1, 2, 3, 4, 5].map((i) => app.feedback.upsertStickyComment(access, 3, 'ci', `v${i}`)),
      );
      expect(results.filter((r) => r.status === 'created')).toHaveLength(1);
      expect(fake.commentsOn(forge, key, 3)).toHaveLength(1);
      await app.feedback.setCommitStatus(access, {
        sha: SHA,
        purpose: 'a-rather-long-purpose-name-for-limits',
        state: 'success',
        description: 'all good',
      });
      const status = fake.statuses.filter((s) => s.forge === forge).at(-1);
      expect(status?.context.startsWith('hookyard/a-rather')).toBe(true);
      expect(status?.state).toBe(forge === 'bitbucket' ? 'SUCCESSFUL' : 'success');
      if (forge === 'bitbucket') expect(status?.context.length).toBeLessThanOrEqual(40);
    }
  });

  it('fetches CI job logs: GitHub through its documented redirect, GitLab trace', async () => {
    fake.jobLogs.set('901', '2026-01-01T00:00:00Z ##[error]Process completed with exit code 1.');
    const github = await accessOf(app.forges, repositoryId);
    expect(await github.client().fetchJobLog(github.repository, '901')).toContain('exit code 1');
    const gitlabId = await insertRepository(app.t, 'gitlab', `g/${randomUUID()}`, '4712');
    const gitlab = await accessOf(app.forges, gitlabId);
    expect(await gitlab.client().fetchJobLog(gitlab.repository, '901')).toContain('exit code 1');
    expect(fake.requests.map((r) => r.path)).toContain('/api/v4/projects/4712/jobs/901/trace');
  });

  it('refuses a log redirect to a host the source is not configured for', async () => {
    const access = await accessOf(app.forges, repositoryId);
    fake.jobLogs.set('902', 'secret log');
    const before = await metric(app, 'hookyard_forge_refused_urls_total', 'reason="origin"');
    for (const target of [
      'http://169.254.169.254/latest/meta-data/iam',
      'http://localhost:6379/',
      'https://evil.example.com/steal',
    ]) {
      fake.logRedirect = () => target;
      await expect(access.client().fetchJobLog(access.repository, '902')).rejects.toBeInstanceOf(
        ForgeOriginRefusedError,
      );
    }
    fake.logRedirect = () => 'file:///etc/passwd';
    await expect(access.client().fetchJobLog(access.repository, '902')).rejects.toMatchObject({
      reason: 'scheme',
    });
    fake.logRedirect = undefined;
    expect(
      await metric(app, 'hookyard_forge_refused_urls_total', 'reason="origin"'),
    ).toBeGreaterThanOrEqual(before + 3);
  });

  it('refuses payload URLs whose origin is not configured for the source', async () => {
    const access = await accessOf(app.forges, repositoryId);
    const port = new URL(fake.url).port;
    expect(access.assertAllowedOrigin(`${fake.url}/acme/widgets.git`).href).toBe(
      `${fake.url}/acme/widgets.git`,
    );
    const hostile: Array<[string, string]> = [
      ['http://169.254.169.254/latest/meta-data/', 'origin'],
      ['http://10.0.0.1/', 'origin'],
      [`http://localhost:${port}/acme/widgets.git`, 'origin'],
      [`http://[::1]:${port}/`, 'origin'],
      [`http://127.0.0.1:${Number(port) + 1}/`, 'origin'],
      [`https://127.0.0.1:${port}/`, 'origin'],
      ['https://github.com.evil.example/acme/widgets.git', 'origin'],
      [`http://token:x@127.0.0.1:${port}/acme/widgets.git`, 'userinfo'],
      ['file:///etc/passwd', 'scheme'],
      ['gopher://127.0.0.1:6379/_FLUSHALL', 'scheme'],
      ['javascript:alert(1)', 'scheme'],
      ['not a url', 'unparsable'],
    ];
    for (const [url, reason] of hostile) {
      let refused: unknown;
      try {
        access.assertAllowedOrigin(url);
      } catch (error) {
        refused = error;
      }
      expect(refused).toBeInstanceOf(ForgeOriginRefusedError);
      expect((refused as ForgeOriginRefusedError).reason).toBe(reason);
    }
    expect(
      await metric(app, 'hookyard_forge_refused_urls_total', 'reason="scheme"'),
    ).toBeGreaterThanOrEqual(2);
  });

  it('waits out a 429 with Retry-After and a secondary rate limit, then succeeds', async () => {
    const access = await accessOf(app.forges, repositoryId);
    const before = await metric(app, 'hookyard_forge_throttled_waits_total', 'forge="github"');
    fake.inject({
      method: 'GET',
      path: /\/issues\/21\/comments$/,
      status: 429,
      headers: { 'retry-after': '1' },
      body: { message: 'API rate limit exceeded' },
      times: 1,
    });
    fake.inject({
      method: 'GET',
      path: /\/issues\/21\/comments$/,
      status: 403,
      headers: { 'retry-after': '1' },
      body: { message: 'You have exceeded a secondary rate limit. Please wait a few minutes.' },
      times: 1,
    });
    const started = Date.now();
    await expect(access.client().listComments(access.repository, 21)).resolves.toEqual([]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(fake.requests.filter((r) => r.path.endsWith('/issues/21/comments'))).toHaveLength(3);
    expect(
      await metric(app, 'hookyard_forge_throttled_waits_total', 'forge="github"'),
    ).toBeGreaterThan(before);
  });

  it('waits for an exhausted quota (X-RateLimit-Remaining: 0) and reports it', async () => {
    const access = await accessOf(app.forges, repositoryId);
    fake.inject({
      method: 'GET',
      path: /\/issues\/22\/comments$/,
      status: 403,
      headers: {
        'x-ratelimit-remaining': '0',
        'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 1),
      },
      body: { message: 'API rate limit exceeded for user.' },
      times: 1,
    });
    await expect(access.client().listComments(access.repository, 22)).resolves.toEqual([]);
    expect(fake.requests.filter((r) => r.path.endsWith('/issues/22/comments'))).toHaveLength(2);
    expect(await metric(app, 'hookyard_forge_rate_limit_remaining', 'forge="github"')).toBe(
      fake.rateLimit.remaining,
    );
  });

  it('retries 5xx with backoff, and never a 4xx that cannot change', async () => {
    const access = await accessOf(app.forges, repositoryId);
    fake.inject({ method: 'GET', path: /\/issues\/31\/comments$/, status: 502, times: 2 });
    await expect(access.client().listComments(access.repository, 31)).resolves.toEqual([]);
    expect(fake.requests.filter((r) => r.path.endsWith('/issues/31/comments'))).toHaveLength(3);

    fake.inject({
      method: 'POST',
      path: /\/statuses\//,
      status: 422,
      body: { message: 'Validation Failed' },
      times: 1,
    });
    await expect(
      access.client().setCommitStatus(access.repository, {
        sha: SHA,
        state: 'success',
        context: 'hookyard/x',
        description: 'd',
      }),
    ).rejects.toMatchObject({ status: 422 });
    expect(fake.requests.filter((r) => r.path.includes('/statuses/'))).toHaveLength(1);

    // GitLab: the policy itself retries (gitbeaker's requests go through it).
    const gitlabId = await insertRepository(app.t, 'gitlab', `g/${randomUUID()}`, '4713');
    const gitlab = await accessOf(app.forges, gitlabId);
    fake.inject({ method: 'GET', path: /\/merge_requests\/5\/notes$/, status: 503, times: 2 });
    await expect(gitlab.client().listComments(gitlab.repository, 5)).resolves.toEqual([]);
    expect(fake.requests.filter((r) => r.path.endsWith('/merge_requests/5/notes'))).toHaveLength(3);
    fake.inject({ method: 'GET', path: /\/merge_requests\/6\/notes$/, status: 404, times: 1 });
    await expect(gitlab.client().listComments(gitlab.repository, 6)).rejects.toThrow();
    expect(fake.requests.filter((r) => r.path.endsWith('/merge_requests/6/notes'))).toHaveLength(1);
    expect(await metric(app, 'hookyard_forge_errors_total', 'kind="server"')).toBeGreaterThan(0);
  });

  it('times out a slow answer and retries an idempotent call', async () => {
    const access = await accessOf(app.forges, repositoryId);
    const gitea = await accessOf(
      app.forges,
      await insertRepository(app.t, 'gitea', `o/${randomUUID()}`),
    );
    fake.inject({ method: 'GET', path: /\/issues\/41\/comments$/, delayMs: 1500, times: 1 });
    await expect(gitea.client().listComments(gitea.repository, 41)).resolves.toEqual([]);
    expect(fake.requests.filter((r) => r.path.endsWith('/issues/41/comments'))).toHaveLength(2);
    expect(await metric(app, 'hookyard_forge_requests_total', 'status="timeout"')).toBeGreaterThan(
      0,
    );
    expect(access.api.status).toBe('available');
  });

  it('lists pull requests for a commit', async () => {
    fake.pullsByCommit.set(`${repo}@${SHA}`, [7, 8]);
    const access = await accessOf(app.forges, repositoryId);
    const prs = await access.client().pullRequestsForCommit(access.repository, SHA);
    expect(prs.map((p) => p.number)).toEqual([7, 8]);
  });
});

describe('forge access without credentials, and feedback switches', () => {
  let fake: FakeForge;
  let app: ForgeTestApp;

  beforeAll(async () => {
    fake = await new FakeForge().start();
    fake.tokens.set(FORGE_TOKEN, 'hookyard-bot');
    app = await startForgeTestApp(
      forgeEnv(fake, { GITLAB_API_TOKEN: FORGE_TOKEN, FEEDBACK: 'status' }),
    );
  });

  afterAll(async () => {
    await app?.t.close();
    await fake?.close();
  });

  it('says "no API credentials for this source" instead of failing', async () => {
    const id = await insertRepository(app.t, 'github', `acme/${randomUUID()}`);
    const access = await accessOf(app.forges, id);
    expect(access.api).toEqual({
      status: 'no_credentials',
      message: 'no API credentials for this source',
    });
    await expect(app.feedback.upsertStickyComment(access, 1, 'ci', 'x')).resolves.toEqual({
      status: 'no_credentials',
      message: 'no API credentials for this source',
    });
    expect(() => access.client()).toThrow('no API credentials for this source');
    // GitLab has a token here, so the scheduled reconciliation may list GitLab hooks meanwhile;
    // nothing may have gone to GitHub's API, which has none.
    expect(fake.requests.filter((r) => r.path.startsWith('/api/v3/'))).toHaveLength(0);
  });

  it('FEEDBACK=status switches comments off, and a repository can switch statuses off', async () => {
    const id = await insertRepository(app.t, 'gitlab', `g/${randomUUID()}`, '5001');
    const access = await accessOf(app.forges, id);
    expect(access.feedback).toEqual(['status']);
    expect((await app.feedback.upsertStickyComment(access, 1, 'ci', 'x')).status).toBe('disabled');
    expect(
      (
        await app.feedback.setCommitStatus(access, {
          sha: SHA,
          purpose: 'ci',
          state: 'pending',
          description: 'running',
        })
      ).status,
    ).toBe('set');

    const off = await app.t.request('PUT', `/api/v1/admin/repositories/${id}/feedback`, {
      json: { feedback: [] },
    });
    expect(off.status).toBe(200);
    expect(off.json()).toMatchObject({ feedback: [], api: 'available', source: 'default' });
    const after = await accessOf(app.forges, id);
    expect(
      (
        await app.feedback.setCommitStatus(after, {
          sha: SHA,
          purpose: 'ci',
          state: 'pending',
          description: 'running',
        })
      ).status,
    ).toBe('disabled');
    const bad = await app.t.request('PUT', `/api/v1/admin/repositories/${id}/feedback`, {
      json: { feedback: ['emails'] },
    });
    expect(bad.status).toBe(400);
  });
});
