import { randomUUID } from 'node:crypto';
import { FakeForge } from '../support/fake-forge/fake-forge';
import { FORGE_TOKEN, forgeEnv } from '../support/fake-forge/forge-test-app';
import { eventually, TestApp } from '../support/test-app';
import {
  recordedLog,
  settledJobsOfRun,
  sha,
  startIsolatedApp,
  uniqueNumber,
} from './analysis-support';
import {
  asRunnerLog,
  BITBUCKET_HOOK_SECRET,
  bitbucketCommitStatusPayload,
  GITEA_HOOK_SECRET,
  giteaWorkflowJobPayload,
  giteaWorkflowRunPayload,
  sendBitbucket,
  sendGitea,
} from './gitea-bitbucket-support';

interface ProblemItem {
  tool: string;
  file: string | null;
  message: string;
}

const HOOK_ENV = {
  GITEA_WEBHOOK_SECRET: GITEA_HOOK_SECRET,
  BITBUCKET_WEBHOOK_SECRET: BITBUCKET_HOOK_SECRET,
  WORKER_CONCURRENCY: '4',
};

/**
 * Gitea Actions and Bitbucket Pipelines failures, end to end against the fake forge: the
 * run's jobs (Gitea) or the build's steps (Bitbucket) listed through the API, the failed ones'
 * logs fetched (Bitbucket's through its redirect), parsed, and reported on the pull request.
 */
describe('analysis: Gitea and Bitbucket CI failures → logs from the fake forge → problems and feedback', () => {
  let fake: FakeForge;
  let t: TestApp;
  let closeApp: () => Promise<void>;

  beforeAll(async () => {
    fake = await new FakeForge().start();
    fake.tokens.set(FORGE_TOKEN, 'hookyard-bot');
    ({ app: t, close: closeApp } = await startIsolatedApp(
      forgeEnv(fake, {
        ...HOOK_ENV,
        GITEA_API_TOKEN: FORGE_TOKEN,
        BITBUCKET_API_TOKEN: FORGE_TOKEN,
      }),
    ));
  }, 60000);

  afterAll(async () => {
    await closeApp?.();
    await fake?.close();
  });

  /** The run's jobs once settled, by name. */
  const settledJobs = async (runExternalId: string, count: number) =>
    (await settledJobsOfRun(t, runExternalId, count)).sort((a, b) => a.name.localeCompare(b.name));
  const problems = async (repository: string, commit: string): Promise<ProblemItem[]> => {
    const response = await t.request(
      'GET',
      `/api/v1/analysis/problems?repository=${encodeURIComponent(repository)}&sha=${commit}`,
    );
    expect(response.status).toBe(200);
    return response.json<{ items: ProblemItem[] }>().items;
  };
  const commentOn = (forge: string, repository: string, pr: number) =>
    eventually(
      () => {
        const comments = fake.commentsOn(forge, repository, pr);
        return Promise.resolve(comments.length > 0 ? comments : undefined);
      },
      30000,
      `the comment on ${forge} ${repository}#${pr}`,
    );

  it('Gitea: a failed workflow_run alone → its jobs listed, the failed one analysed, the cancelled one skipped, a comment and a status', async () => {
    const repo = { id: uniqueNumber(), fullName: `acme/gitea-${uniqueNumber()}` };
    const head = sha();
    const runId = 5100 + (uniqueNumber() % 1000);
    const job = (n: number, name: string, conclusion: 'failure' | 'success' | 'cancelled') => ({
      id: runId * 10 + n,
      runId,
      name,
      sha: head,
      branch: 'feature',
      conclusion,
    });
    fake.runJobs.set(runId, [
      job(1, 'typecheck', 'failure'),
      job(2, 'lint', 'success'),
      job(3, 'e2e', 'cancelled'),
    ]);
    fake.jobLogs.set(
      String(runId * 10 + 1),
      asRunnerLog(recordedLog('tsc/plain.log'), 'npx tsc --noEmit'),
    );
    const run = giteaWorkflowRunPayload(repo, fake.url, {
      id: runId,
      sha: head,
      branch: 'feature',
      pullRequest: 5,
    });
    expect(await sendGitea(t, 'workflow_run', run)).toBe(202);

    const rows = await settledJobs(String(runId), 3);
    expect(rows.map((r) => [r.name, r.source, r.conclusion, r.status, r.reason])).toEqual([
      ['e2e', 'workflow_job', 'cancelled', 'skipped', 'the job was cancelled'],
      ['lint', 'workflow_job', 'success', null, null],
      ['typecheck', 'workflow_job', 'failure', 'analyzed', null],
    ]);
    const found = await problems(repo.fullName, head);
    expect(found).toHaveLength(5);
    expect(found.every((p) => p.tool === 'tsc')).toBe(true);

    const [comment] = await commentOn('gitea', repo.fullName, 5);
    expect(comment.body).toContain('typecheck');
    expect(comment.body).toContain(found[0].file);
    await eventually(
      () =>
        Promise.resolve(
          fake.statuses.find(
            (s) => s.forge === 'gitea' && s.sha === head && s.context === 'hookyard/analysis',
          ),
        ),
      30000,
      'the commit status',
    );
    expect(
      fake.requests.filter((r) => r.path.endsWith(`/actions/runs/${runId}/jobs`)),
    ).toHaveLength(1);
    expect(fake.requests.some((r) => r.path.endsWith(`/actions/jobs/${runId * 10 + 3}/logs`))).toBe(
      false,
    );
  }, 120000);

  it('Gitea: a failed workflow_job → its log, Jest problems, the pull request found through the API', async () => {
    const repo = { id: uniqueNumber(), fullName: `acme/gitea-jobs-${uniqueNumber()}` };
    const head = sha();
    const jobId = 6100 + (uniqueNumber() % 1000);
    fake.jobLogs.set(String(jobId), asRunnerLog(recordedLog('jest/failing.log'), 'npx jest'));
    fake.pullsByCommit.set(`${repo.fullName}@${head}`, [8]);
    const payload = giteaWorkflowJobPayload(repo, fake.url, {
      id: jobId,
      runId: jobId + 1,
      name: 'unit',
      sha: head,
      branch: 'feature',
    });
    expect(await sendGitea(t, 'workflow_job', payload)).toBe(202);

    const found = await eventually(
      async () => {
        const items = await problems(repo.fullName, head);
        return items.length > 0 ? items : undefined;
      },
      60000,
      'the Jest problems',
    );
    expect(found.every((p) => p.tool === 'jest')).toBe(true);
    expect(found.map((p) => p.file)).toContain('src/math.test.js');
    const [comment] = await commentOn('gitea', repo.fullName, 8);
    expect(comment.body).toContain('src/math.test.js');
    expect(fake.requests.some((r) => r.path.endsWith(`/commits/${head}/pull`))).toBe(true);
  }, 120000);

  it('Bitbucket: a failed Pipelines build status → its steps listed, the failed step’s log through the redirect, the stopped one skipped, a comment and a status', async () => {
    const fullName = `acme/bb-${uniqueNumber()}`;
    const repo = { uuid: `{${randomUUID()}}`, fullName };
    const head = sha();
    const buildNumber = 40 + (uniqueNumber() % 100);
    const pipelineUuid = `{${randomUUID()}}`;
    const testStep = `{${randomUUID()}}`;
    const deployStep = `{${randomUUID()}}`;
    fake.bitbucketPipelines.set(fullName, [
      {
        uuid: `{${randomUUID()}}`,
        buildNumber: buildNumber - 1,
        sha: sha(),
        branch: 'main',
        steps: [],
      },
      {
        uuid: pipelineUuid,
        buildNumber,
        sha: head,
        branch: 'feature',
        steps: [
          { uuid: testStep, name: 'Test', result: 'FAILED' },
          { uuid: `{${randomUUID()}}`, name: 'Lint', result: 'SUCCESSFUL' },
          { uuid: deployStep, name: 'Deploy', result: 'STOPPED' },
        ],
      },
    ]);
    fake.jobLogs.set(testStep, asRunnerLog(recordedLog('pytest/short.log'), 'pytest -q'));
    fake.pullsByCommit.set(`${fullName}@${head}`, [9]);
    const status = bitbucketCommitStatusPayload(repo, fake.url, {
      buildNumber,
      sha: head,
      branch: 'feature',
      state: 'FAILED',
    });
    expect(await sendBitbucket(t, 'repo:commit_status_updated', status)).toBe(202);

    const rows = await settledJobs(String(buildNumber), 3);
    expect(rows.map((r) => [r.name, r.source, r.conclusion, r.status, r.reason])).toEqual([
      ['Deploy', 'pipeline', 'cancelled', 'skipped', 'the job was cancelled'],
      ['Lint', 'pipeline', 'success', null, null],
      ['Test', 'pipeline', 'failure', 'analyzed', null],
    ]);
    expect(rows.find((r) => r.name === 'Test')?.external_id).toBe(`${pipelineUuid}/${testStep}`);
    const found = await problems(fullName, head);
    expect(found.length).toBeGreaterThanOrEqual(3);
    expect(found.every((p) => p.tool === 'pytest' && p.file === 'tests/test_calc.py')).toBe(true);

    const [comment] = await commentOn('bitbucket', fullName, 9);
    expect(comment.body).toContain('tests/test_calc.py');
    await eventually(
      () =>
        Promise.resolve(
          fake.statuses.find(
            (s) => s.forge === 'bitbucket' && s.sha === head && s.context === 'hookyard/analysis',
          ),
        ),
      30000,
      'the build status',
    );
    const stepLog = `/steps/${encodeURIComponent(testStep)}/log`;
    expect(fake.requests.filter((r) => r.path.endsWith(stepLog))).toHaveLength(1);
    // The redirect (to the source's own origin here) was followed once.
    const storage = fake.requests.filter((r) => r.path.startsWith('/_step-logs/'));
    expect(storage).toHaveLength(1);
    expect(
      fake.requests.some((r) => r.path.endsWith(`${encodeURIComponent(deployStep)}/log`)),
    ).toBe(false);
  }, 120000);

  it('Bitbucket: a step-log redirect to an origin that is not the source’s is refused, and the step says so', async () => {
    const fullName = `acme/bb-refused-${uniqueNumber()}`;
    const head = sha();
    const buildNumber = 7;
    const step = `{${randomUUID()}}`;
    fake.bitbucketPipelines.set(fullName, [
      {
        uuid: `{${randomUUID()}}`,
        buildNumber,
        sha: head,
        branch: 'feature',
        steps: [{ uuid: step, name: 'Build', result: 'FAILED' }],
      },
    ]);
    fake.jobLogs.set(step, asRunnerLog(recordedLog('pytest/short.log'), 'pytest -q'));
    const foreign = fake.url.replace('127.0.0.1', 'localhost');
    fake.stepLogRedirect = (uuid) => `${foreign}/_step-logs/${encodeURIComponent(uuid)}`;
    try {
      const status = bitbucketCommitStatusPayload(
        { uuid: `{${randomUUID()}}`, fullName },
        fake.url,
        { buildNumber, sha: head, branch: 'feature', state: 'FAILED' },
      );
      const before = fake.requests.filter((r) => r.path.startsWith('/_step-logs/')).length;
      expect(await sendBitbucket(t, 'repo:commit_status_created', status)).toBe(202);
      const [row] = await settledJobs(String(buildNumber), 1);
      expect(row.status).toBe('failed');
      expect(row.reason).toBe(
        "the log could not be fetched: outbound bitbucket request refused: the URL's origin is not configured (origin)",
      );
      expect(fake.requests.filter((r) => r.path.startsWith('/_step-logs/'))).toHaveLength(before);
    } finally {
      fake.stepLogRedirect = undefined;
    }
  }, 120000);
});

describe('analysis: Gitea and Bitbucket sources without API credentials', () => {
  let fake: FakeForge;
  let t: TestApp;
  let closeApp: () => Promise<void>;

  beforeAll(async () => {
    fake = await new FakeForge().start();
    ({ app: t, close: closeApp } = await startIsolatedApp(forgeEnv(fake, HOOK_ENV)));
  }, 60000);

  afterAll(async () => {
    await closeApp?.();
    await fake?.close();
  });

  it('a failed Gitea job is skipped with the reason, and nothing is asked of the forge', async () => {
    const repo = { id: uniqueNumber(), fullName: `acme/gitea-nokey-${uniqueNumber()}` };
    const jobId = 7100 + (uniqueNumber() % 1000);
    const payload = giteaWorkflowJobPayload(repo, fake.url, {
      id: jobId,
      runId: jobId + 1,
      name: 'unit',
      sha: sha(),
      branch: 'feature',
    });
    expect(await sendGitea(t, 'workflow_job', payload)).toBe(202);
    const [row] = await eventually(
      async () => {
        const rows = await t.dataSource.query<{ id: string; status: string }[]>(
          `SELECT j.id, a.status FROM ci_jobs j JOIN analysis_jobs a ON a.ci_job_id = j.id
           WHERE j.external_id = $1`,
          [String(jobId)],
        );
        return rows[0] && rows[0].status !== 'pending' ? rows : undefined;
      },
      60000,
      'the analysis of the job',
    );
    const response = await t.request('GET', `/api/v1/analysis/ci-jobs/${row.id}`);
    expect(response.status).toBe(200);
    expect(response.json<{ status: string; reason: string }>()).toMatchObject({
      status: 'skipped',
      reason: 'no API credentials for this source',
    });
    expect(fake.requests).toHaveLength(0);
  }, 90000);
});
