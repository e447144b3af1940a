import description from '@octokit/openapi/generated/api.github.com.json';
import { FakeForge } from '../support/fake-forge/fake-forge';
import { OpenApiChecker } from '../support/fake-forge/openapi-check';
import { rsaKeyPair } from '../support/fake-forge/forge-test-app';
import { createSign } from 'node:crypto';

const TOKEN = 'openapi-check-token';
const REPO = 'acme/widgets';
const SHA = 'f'.repeat(40);

function appJwt(appId: string, privateKey: string): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const body = `${part({ alg: 'RS256', typ: 'JWT' })}.${part({ iat: now - 30, exp: now + 300, iss: appId })}`;
  const signature = createSign('RSA-SHA256').update(body).sign(privateKey).toString('base64url');
  return `${body}.${signature}`;
}

/**
 * The fake forge's GitHub answers, checked against GitHub's own OpenAPI description
 * (@octokit/openapi), so that the fake cannot drift from the API the SDK is written for.
 */
describe("the fake forge's GitHub responses follow GitHub's OpenAPI description", () => {
  const checker = new OpenApiChecker(description);
  let fake: FakeForge;
  let jwt = '';

  beforeAll(async () => {
    fake = await new FakeForge().start();
    fake.tokens.set(TOKEN, 'hookyard-bot');
    const keys = rsaKeyPair();
    fake.app = { id: '99', slug: 'hookyard-check', publicKey: keys.publicKey };
    jwt = appJwt('99', keys.privateKey);
    fake.pullsByCommit.set(`${REPO}@${SHA}`, [3]);
    fake.jobLogs.set('5', 'log');
    fake.runJobs.set(77, [
      { id: 5, runId: 77, name: 'test', sha: SHA, branch: 'main', conclusion: 'failure' },
      { id: 6, runId: 77, name: 'lint', sha: SHA, branch: 'main', conclusion: 'success' },
    ]);
    fake.githubHookTargets.clear();
    await fake.deliverGitHub(12, 'push', '{}');
  });

  afterAll(async () => {
    await fake?.close();
  });

  const cases: Array<{
    template: string;
    method: string;
    path: string;
    status: number;
    body?: unknown;
    auth?: 'jwt';
  }> = [
    { template: '/user', method: 'GET', path: '/user', status: 200 },
    { template: '/app', method: 'GET', path: '/app', status: 200, auth: 'jwt' },
    {
      template: '/repos/{owner}/{repo}/installation',
      method: 'GET',
      path: `/repos/${REPO}/installation`,
      status: 200,
      auth: 'jwt',
    },
    {
      template: '/app/installations/{installation_id}/access_tokens',
      method: 'POST',
      path: '/app/installations/42/access_tokens',
      status: 201,
      auth: 'jwt',
    },
    {
      template: '/repos/{owner}/{repo}/issues/{issue_number}/comments',
      method: 'POST',
      path: `/repos/${REPO}/issues/3/comments`,
      status: 201,
      body: { body: 'hello' },
    },
    {
      template: '/repos/{owner}/{repo}/issues/{issue_number}/comments',
      method: 'GET',
      path: `/repos/${REPO}/issues/3/comments`,
      status: 200,
    },
    {
      template: '/repos/{owner}/{repo}/statuses/{sha}',
      method: 'POST',
      path: `/repos/${REPO}/statuses/${SHA}`,
      status: 201,
      body: { state: 'success', context: 'hookyard/ci', description: 'ok' },
    },
    {
      template: '/repos/{owner}/{repo}/commits/{commit_sha}/pulls',
      method: 'GET',
      path: `/repos/${REPO}/commits/${SHA}/pulls`,
      status: 200,
    },
    {
      template: '/repos/{owner}/{repo}/actions/runs/{run_id}/jobs',
      method: 'GET',
      path: `/repos/${REPO}/actions/runs/77/jobs?filter=latest`,
      status: 200,
    },
    {
      template: '/repos/{owner}/{repo}/hooks/{hook_id}/deliveries',
      method: 'GET',
      path: `/repos/${REPO}/hooks/12/deliveries`,
      status: 200,
    },
  ];

  it.each(cases)('$method $template', async ({ template, method, path, status, body, auth }) => {
    const response = await fetch(`${fake.url}/api/v3${path}`, {
      method,
      headers: {
        authorization: auth === 'jwt' ? `Bearer ${jwt}` : `token ${TOKEN}`,
        'content-type': 'application/json',
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    expect(response.status).toBe(status);
    const schema = checker.responseSchema(template, method, status);
    expect(schema).toBeDefined();
    const problems = checker.check(await response.json(), schema ?? {});
    expect(problems).toEqual([]);
  });

  it('the checker notices drift (a missing required field, a wrong type)', () => {
    const schema = checker.responseSchema('/repos/{owner}/{repo}/statuses/{sha}', 'POST', 201);
    const good = {
      id: 1,
      node_id: 'S',
      url: 'u',
      avatar_url: null,
      state: 'success',
      description: null,
      target_url: null,
      context: 'c',
      created_at: 't',
      updated_at: 't',
      creator: null,
    };
    expect(checker.check(good, schema ?? {})).toEqual([]);
    const { context: _dropped, ...missing } = good;
    expect(checker.check(missing, schema ?? {})).toEqual(['$.context: required, missing']);
    expect(checker.check({ ...good, id: '1' }, schema ?? {})).toEqual(['$.id: not an integer']);
  });

  it('PATCH a comment, the deliveries redelivery and the job-log redirect', async () => {
    const created = await fetch(`${fake.url}/api/v3/repos/${REPO}/issues/4/comments`, {
      method: 'POST',
      headers: { authorization: `token ${TOKEN}` },
      body: JSON.stringify({ body: 'a' }),
    });
    const { id } = (await created.json()) as { id: number };
    const patched = await fetch(`${fake.url}/api/v3/repos/${REPO}/issues/comments/${id}`, {
      method: 'PATCH',
      headers: { authorization: `token ${TOKEN}` },
      body: JSON.stringify({ body: 'b' }),
    });
    const schema = checker.responseSchema(
      '/repos/{owner}/{repo}/issues/comments/{comment_id}',
      'PATCH',
      200,
    );
    expect(checker.check(await patched.json(), schema ?? {})).toEqual([]);

    const [delivery] = fake.githubDeliveries;
    const attempt = await fetch(
      `${fake.url}/api/v3/repos/${REPO}/hooks/12/deliveries/${delivery?.id}/attempts`,
      { method: 'POST', headers: { authorization: `token ${TOKEN}` } },
    );
    const attemptOperation = (
      description as unknown as {
        paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
      }
    ).paths['/repos/{owner}/{repo}/hooks/{hook_id}/deliveries/{delivery_id}/attempts']?.post;
    expect(Object.keys(attemptOperation?.responses ?? {})).toContain(String(attempt.status));

    const log = await fetch(`${fake.url}/api/v3/repos/${REPO}/actions/jobs/5/logs`, {
      headers: { authorization: `token ${TOKEN}` },
      redirect: 'manual',
    });
    const logOperation = (
      description as unknown as {
        paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
      }
    ).paths['/repos/{owner}/{repo}/actions/jobs/{job_id}/logs']?.get;
    expect(Object.keys(logOperation?.responses ?? {})).toContain(String(log.status));
    expect(log.headers.get('location')).toBeTruthy();
  });
});
