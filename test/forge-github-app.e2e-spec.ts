import { randomUUID } from 'node:crypto';
import { GitHubClient } from '../src/modules/forges/clients/github.client';
import { FakeForge } from './support/fake-forge/fake-forge';
import {
  accessOf,
  forgeEnv,
  ForgeTestApp,
  insertRepository,
  rsaKeyPair,
  startForgeTestApp,
} from './support/fake-forge/forge-test-app';

describe('GitHub App: installation tokens minted and renewed (auth-app against the fake)', () => {
  let fake: FakeForge;
  let app: ForgeTestApp;
  let repositoryId = '';
  const repo = `acme/app-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    const keys = rsaKeyPair();
    fake = await new FakeForge().start();
    fake.app = { id: '31337', slug: 'hookyard-test', publicKey: keys.publicKey };
    app = await startForgeTestApp(
      forgeEnv(fake, { GITHUB_APP_ID: '31337', GITHUB_APP_PRIVATE_KEY: keys.privateKey }),
    );
    repositoryId = await insertRepository(app.t, 'github', repo);
  });

  afterAll(async () => {
    await app?.t.close();
    await fake?.close();
  });

  it('mints an installation token once (JWT verified by the fake) and reuses it', async () => {
    const access = await accessOf(app.forges, repositoryId);
    expect(access.api.status).toBe('available');
    await app.feedback.upsertStickyComment(access, 1, 'ci', 'first');
    await app.feedback.upsertStickyComment(access, 1, 'ci', 'second');
    await app.feedback.setCommitStatus(access, {
      sha: 'e'.repeat(40),
      purpose: 'ci',
      state: 'success',
      description: 'ok',
    });
    expect(fake.mintedTokens).toBe(1);
    const comments = fake.commentsOn('github', repo, 1);
    expect(comments).toHaveLength(1);
    // Written as the App's bot, and recognised as its own on the second call.
    expect(comments[0]?.login).toBe('hookyard-test[bot]');
    expect(comments[0]?.body).toContain('second');
    // Installation calls used the installation token, not the JWT.
    const commentCalls = fake.requests.filter((r) => r.path.endsWith('/issues/1/comments'));
    expect(commentCalls.every((r) => r.authorization?.startsWith('token ghs_'))).toBe(true);
  });

  it('renews a token before it expires', async () => {
    // Tokens that lapse within the renewal margin (5 minutes) are minted afresh.
    fake.installationTokenLifetimeMs = 4 * 60_000;
    app.forges.tune({});
    const access = await accessOf(app.forges, repositoryId);
    const client = access.client() as GitHubClient;
    const before = fake.mintedTokens;
    await client.listComments(access.repository, 1);
    await client.listComments(access.repository, 1);
    expect(fake.mintedTokens).toBe(before + 2);
    expect(client.tokens.minted).toBe(2);
    // Long-lived again: the next token is kept.
    fake.installationTokenLifetimeMs = 60 * 60_000;
    await client.listComments(access.repository, 1);
    await client.listComments(access.repository, 1);
    expect(fake.mintedTokens).toBe(before + 3);
  });

  it('a token the forge revoked ends in a 401 (auth-app retries briefly, then gives up)', async () => {
    const access = await accessOf(app.forges, repositoryId);
    const client = access.client() as GitHubClient;
    await client.listComments(access.repository, 1);
    // The forge revokes every token it issued (an App key rotation, a token that expired early).
    fake.installationTokens.clear();
    await expect(client.listComments(access.repository, 1)).rejects.toMatchObject({
      status: 401,
    });
  });
});
