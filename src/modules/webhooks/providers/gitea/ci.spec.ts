import type { CiJobEvent, CiRunEvent } from '../../../activity/domain-events';
import { normalizeGitea } from './normalize';

type Json = Record<string, unknown>;

const HEAD = 'c'.repeat(40);
const repository = {
  id: 5,
  name: 'widgets',
  full_name: 'acme/widgets',
  private: true,
  html_url: 'https://gitea.example/acme/widgets',
  default_branch: 'main',
};
const sender = { id: 1, login: 'ada', full_name: 'Ada' };

/** ActionWorkflowRun / ActionWorkflowJob as Gitea 1.24+ writes them into its webhooks. */
function runPayload(run: Json = {}, extra: Json = {}): Json {
  return {
    action: 'completed',
    workflow: { id: 'ci.yml', name: 'CI', path: '.gitea/workflows/ci.yml' },
    workflow_run: {
      id: 44,
      html_url: 'https://gitea.example/acme/widgets/actions/runs/44',
      display_title: 'Fix the build',
      event: 'pull_request',
      run_attempt: 1,
      run_number: 9,
      head_sha: HEAD,
      head_branch: 'feature',
      status: 'completed',
      conclusion: 'failure',
      started_at: '2026-03-02T10:00:30Z',
      completed_at: '2026-03-02T10:06:00Z',
      ...run,
    },
    repository,
    sender,
    ...extra,
  };
}

function jobPayload(job: Json = {}): Json {
  return {
    action: 'completed',
    workflow_job: {
      id: 301,
      run_id: 44,
      name: 'test',
      head_sha: HEAD,
      head_branch: 'feature',
      status: 'completed',
      conclusion: 'failure',
      runner_name: 'runner-1',
      html_url: 'https://gitea.example/acme/widgets/actions/runs/44/jobs/0',
      created_at: '2026-03-02T10:00:00Z',
      started_at: '2026-03-02T10:01:00Z',
      completed_at: '2026-03-02T10:04:00Z',
      ...job,
    },
    repository,
    sender,
  };
}

function only<T>(events: unknown[]): T {
  expect(events).toHaveLength(1);
  return events[0] as T;
}

describe('Gitea Actions webhooks', () => {
  it('maps a failed workflow_run to a completed run with its pull request', () => {
    const payload = runPayload({}, { pull_request: { id: 900, number: 3, state: 'open' } });
    const event = only<CiRunEvent>(normalizeGitea('workflow_run', payload, {}));
    expect(event.run).toMatchObject({
      externalId: '44',
      source: 'workflow_run',
      name: 'CI',
      status: 'completed',
      conclusion: 'failure',
      headSha: HEAD,
      headBranch: 'feature',
      runNumber: 9,
      pullRequestNumbers: [3],
      startedAt: '2026-03-02T10:00:30Z',
      completedAt: '2026-03-02T10:06:00Z',
      updatedAt: '2026-03-02T10:06:00Z',
    });
    expect(event.repository.fullName).toBe('acme/widgets');
  });

  it('maps a failed workflow_job to a job of its run', () => {
    const event = only<CiJobEvent>(normalizeGitea('workflow_job', jobPayload(), {}));
    expect(event.job).toMatchObject({
      externalId: '301',
      runExternalId: '44',
      source: 'workflow_job',
      name: 'test',
      status: 'completed',
      conclusion: 'failure',
      runnerName: 'runner-1',
      createdAt: '2026-03-02T10:00:00Z',
      completedAt: '2026-03-02T10:04:00Z',
    });
  });

  it("reads Go's zero time as not set, and a blocked job as queued", () => {
    const event = only<CiJobEvent>(
      normalizeGitea(
        'workflow_job',
        jobPayload({
          status: 'waiting',
          conclusion: undefined,
          started_at: '0001-01-01T00:00:00Z',
          completed_at: '0001-01-01T00:00:00Z',
        }),
        {},
      ),
    );
    expect(event.job.status).toBe('queued');
    expect(event.job.startedAt).toBeUndefined();
    expect(event.job.completedAt).toBeUndefined();
    expect(event.occurredAt).toBe('2026-03-02T10:00:00Z');
  });

  it('keeps a cancelled job cancelled and a queued run without any time out of the record', () => {
    const cancelled = only<CiJobEvent>(
      normalizeGitea('workflow_job', jobPayload({ conclusion: 'cancelled' }), {}),
    );
    expect(cancelled.job.conclusion).toBe('cancelled');
    const queued = runPayload({
      status: 'queued',
      conclusion: undefined,
      started_at: '0001-01-01T00:00:00Z',
      completed_at: '0001-01-01T00:00:00Z',
    });
    expect(normalizeGitea('workflow_run', queued, {})).toEqual([]);
  });

  it('refuses an unknown status with the path', () => {
    expect(() => normalizeGitea('workflow_job', jobPayload({ status: 'exploded' }), {})).toThrow(
      /workflow_job\.status/,
    );
  });
});
