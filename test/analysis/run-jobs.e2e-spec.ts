import { FakeForge } from '../support/fake-forge/fake-forge';
import { eventually, TestApp } from '../support/test-app';
import {
  asGitHubLog,
  asGitLabLog,
  gitlabJobPayload,
  gitlabPipelinePayload,
  jobsOfRun,
  recordedLog,
  sendGitHub,
  sendGitLab,
  sha,
  settledJobsOfRun,
  startAppWithFakeForge,
  uniqueNumber,
  workflowJobPayload,
  workflowRunPayload,
} from './analysis-support';

/**
 * Runs whose jobs never arrived as events (only the GitHub workflow_run / GitLab Pipeline Hook
 * was delivered): the jobs come from the forge's job listing, are recorded under the forge's
 * own ids, and the failed ones are analysed; a job event arriving afterwards finds the row.
 */
describe('analysis: failed runs without job events → jobs listed through the forge API', () => {
  let fake: FakeForge;
  let t: TestApp;
  let closeApp: () => Promise<void>;

  beforeAll(async () => {
    ({ fake, app: t, close: closeApp } = await startAppWithFakeForge());
  }, 60000);

  afterAll(async () => {
    await closeApp?.();
  });

  const settledJobs = (runId: number, count: number) => settledJobsOfRun(t, runId, count);

  it('GitHub: a failed workflow_run alone → its latest jobs listed, the failed one analysed', async () => {
    const repo = { id: uniqueNumber(), fullName: `acme/runs-${uniqueNumber()}` };
    const head = sha();
    const PR = 31;
    const runId = 8100 + (uniqueNumber() % 1000);
    fake.runJobs.set(runId, [
      {
        id: runId * 10 + 1,
        runId,
        name: 'typecheck',
        sha: head,
        branch: 'feature',
        conclusion: 'failure',
      },
      {
        id: runId * 10 + 2,
        runId,
        name: 'lint',
        sha: head,
        branch: 'feature',
        conclusion: 'success',
      },
      {
        id: runId * 10 + 3,
        runId,
        name: 'e2e',
        sha: head,
        branch: 'feature',
        conclusion: 'cancelled',
      },
    ]);
    fake.jobLogs.set(String(runId * 10 + 1), asGitHubLog(recordedLog('tsc/plain.log')));
    const run = workflowRunPayload(repo, {
      id: runId,
      sha: head,
      branch: 'feature',
      pullRequests: [PR],
    });
    expect(await sendGitHub(t, 'workflow_run', run)).toBe(202);

    const rows = await settledJobs(runId, 3);
    expect(rows.map((r) => [r.name, r.source, r.conclusion, r.status])).toEqual([
      ['typecheck', 'workflow_job', 'failure', 'analyzed'],
      ['lint', 'workflow_job', 'success', null],
      ['e2e', 'workflow_job', 'cancelled', 'skipped'],
    ]);
    expect(
      fake.requests.filter((r) => r.path.endsWith(`/actions/runs/${runId}/jobs`)),
    ).toHaveLength(1);
    const response = await t.request(
      'GET',
      `/api/v1/analysis/problems?repository=${encodeURIComponent(repo.fullName)}&sha=${head}`,
    );
    const items = response.json<{ items: Array<{ tool: string; file: string | null }> }>().items;
    expect(items.length).toBe(5);
    expect(items.every((p) => p.tool === 'tsc')).toBe(true);
    await eventually(
      () =>
        Promise.resolve(fake.commentsOn('github', repo.fullName, PR).length > 0 ? true : undefined),
      30000,
      'the comment',
    );

    // The job's own event, arriving late: the same row, not a second one; no new listing.
    const late = workflowJobPayload(repo, {
      id: runId * 10 + 1,
      runId,
      name: 'typecheck',
      sha: head,
      branch: 'feature',
      conclusion: 'failure',
    });
    expect(await sendGitHub(t, 'workflow_job', late)).toBe(202);
    expect(await sendGitHub(t, 'workflow_run', run)).toBe(202);
    await new Promise((resolve) => setTimeout(resolve, 4000));
    expect(await jobsOfRun(t, runId)).toHaveLength(3);
    expect(
      fake.requests.filter((r) => r.path.endsWith(`/actions/runs/${runId}/jobs`)),
    ).toHaveLength(1);
    expect(
      fake.requests.filter((r) => r.path.endsWith(`/jobs/${runId * 10 + 1}/logs`)),
    ).toHaveLength(1);
  }, 120000);

  it('GitLab: a failed Pipeline Hook alone → its failed jobs listed, allow_failure skipped', async () => {
    const projectId = uniqueNumber();
    const path = `acme/pipelines-${uniqueNumber()}`;
    const head = sha();
    const pipelineId = 9100 + (uniqueNumber() % 1000);
    const jobId = pipelineId * 10 + 1;
    fake.runJobs.set(pipelineId, [
      {
        id: jobId,
        runId: pipelineId,
        name: 'pytest',
        sha: head,
        branch: 'feature',
        conclusion: 'failure',
      },
      {
        id: jobId + 1,
        runId: pipelineId,
        name: 'optional-lint',
        sha: head,
        branch: 'feature',
        conclusion: 'failure',
        allowFailure: true,
      },
      {
        id: jobId + 2,
        runId: pipelineId,
        name: 'build',
        sha: head,
        branch: 'feature',
        conclusion: 'success',
      },
    ]);
    fake.jobLogs.set(String(jobId), asGitLabLog(recordedLog('pytest/short.log')));
    const pipeline = gitlabPipelinePayload({
      projectId,
      path,
      id: pipelineId,
      sha: head,
      ref: 'feature',
    });
    expect(await sendGitLab(t, pipeline, undefined, 'Pipeline Hook')).toBe(202);

    const rows = await settledJobs(pipelineId, 2);
    // Only the failed ones are asked for (scope[]=failed): the successful build is not listed.
    expect(rows.map((r) => [r.name, r.source, r.allow_failure, r.status])).toEqual([
      ['pytest', 'pipeline', false, 'analyzed'],
      ['optional-lint', 'pipeline', true, 'skipped'],
    ]);
    const response = await t.request(
      'GET',
      `/api/v1/analysis/problems?repository=${encodeURIComponent(path)}&sha=${head}`,
    );
    const items = response.json<{ items: Array<{ tool: string }> }>().items;
    expect(items.length).toBeGreaterThan(0);
    expect(items.every((p) => p.tool === 'pytest')).toBe(true);

    // The Job Hook of the same job, late: it updates the listed row.
    const late = gitlabJobPayload({
      projectId,
      path,
      id: jobId,
      pipelineId,
      name: 'pytest',
      sha: head,
      ref: 'feature',
      status: 'failed',
      allowFailure: false,
    });
    expect(await sendGitLab(t, late)).toBe(202);
    await new Promise((resolve) => setTimeout(resolve, 4000));
    expect(await jobsOfRun(t, pipelineId)).toHaveLength(2);
    expect(
      fake.requests.filter((r) => r.path.endsWith(`/pipelines/${pipelineId}/jobs`)),
    ).toHaveLength(1);
  }, 120000);
});
