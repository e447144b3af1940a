import { ForgeCiJob } from '../forge-types';

/** ActionWorkflowJob of Gitea's API (modules/structs/repo_actions.go), the fields read. */
export interface GiteaWorkflowJob {
  id: number;
  run_id?: number;
  name: string;
  head_sha?: string;
  head_branch?: string;
  status?: string;
  conclusion?: string;
  html_url?: string;
  runner_name?: string;
  created_at?: string;
  started_at?: string;
  completed_at?: string;
}

/** Go writes an unset time as its zero value. */
function timeOf(value: string | undefined): string | undefined {
  return value === undefined || value === '' || value.startsWith('0001-') ? undefined : value;
}

function statusOf(status: string | undefined): ForgeCiJob['status'] {
  if (status === 'completed') return 'completed';
  return status === 'in_progress' || status === 'running' ? 'in_progress' : 'queued';
}

const CONCLUSIONS = new Set(['success', 'failure', 'cancelled', 'skipped']);

export function toForgeCiJob(job: GiteaWorkflowJob, runId: string): ForgeCiJob {
  const createdAt = timeOf(job.created_at) ?? timeOf(job.started_at) ?? new Date().toISOString();
  return {
    externalId: String(job.id),
    runExternalId: job.run_id === undefined ? runId : String(job.run_id),
    name: job.name,
    status: statusOf(job.status),
    conclusion:
      job.conclusion !== undefined && CONCLUSIONS.has(job.conclusion) ? job.conclusion : undefined,
    headSha: job.head_sha ?? '',
    headBranch: job.head_branch || undefined,
    stage: undefined,
    url: job.html_url || undefined,
    runnerName: job.runner_name || undefined,
    // Gitea's API does not say whether a job may fail (continue-on-error).
    allowFailure: false,
    createdAt,
    startedAt: timeOf(job.started_at),
    completedAt: timeOf(job.completed_at),
  };
}
