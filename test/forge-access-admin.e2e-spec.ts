import { randomUUID } from 'node:crypto';
import { FakeForge } from './support/fake-forge/fake-forge';
import {
  accessOf,
  forgeEnv,
  ForgeTestApp,
  startForgeTestApp,
} from './support/fake-forge/forge-test-app';
import { eventually, githubHeaders } from './support/test-app';

const NAMED_TOKEN = 'named-source-api-token-0123456789';
const SOURCE_SECRET = 'named-source-webhook-secret';

describe('named sources: API access through the admin API, sealed and never returned', () => {
  let fake: FakeForge;
  let app: ForgeTestApp;
  const slug = `platform-${randomUUID().slice(0, 8)}`;
  let sourceId = '';

  beforeAll(async () => {
    fake = await new FakeForge().start();
    fake.tokens.set(NAMED_TOKEN, 'platform-bot');
    app = await startForgeTestApp(forgeEnv(fake));
    const created = await app.t.request('POST', '/api/v1/admin/sources', {
      json: { provider: 'github', slug, secrets: [SOURCE_SECRET] },
    });
    expect(created.status).toBe(201);
    sourceId = created.json<{ id: string }>().id;
  });

  afterAll(async () => {
    await app?.t.close();
    await fake?.close();
  });

  it('stores the token encrypted, never answers it, and redacts it in the audit log', async () => {
    const set = await app.t.request('PUT', `/api/v1/admin/sources/${sourceId}/forge-access`, {
      json: {
        webUrl: fake.url,
        apiUrl: `${fake.url}/api/v3`,
        apiToken: NAMED_TOKEN,
        feedback: ['comment'],
      },
    });
    expect(set.status).toBe(200);
    expect(set.json()).toMatchObject({
      sourceId,
      provider: 'github',
      slug,
      webUrl: fake.url,
      apiUrl: `${fake.url}/api/v3`,
      credentials: 'token',
      apiAvailable: true,
      feedback: ['comment'],
    });
    expect(set.text).not.toContain(NAMED_TOKEN);
    const get = await app.t.request('GET', `/api/v1/admin/sources/${sourceId}/forge-access`);
    expect(get.text).not.toContain(NAMED_TOKEN);
    const [row] = await app.t.dataSource.query<{ credentials: unknown }[]>(
      'SELECT credentials FROM forge_access WHERE source_id = $1',
      [sourceId],
    );
    expect(JSON.stringify(row?.credentials)).not.toContain(NAMED_TOKEN);
    expect(JSON.stringify(row?.credentials)).toMatch(/"token":"v1:/);
    const audit = await app.t.request('GET', '/api/v1/admin/audit?limit=200');
    expect(audit.text).toContain('forge-access');
    expect(audit.text).not.toContain(NAMED_TOKEN);
  });

  it("uses the named source's endpoints and token for its repositories", async () => {
    const repo = `platform/${randomUUID().slice(0, 8)}`;
    const body = JSON.stringify({
      zen: 'Keep it logically awesome.',
      hook_id: 1,
      repository: {
        id: 4242001,
        full_name: repo,
        name: repo.split('/')[1],
        owner: { login: 'platform' },
      },
    });
    const delivered = await app.t.request('POST', `/webhooks/github/${slug}`, {
      body,
      headers: githubHeaders(body, 'ping', randomUUID(), SOURCE_SECRET),
      token: null,
    });
    expect(delivered.status).toBe(202);
    await app.t.dataSource.query(
      `INSERT INTO repositories (provider, external_id, full_name, name)
       VALUES ('github', '4242001', $1, 'x') ON CONFLICT DO NOTHING`,
      [repo],
    );
    const [{ id }] = await app.t.dataSource.query<{ id: string }[]>(
      `SELECT id FROM repositories WHERE provider = 'github' AND full_name = $1`,
      [repo],
    );
    const access = await eventually(async () => {
      const a = await accessOf(app.forges, id);
      return a.source === slug ? a : undefined;
    });
    expect(access.endpoints.apiUrl).toBe(`${fake.url}/api/v3`);
    expect(access.feedback).toEqual(['comment']);
    const outcome = await app.feedback.upsertStickyComment(access, 2, 'ci', 'from a named source');
    expect(outcome.status).toBe('created');
    expect(fake.commentsOn('github', repo, 2)[0]?.login).toBe('platform-bot');
    expect(fake.requests.every((r) => r.authorization === `token ${NAMED_TOKEN}`)).toBe(true);
    // Status feedback is switched off for this source.
    expect(
      (
        await app.feedback.setCommitStatus(access, {
          sha: 'a'.repeat(40),
          purpose: 'ci',
          state: 'success',
          description: 'ok',
        })
      ).status,
    ).toBe('disabled');
  });

  it('refuses bad input with 4xx and forgets credentials on request', async () => {
    const url = `/api/v1/admin/sources/${sourceId}/forge-access`;
    for (const json of [
      { webUrl: 'gopher://127.0.0.1:70/' },
      { webUrl: 'file:///etc/passwd' },
      { apiToken: 'short' },
      { appId: '12' },
      { appId: 'x', appPrivateKey: 'nope' },
      { feedback: ['email'] },
      { unknown: true },
    ]) {
      const response = await app.t.request('PUT', url, { json });
      expect(response.status).toBe(400);
    }
    expect(
      (
        await app.t.request('PUT', `/api/v1/admin/sources/${randomUUID()}/forge-access`, {
          json: {},
        })
      ).status,
    ).toBe(404);
    const cleared = await app.t.request('PUT', url, { json: { clearCredentials: true } });
    expect(cleared.json()).toMatchObject({ credentials: 'none', apiAvailable: false });
    expect((await app.t.request('DELETE', url)).status).toBe(204);
    expect((await app.t.request('GET', url, { token: null })).status).toBe(401);
  });
});
