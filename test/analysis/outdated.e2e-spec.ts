import { FakeForge } from '../support/fake-forge/fake-forge';
import { FORGE_TOKEN, forgeEnv } from '../support/fake-forge/forge-test-app';
import { eventually, TestApp } from '../support/test-app';
import {
  asGitHubLog,
  pullRequestPayload,
  recordedLog,
  sendGitHub,
  sha,
  startIsolatedApp,
  uniqueNumber,
  workflowJobPayload,
  workflowRunPayload,
} from './analysis-support';

/**
 * The sticky comment stops looking current the moment the pull request's head moves (a
 * `synchronize` delivery), not only when the new head's CI fails; repeating the delivery
 * changes nothing.
 */
describe('analysis: the PR comment is marked outdated when the head moves', () => {
  let fake: FakeForge;
  let t: TestApp;
  let closeApp: () => Promise<void>;
  const repo = { id: uniqueNumber(), fullName: `acme/moving-${uniqueNumber()}` };
  const PR = 5;
  const head1 = sha();
  const head2 = sha();
  const comments = () => fake.commentsOn('github', repo.fullName, PR);
  const pullRequest = (action: string, headSha: string, updatedAt: string) =>
    pullRequestPayload(repo, { number: PR, action, headSha, branch: 'feature', updatedAt });

  beforeAll(async () => {
    fake = await new FakeForge().start();
    fake.tokens.set(FORGE_TOKEN, 'hookyard-bot');
    ({ app: t, close: closeApp } = await startIsolatedApp(
      forgeEnv(fake, { GITHUB_TOKEN: FORGE_TOKEN, WORKER_CONCURRENCY: '4' }),
    ));
  }, 60000);

  afterAll(async () => {
    await closeApp?.();
    await fake?.close();
  });

  it('synchronize → the comment says which commit it describes and that the head moved; once', async () => {
    expect(
      await sendGitHub(t, 'pull_request', pullRequest('opened', head1, '2026-03-02T10:00:00Z')),
    ).toBe(202);
    fake.jobLogs.set('9301', asGitHubLog(recordedLog('tsc/plain.log')));
    const job = { id: 9301, runId: 9300, name: 'typecheck', sha: head1, branch: 'feature' };
    expect(
      await sendGitHub(
        t,
        'workflow_job',
        workflowJobPayload(repo, { ...job, conclusion: 'failure' }),
      ),
    ).toBe(202);
    expect(
      await sendGitHub(
        t,
        'workflow_run',
        workflowRunPayload(repo, { id: 9300, sha: head1, branch: 'feature', pullRequests: [PR] }),
      ),
    ).toBe(202);
    const first = await eventually(
      () => Promise.resolve(comments()[0]?.body),
      60000,
      'the analysis comment',
    );
    expect(first).toContain(head1);
    expect(first).not.toContain('Outdated');
    // The report sets the commit status after the comment.
    await eventually(
      () => Promise.resolve(fake.statuses.some((s) => s.sha === head1) ? true : undefined),
      30000,
      'the commit status',
    );
    const statuses = fake.statuses.length;

    // New commits pushed: no CI result yet, the comment is marked right away.
    const moved = pullRequest('synchronize', head2, '2026-03-02T10:30:00Z');
    expect(await sendGitHub(t, 'pull_request', moved)).toBe(202);
    const marked = await eventually(
      () =>
        Promise.resolve(comments()[0]?.body.includes('Outdated') ? comments()[0]?.body : undefined),
      30000,
      'the outdated mark',
    );
    expect(marked).toContain(`the head is now \`${head2.slice(0, 7)}`);
    expect(comments()).toHaveLength(1);

    // The same move delivered again (a redelivery, or a second event): nothing changes.
    const patches = () =>
      fake.requests.filter((r) => r.method === 'PATCH' && r.path.includes('/issues/comments/'))
        .length;
    const patched = patches();
    expect(await sendGitHub(t, 'pull_request', moved)).toBe(202);
    expect(await sendGitHub(t, 'pull_request', moved)).toBe(202);
    await new Promise((resolve) => setTimeout(resolve, 4000));
    expect(comments()).toHaveLength(1);
    expect(comments()[0]?.body).toBe(marked);
    expect(patches()).toBe(patched);
    // Marking the comment sets no commit status.
    expect(fake.statuses.length).toBe(statuses);
  }, 120000);
});
