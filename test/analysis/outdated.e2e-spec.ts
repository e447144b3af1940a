import { AnalysisJobsRepository } from '../../src/modules/analysis/analysis-jobs.repository';
import { AnalysisFeedbackService } from '../../src/modules/analysis/feedback/analysis-feedback.service';
import type { FeedbackOutcome } from '../../src/modules/forges/feedback/feedback.service';
import { FakeForge } from '../support/fake-forge/fake-forge';
import { FORGE_TOKEN, forgeEnv } from '../support/fake-forge/forge-test-app';
import { eventually, TestApp } from '../support/test-app';
import {
  asGitHubLog,
  GitHubRepo,
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

  /** A failed job on `headSha` of the pull request, with its run naming the pull request. */
  async function failJob(
    target: { repo: GitHubRepo; pr: number },
    id: number,
    headSha: string,
    log: string,
  ): Promise<void> {
    fake.jobLogs.set(String(id), asGitHubLog(recordedLog(log)));
    const job = { id, runId: id - 1, name: 'typecheck', sha: headSha, branch: 'feature' };
    expect(
      await sendGitHub(
        t,
        'workflow_job',
        workflowJobPayload(target.repo, { ...job, conclusion: 'failure' }),
      ),
    ).toBe(202);
    expect(
      await sendGitHub(
        t,
        'workflow_run',
        workflowRunPayload(target.repo, {
          id: id - 1,
          sha: headSha,
          branch: 'feature',
          pullRequests: [target.pr],
        }),
      ),
    ).toBe(202);
  }

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
    await failJob({ repo, pr: PR }, 9301, head1, 'tsc/plain.log');
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

  /*
   * Marking the comment outdated reads which commit was reported, then edits the comment. The
   * report of the new head may be posted in between: the mark must then leave that newer
   * comment alone. The test holds the marking job right after its read (a spy that waits on
   * the real repository's answer), lets the new head's report land, then lets the mark go on.
   */
  const raceRepo = { id: uniqueNumber(), fullName: `acme/racing-${uniqueNumber()}` };
  const RACE_PR = 8;
  const raceHead1 = sha();
  const raceHead2 = sha();
  const raceComments = () => fake.commentsOn('github', raceRepo.fullName, RACE_PR);
  const racePullRequest = (action: string, headSha: string, updatedAt: string) =>
    pullRequestPayload(raceRepo, {
      number: RACE_PR,
      action,
      headSha,
      branch: 'feature',
      updatedAt,
    });

  it('synchronize held after its read, new head reported meanwhile → the comment stays on the new head', async () => {
    expect(
      await sendGitHub(
        t,
        'pull_request',
        racePullRequest('opened', raceHead1, '2026-03-02T10:00:00Z'),
      ),
    ).toBe(202);
    await failJob({ repo: raceRepo, pr: RACE_PR }, 9401, raceHead1, 'tsc/plain.log');
    const first = await eventually(
      () => Promise.resolve(raceComments()[0]?.body),
      60000,
      'the first analysis comment',
    );
    expect(first).toContain(raceHead1);

    // Hold the next mark right after it read which commit was reported.
    const jobs = t.app.get(AnalysisJobsRepository);
    const feedback = t.app.get(AnalysisFeedbackService);
    const read = jobs.lastReportedSha.bind(jobs);
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let heldRead: ((value: string | undefined) => void) | undefined;
    const readDone = new Promise<string | undefined>((resolve) => (heldRead = resolve));
    // Only this pull request's first read is held (any other mark passes through).
    let held = false;
    jest.spyOn(jobs, 'lastReportedSha').mockImplementation(async (repositoryId, number) => {
      const described = await read(repositoryId, number);
      if (held || number !== RACE_PR || described !== raceHead1) return described;
      held = true;
      heldRead?.(described);
      await gate;
      return described;
    });
    // What the mark's redraw did (the report's own drawing is let through unrecorded).
    const draw = feedback.comment.bind(feedback);
    let redrawn: ((outcomes: FeedbackOutcome[]) => void) | undefined;
    const redraw = new Promise<FeedbackOutcome[]>((resolve) => (redrawn = resolve));
    jest.spyOn(feedback, 'comment').mockImplementation(async (access, commit, numbers, options) => {
      const drawn = await draw(access, commit, numbers, options);
      if (options?.redrawOnly) redrawn?.(drawn.outcomes);
      return drawn;
    });

    // The head moves: the mark reads raceHead1 as the reported commit, and waits.
    expect(
      await sendGitHub(
        t,
        'pull_request',
        racePullRequest('synchronize', raceHead2, '2026-03-02T10:30:00Z'),
      ),
    ).toBe(202);
    expect(await readDone).toBe(raceHead1);

    // Meanwhile the new head fails and its report is posted.
    await failJob({ repo: raceRepo, pr: RACE_PR }, 9411, raceHead2, 'eslint/stylish.log');
    const fresh = await eventually(
      () =>
        Promise.resolve(
          raceComments()[0]?.body.includes(`Head commit \`${raceHead2}\``)
            ? raceComments()[0]?.body
            : undefined,
        ),
      60000,
      'the new head report',
    );
    expect(fresh).not.toContain('Outdated');

    // The mark goes on: it finds a comment describing another commit and leaves it.
    release();
    const outcomes = await redraw;
    expect(outcomes.map((o) => o.status)).toEqual(['superseded']);
    expect(raceComments()).toHaveLength(1);
    expect(raceComments()[0]?.body).toBe(fresh);
    jest.restoreAllMocks();
  }, 180000);
});
