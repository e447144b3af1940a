import { StoredRunJob } from './github-objects';

/**
 * CI objects of Gitea Actions and Bitbucket Pipelines as their APIs answer them: Gitea's
 * ActionWorkflowJob (modules/structs/repo_actions.go, GET …/actions/runs/{run}/jobs →
 * `{ workflow_jobs, total_count }`), Bitbucket's `pipeline` and `pipeline_step` (REST API 2.0,
 * paginated `{ values, page, pagelen, size, next }`).
 */

/** Go's zero time, which Gitea writes for a time not set yet. */
const GO_ZERO_TIME = '0001-01-01T00:00:00Z';

export function giteaJob(job: StoredRunJob, repo: string, base: string): Record<string, unknown> {
  const web = `${base}/${repo}`;
  return {
    id: job.id,
    url: `${base}/api/v1/repos/${repo}/actions/jobs/${job.id}`,
    html_url: `${web}/actions/runs/${job.runId}/jobs/0`,
    run_id: job.runId,
    run_url: `${base}/api/v1/repos/${repo}/actions/runs/${job.runId}`,
    name: job.name,
    labels: ['ubuntu-latest'],
    run_attempt: 1,
    head_sha: job.sha,
    head_branch: job.branch,
    status: 'completed',
    conclusion: job.conclusion,
    runner_id: 3,
    runner_name: 'gitea-runner-1',
    steps: [],
    created_at: '2026-03-02T10:00:00Z',
    started_at: job.conclusion === 'cancelled' ? GO_ZERO_TIME : '2026-03-02T10:01:00Z',
    completed_at: '2026-03-02T10:04:00Z',
  };
}

export interface StoredPipelineStep {
  uuid: string;
  name: string;
  /** Bitbucket's step result: SUCCESSFUL, FAILED, ERROR, STOPPED, NOT_RUN. */
  result: 'SUCCESSFUL' | 'FAILED' | 'ERROR' | 'STOPPED' | 'NOT_RUN';
}

export interface StoredPipeline {
  uuid: string;
  buildNumber: number;
  sha: string;
  branch: string;
  steps: StoredPipelineStep[];
}

export function bitbucketPipeline(p: StoredPipeline, repo: string): Record<string, unknown> {
  const failed = p.steps.some((s) => s.result === 'FAILED' || s.result === 'ERROR');
  return {
    type: 'pipeline',
    uuid: p.uuid,
    build_number: p.buildNumber,
    creator: { type: 'user', display_name: 'Ada', nickname: 'ada' },
    repository: { type: 'repository', full_name: repo },
    target: {
      type: 'pipeline_ref_target',
      ref_type: 'branch',
      ref_name: p.branch,
      commit: { type: 'commit', hash: p.sha },
    },
    trigger: { type: 'pipeline_trigger_push' },
    state: {
      type: 'pipeline_state_completed',
      name: 'COMPLETED',
      result: { type: 'pipeline_state_completed_result', name: failed ? 'FAILED' : 'SUCCESSFUL' },
    },
    created_on: '2026-03-02T10:00:00.000000Z',
    completed_on: '2026-03-02T10:06:00.000000Z',
    build_seconds_used: 360,
  };
}

export function bitbucketStep(
  p: StoredPipeline,
  step: StoredPipelineStep,
): Record<string, unknown> {
  return {
    type: 'pipeline_step',
    uuid: step.uuid,
    name: step.name,
    pipeline: { type: 'pipeline', uuid: p.uuid },
    state: {
      type: 'pipeline_step_state_completed',
      name: 'COMPLETED',
      result: { type: 'pipeline_step_state_completed_result', name: step.result },
    },
    started_on: '2026-03-02T10:01:00.000000Z',
    completed_on: '2026-03-02T10:04:00.000000Z',
    image: { name: 'node:22' },
    script_commands: [{ name: 'npm test', command: 'npm test' }],
  };
}

/** A Bitbucket page of `values` (every item on one page: the fake's lists are short). */
export function bitbucketPage(values: unknown[]): Record<string, unknown> {
  return { page: 1, pagelen: 100, size: values.length, values };
}
