import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FakeForge } from '../support/fake-forge/fake-forge';
import { FORGE_TOKEN, forgeEnv } from '../support/fake-forge/forge-test-app';
import { githubHeaders } from '../support/signing';
import { startIsolatedApp } from '../support/isolated-app';
import { eventually, TestApp } from '../support/test-app';

export { startIsolatedApp };

export type Json = Record<string, unknown>;

export const GITLAB_HOOK_TOKEN = 'gitlab-analysis-hook-token';

/** A recorded tool log from test/fixtures/logs. */
export function recordedLog(path: string): string {
  return readFileSync(join(__dirname, '..', 'fixtures', 'logs', path), 'utf8');
}

/** A log as GitHub Actions serves it: timestamps, groups and the runner's last line. */
export function asGitHubLog(toolOutput: string, exitCode = 2): string {
  const stamp = (i: number) =>
    `2026-03-02T10:${String(10 + (i % 40)).padStart(2, '0')}:00.1234567Z `;
  const lines = [
    '##[group]Run npm run typecheck',
    'npm run typecheck',
    '##[endgroup]',
    ...toolOutput.replace(/\n$/, '').split('\n'),
    `##[error]Process completed with exit code ${exitCode}.`,
  ];
  return `${lines.map((line, i) => `${stamp(i)}${line}`).join('\n')}\n`;
}

/** A log as GitLab serves a job trace: ANSI colours and collapsible section markers. */
export function asGitLabLog(toolOutput: string): string {
  return [
    '\u001b[0KRunning with gitlab-runner 17.0.0',
    'section_start:1772446200:step_script\r\u001b[0K\u001b[0K\u001b[36;1mExecuting "step_script" stage\u001b[0;m',
    '\u001b[32;1m$ pytest -q\u001b[0;m',
    ...toolOutput.replace(/\n$/, '').split('\n'),
    'section_end:1772446260:step_script\r\u001b[0K\u001b[31;1mERROR: Job failed: exit code 1\u001b[0;m',
    '',
  ].join('\n');
}

/**
 * A fake forge that knows Hookyard's token, and an app on a database of its own whose GitHub and
 * GitLab sources point at it (GitLab hooks signed with GITLAB_HOOK_TOKEN).
 */
export async function startAppWithFakeForge(): Promise<{
  fake: FakeForge;
  app: TestApp;
  close: () => Promise<void>;
}> {
  const fake = await new FakeForge().start();
  fake.tokens.set(FORGE_TOKEN, 'hookyard-bot');
  try {
    const { app, close } = await startIsolatedApp(
      forgeEnv(fake, {
        GITHUB_TOKEN: FORGE_TOKEN,
        GITLAB_API_TOKEN: FORGE_TOKEN,
        GITLAB_WEBHOOK_TOKEN: GITLAB_HOOK_TOKEN,
        WORKER_CONCURRENCY: '4',
      }),
    );
    return {
      fake,
      app,
      close: async () => {
        await close();
        await fake.close();
      },
    };
  } catch (error) {
    await fake.close();
    throw error;
  }
}

/** Hookyard's id of the CI job the forge numbers `externalId`. */
export async function ciJobIdOf(t: TestApp, externalId: number): Promise<string> {
  const [row] = await t.dataSource.query<{ id: string }[]>(
    `SELECT id FROM ci_jobs WHERE external_id = $1`,
    [String(externalId)],
  );
  return row.id;
}

export interface GitHubRepo {
  id: number;
  fullName: string;
}

function githubRepository(repo: GitHubRepo): Json {
  const [owner, name] = repo.fullName.split('/');
  return {
    id: repo.id,
    node_id: `R_${repo.id}`,
    name,
    full_name: repo.fullName,
    private: true,
    owner: { login: owner, id: repo.id + 1, type: 'Organization' },
    html_url: `https://github.example.test/${repo.fullName}`,
    default_branch: 'main',
  };
}

export interface GitHubJobSpec {
  id: number;
  runId: number;
  name: string;
  sha: string;
  branch: string;
  conclusion: 'failure' | 'success' | 'cancelled';
}

export function workflowJobPayload(repo: GitHubRepo, job: GitHubJobSpec): Json {
  return {
    action: 'completed',
    workflow_job: {
      id: job.id,
      run_id: job.runId,
      run_attempt: 1,
      name: job.name,
      head_sha: job.sha,
      head_branch: job.branch,
      status: 'completed',
      conclusion: job.conclusion,
      html_url: `https://github.example.test/${repo.fullName}/actions/runs/${job.runId}/job/${job.id}`,
      created_at: '2026-03-02T10:00:00Z',
      started_at: '2026-03-02T10:01:00Z',
      completed_at: '2026-03-02T10:05:00Z',
      runner_name: 'GitHub Actions 2',
      steps: [],
      labels: ['ubuntu-latest'],
    },
    repository: githubRepository(repo),
    sender: { login: 'ada', id: 7, type: 'User' },
  };
}

export function workflowRunPayload(
  repo: GitHubRepo,
  run: { id: number; sha: string; branch: string; pullRequests: number[] },
): Json {
  return {
    action: 'completed',
    workflow_run: {
      id: run.id,
      name: 'CI',
      head_sha: run.sha,
      head_branch: run.branch,
      event: 'pull_request',
      status: 'completed',
      conclusion: 'failure',
      run_number: 3,
      run_attempt: 1,
      html_url: `https://github.example.test/${repo.fullName}/actions/runs/${run.id}`,
      created_at: '2026-03-02T10:00:00Z',
      run_started_at: '2026-03-02T10:00:30Z',
      updated_at: '2026-03-02T10:06:00Z',
      pull_requests: run.pullRequests.map((number) => ({ number, id: number + 1000 })),
      actor: { login: 'ada', id: 7, type: 'User' },
    },
    repository: githubRepository(repo),
    sender: { login: 'ada', id: 7, type: 'User' },
  };
}

/** A pull_request event (opened, synchronize, …) with its head commit and update time. */
export function pullRequestPayload(
  repo: GitHubRepo,
  pr: { number: number; action: string; headSha: string; branch: string; updatedAt: string },
): Json {
  return {
    action: pr.action,
    number: pr.number,
    pull_request: {
      id: repo.id * 100 + pr.number,
      number: pr.number,
      title: `Change ${pr.number}`,
      state: 'open',
      draft: false,
      user: { login: 'ada', id: 7, type: 'User' },
      head: { ref: pr.branch, sha: pr.headSha },
      base: { ref: 'main', sha: '0'.repeat(40) },
      html_url: `https://github.example.test/${repo.fullName}/pull/${pr.number}`,
      labels: [],
      created_at: '2026-03-02T09:00:00Z',
      updated_at: pr.updatedAt,
    },
    repository: githubRepository(repo),
    sender: { login: 'ada', id: 7, type: 'User' },
  };
}

/** POSTs a signed GitHub delivery; a new delivery id each time unless one is given. */
export async function sendGitHub(
  t: TestApp,
  event: string,
  payload: Json,
  deliveryId: string = randomUUID(),
): Promise<number> {
  const body = JSON.stringify(payload);
  const response = await t.request('POST', '/webhooks/github', {
    body,
    headers: githubHeaders(body, event, deliveryId),
    token: null,
  });
  return response.status;
}

export interface GitLabJobSpec {
  projectId: number;
  path: string;
  id: number;
  pipelineId: number;
  name: string;
  sha: string;
  ref: string;
  status: 'failed' | 'success';
  allowFailure: boolean;
}

export function gitlabJobPayload(job: GitLabJobSpec): Json {
  const name = job.path.slice(job.path.lastIndexOf('/') + 1);
  return {
    object_kind: 'build',
    ref: job.ref,
    tag: false,
    sha: job.sha,
    build_id: job.id,
    build_name: job.name,
    build_stage: 'test',
    build_status: job.status,
    build_created_at: '2026-03-02 10:00:00 UTC',
    build_started_at: '2026-03-02 10:01:00 UTC',
    build_finished_at: '2026-03-02 10:04:00 UTC',
    build_allow_failure: job.allowFailure,
    build_failure_reason: job.status === 'failed' ? 'script_failure' : 'unknown_failure',
    pipeline_id: job.pipelineId,
    project_id: job.projectId,
    project_name: name,
    user: { id: 3, name: 'Ada', username: 'ada', email: '[REDACTED]' },
    commit: { id: job.pipelineId, sha: job.sha, message: 'change', status: 'failed' },
    repository: { name, url: `git@gitlab.example.test:${job.path}.git`, homepage: '' },
    project: {
      id: job.projectId,
      name,
      path_with_namespace: job.path,
      default_branch: 'main',
      web_url: `https://gitlab.example.test/${job.path}`,
      visibility_level: 0,
    },
  };
}

export interface GitLabPipelineSpec {
  projectId: number;
  path: string;
  id: number;
  sha: string;
  ref: string;
  mergeRequest?: number;
}

/** A failed pipeline's Pipeline Hook, without its builds (the jobs are not in the payload). */
export function gitlabPipelinePayload(pipeline: GitLabPipelineSpec): Json {
  const name = pipeline.path.slice(pipeline.path.lastIndexOf('/') + 1);
  return {
    object_kind: 'pipeline',
    object_attributes: {
      id: pipeline.id,
      iid: 4,
      ref: pipeline.ref,
      tag: false,
      sha: pipeline.sha,
      source: pipeline.mergeRequest === undefined ? 'push' : 'merge_request_event',
      status: 'failed',
      created_at: '2026-03-02 10:00:00 UTC',
      finished_at: '2026-03-02 10:06:00 UTC',
      url: `https://gitlab.example.test/${pipeline.path}/-/pipelines/${pipeline.id}`,
    },
    merge_request:
      pipeline.mergeRequest === undefined
        ? null
        : { iid: pipeline.mergeRequest, source_branch: pipeline.ref, target_branch: 'main' },
    user: { id: 3, name: 'Ada', username: 'ada', email: '[REDACTED]' },
    project: {
      id: pipeline.projectId,
      name,
      path_with_namespace: pipeline.path,
      default_branch: 'main',
      web_url: `https://gitlab.example.test/${pipeline.path}`,
      visibility_level: 0,
    },
    builds: [],
  };
}

export async function sendGitLab(
  t: TestApp,
  payload: Json,
  uuid: string = randomUUID(),
  event = 'Job Hook',
) {
  const response = await t.request('POST', '/webhooks/gitlab', {
    body: JSON.stringify(payload),
    headers: {
      'content-type': 'application/json',
      'x-gitlab-event': event,
      'x-gitlab-event-uuid': uuid,
      'idempotency-key': uuid,
      'x-gitlab-token': GITLAB_HOOK_TOKEN,
    },
    token: null,
  });
  return response.status;
}

/** A 40-hex commit SHA unique to this run. */
export function sha(): string {
  return randomBytes(20).toString('hex');
}

export const uniqueNumber = (): number => Number.parseInt(randomUUID().slice(0, 7), 16);

/** A CI job of a run with its analysis (status and reason null while it has none). */
export interface RunJobRow {
  external_id: string;
  source: string;
  name: string;
  conclusion: string | null;
  allow_failure: boolean;
  status: string | null;
  reason: string | null;
}

/** The recorded jobs of a run (by the forge's run id), in the order of their forge ids. */
export function jobsOfRun(t: TestApp, runExternalId: string | number): Promise<RunJobRow[]> {
  return t.dataSource.query<RunJobRow[]>(
    `SELECT j.external_id, j.source, j.name, j.conclusion, j.allow_failure, a.status, a.reason
     FROM ci_jobs j LEFT JOIN analysis_jobs a ON a.ci_job_id = j.id
     WHERE j.run_external_id = $1 ORDER BY j.external_id`,
    [String(runExternalId)],
  );
}

/** The run's jobs once there are `count` and every one that did not succeed is analysed. */
export function settledJobsOfRun(
  t: TestApp,
  runExternalId: string | number,
  count: number,
): Promise<RunJobRow[]> {
  return eventually(
    async () => {
      const rows = await jobsOfRun(t, runExternalId);
      const failed = rows.filter((r) => r.conclusion !== 'success');
      return rows.length === count && failed.every((r) => r.status && r.status !== 'pending')
        ? rows
        : undefined;
    },
    60000,
    `the jobs of run ${runExternalId}`,
  );
}
