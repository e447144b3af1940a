import { randomUUID } from 'node:crypto';
import { giteaJob } from '../support/fake-forge/ci-objects';
import { hmacHex, hubSignature } from '../support/signing';
import { TestApp } from '../support/test-app';
import { Json } from './analysis-support';

export const GITEA_HOOK_SECRET = 'gitea-analysis-hook-secret';
export const BITBUCKET_HOOK_SECRET = 'bitbucket-analysis-hook-secret';

/**
 * Webhook bodies of Gitea Actions (workflow_run / workflow_job: WorkflowRunPayload and
 * WorkflowJobPayload of modules/structs, with ActionWorkflowRun / ActionWorkflowJob inside) and
 * of Bitbucket Cloud's build status events as Pipelines sends them (repo:commit_status_*: the
 * key an opaque number, the name "Pipeline #N for <branch>", the url the build's result page).
 */

export interface GiteaRepo {
  id: number;
  fullName: string;
}

function giteaRepository(repo: GiteaRepo, web: string): Json {
  const [owner, name] = repo.fullName.split('/');
  return {
    id: repo.id,
    owner: { id: repo.id + 1, login: owner, username: owner },
    name,
    full_name: repo.fullName,
    private: true,
    html_url: `${web}/${repo.fullName}`,
    default_branch: 'main',
  };
}

const GITEA_SENDER = { id: 7, login: 'ada', username: 'ada', full_name: 'Ada' };

export function giteaWorkflowRunPayload(
  repo: GiteaRepo,
  web: string,
  run: { id: number; sha: string; branch: string; pullRequest?: number },
): Json {
  return {
    action: 'completed',
    workflow: { id: 'ci.yml', name: 'CI', path: '.gitea/workflows/ci.yml', state: 'active' },
    workflow_run: {
      id: run.id,
      url: `${web}/api/v1/repos/${repo.fullName}/actions/runs/${run.id}`,
      html_url: `${web}/${repo.fullName}/actions/runs/${run.id}`,
      display_title: 'Change the build',
      path: 'ci.yml@refs/heads/' + run.branch,
      event: run.pullRequest === undefined ? 'push' : 'pull_request',
      run_attempt: 1,
      run_number: 12,
      head_sha: run.sha,
      head_branch: run.branch,
      status: 'completed',
      conclusion: 'failure',
      started_at: '2026-03-02T10:00:30Z',
      completed_at: '2026-03-02T10:06:00Z',
    },
    ...(run.pullRequest === undefined
      ? {}
      : {
          pull_request: {
            id: run.pullRequest + 900,
            number: run.pullRequest,
            state: 'open',
            title: `Change ${run.pullRequest}`,
            head: { ref: run.branch, sha: run.sha },
            base: { ref: 'main' },
          },
        }),
    repository: giteaRepository(repo, web),
    sender: GITEA_SENDER,
  };
}

export function giteaWorkflowJobPayload(
  repo: GiteaRepo,
  web: string,
  job: { id: number; runId: number; name: string; sha: string; branch: string },
): Json {
  // The webhook carries the same ActionWorkflowJob as the API answers.
  const workflowJob = giteaJob({ ...job, conclusion: 'failure' }, repo.fullName, web);
  return {
    action: 'completed',
    workflow_job: workflowJob,
    repository: giteaRepository(repo, web),
    sender: GITEA_SENDER,
  };
}

export async function sendGitea(t: TestApp, event: string, payload: Json): Promise<number> {
  const body = JSON.stringify(payload);
  const response = await t.request('POST', '/webhooks/gitea', {
    body,
    headers: {
      'content-type': 'application/json',
      'x-gitea-event': event,
      'x-gitea-delivery': randomUUID(),
      'x-gitea-signature': hmacHex(GITEA_HOOK_SECRET, body),
    },
    token: null,
  });
  return response.status;
}

export interface BitbucketRepo {
  uuid: string;
  fullName: string;
}

export function bitbucketCommitStatusPayload(
  repo: BitbucketRepo,
  web: string,
  status: { buildNumber: number; sha: string; branch: string; state: 'FAILED' | 'INPROGRESS' },
): Json {
  const api = `${web}/2.0/repositories/${repo.fullName}`;
  return {
    repository: {
      type: 'repository',
      full_name: repo.fullName,
      name: repo.fullName.split('/')[1],
      uuid: repo.uuid,
      is_private: true,
      links: { html: { href: `${web}/${repo.fullName}` } },
    },
    actor: {
      type: 'user',
      nickname: 'ada',
      display_name: 'Ada',
      uuid: '{7d1e2f40-0000-4000-8000-000000000007}',
    },
    commit_status: {
      key: '-1879968562',
      type: 'build',
      state: status.state,
      name: `Pipeline #${status.buildNumber} for ${status.branch}`,
      refname: status.branch,
      commit: { type: 'commit', hash: status.sha },
      url: `${web}/${repo.fullName}/addon/pipelines/home#!/results/${status.buildNumber}`,
      description: '',
      created_on: '2026-03-02T10:00:44.273346+00:00',
      updated_on: '2026-03-02T10:06:30.843946+00:00',
      links: {
        self: { href: `${api}/commit/${status.sha}/statuses/build/-1879968562` },
        commit: { href: `${api}/commit/${status.sha}` },
      },
    },
  };
}

export async function sendBitbucket(t: TestApp, event: string, payload: Json): Promise<number> {
  const body = JSON.stringify(payload);
  const response = await t.request('POST', '/webhooks/bitbucket', {
    body,
    headers: {
      'content-type': 'application/json',
      'x-event-key': event,
      'x-request-uuid': randomUUID(),
      'x-hub-signature': hubSignature(body, BITBUCKET_HOOK_SECRET),
    },
    token: null,
  });
  return response.status;
}

/** A log as a Gitea or Bitbucket runner serves it: a few runner lines around the tool's output. */
export function asRunnerLog(toolOutput: string, command: string): string {
  return ['+ umask 000', `+ ${command}`, ...toolOutput.replace(/\n$/, '').split('\n'), ''].join(
    '\n',
  );
}
