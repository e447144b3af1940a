import { randomBytes } from 'node:crypto';
import { GITHUB_SECRET, startTestApp, TestApp } from '../support/test-app';

interface Capabilities {
  providers: Array<{
    provider: string;
    defaultSourceConfigured: boolean;
    events: Array<{ event: string; becomes: string[]; records: string[] }>;
  }>;
  sources: Array<Record<string, unknown>>;
  forgeCredentials: Array<{
    provider: string;
    source: string;
    configured: boolean;
    features: Array<{ feature: string; available: boolean }>;
  }>;
}

describe('GET /api/v1/capabilities (real HTTP)', () => {
  let t: TestApp;
  const slug = `caps-${randomBytes(4).toString('hex')}`;
  const secret = `named-source-secret-${randomBytes(8).toString('hex')}`;

  beforeAll(async () => {
    t = await startTestApp({ GITHUB_TOKEN: 'ghp_capabilities-test-token', FEEDBACK: 'comment' });
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

    expect(response.text).not.toContain('ghp_capabilities-test-token');
    const available = (provider: string, source: string) => {
      const credential = body.forgeCredentials.find(
        (c) => c.provider === provider && c.source === source,
      );
      return Object.fromEntries(credential?.features.map((f) => [f.feature, f.available]) ?? []);
    };
    expect(body.forgeCredentials.find((c) => c.provider === 'github')?.configured).toBe(true);
    expect(available('github', 'default')).toEqual({
      analysis: true,
      feedback: true,
      reconciliation: true,
      indexing: true,
    });
    expect(available('gitlab', 'default')).toEqual({
      analysis: false,
      feedback: false,
      reconciliation: false,
      indexing: false,
    });
    expect(available('gitea', slug)).toEqual({
      analysis: false,
      feedback: false,
      reconciliation: false,
      indexing: false,
    });
  });
});
