import { randomBytes } from 'node:crypto';
import { GITHUB_SECRET, startTestApp, TestApp } from './support/test-app';

interface Capabilities {
  providers: Array<{
    provider: string;
    defaultSourceConfigured: boolean;
    events: Array<{ event: string; becomes: string[]; records: string[] }>;
  }>;
  sources: Array<Record<string, unknown>>;
  forgeCredentials: Array<{
    provider: string;
    configured: boolean;
    features: Array<{ feature: string; available: boolean }>;
  }>;
}

describe('GET /api/v1/capabilities (real HTTP)', () => {
  let t: TestApp;
  const slug = `caps-${randomBytes(4).toString('hex')}`;
  const secret = `named-source-secret-${randomBytes(8).toString('hex')}`;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('needs a key', async () => {
    expect((await t.request('GET', '/api/v1/capabilities', { token: null })).status).toBe(401);
  });

  it('answers the modelled events, the sources without secrets, and forge access', async () => {
    const created = await t.request('POST', '/api/v1/admin/sources', {
      json: { provider: 'gitea', slug, secrets: [secret] },
    });
    expect(created.status).toBe(201);

    const response = await t.request('GET', '/api/v1/capabilities');
    expect(response.status).toBe(200);
    expect(response.text).not.toContain(secret);
    expect(response.text).not.toContain(GITHUB_SECRET);
    const body = response.json<Capabilities>();

    const github = body.providers.find((p) => p.provider === 'github');
    expect(github?.defaultSourceConfigured).toBe(true);
    expect(github?.events).toContainEqual({
      event: 'workflow_run',
      becomes: ['ci_run'],
      records: ['CI run'],
    });
    // The test app configures no GitLab secret: its default source refuses every delivery.
    expect(body.providers.find((p) => p.provider === 'gitlab')?.defaultSourceConfigured).toBe(
      false,
    );
    expect(body.providers.map((p) => p.provider)).toEqual(
      expect.arrayContaining(['github', 'gitlab', 'gitea', 'bitbucket']),
    );

    const source = body.sources.find((s) => s.slug === slug);
    expect(source).toEqual({
      id: expect.any(String),
      provider: 'gitea',
      slug,
      webhookPath: `/webhooks/gitea/${slug}`,
      enabled: true,
      secretConfigured: true,
    });

    for (const credential of body.forgeCredentials) {
      expect(credential.configured).toBe(false);
      expect(credential.features.map((f) => f.feature).sort()).toEqual([
        'analysis',
        'feedback',
        'indexing',
        'reconciliation',
      ]);
    }
  });
});
