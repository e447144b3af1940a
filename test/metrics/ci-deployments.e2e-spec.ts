import { randomUUID } from 'node:crypto';
import { eventually, startTestApp, TestApp } from '../support/test-app';
import {
  Delivery,
  everything,
  fresh,
  gitlabAt,
  GITLAB_TOKEN,
  numericId,
  repositoryId,
  sendInOrder,
  sha,
  t,
  githubRepository,
  gitlabProject,
} from './deliveries';

/**
 * The CI deployment pattern on real deliveries: repositories that deploy from CI instead of
 * through the forge's deployments. GitHub workflow runs (and their jobs, and the check runs
 * GitHub sends beside them) and GitLab pipeline jobs go through the signed HTTP endpoint and
 * the worker; the setting is changed through the admin API. Every figure is computed by hand
 * from the timeline (comments show how).
 */

const run = randomUUID().slice(0, 8);
const WINDOW = 'from=2026-03-02&to=2026-03-09';

// ─── GitHub: workflow runs named "Deploy" ──────────────────────────────────────────────────

function githubCiScenario() {
  const repoId = numericId();
  const fullName = `acme-${run}/site-${repoId}`;
  const alice = { id: numericId(), login: `alice-${repoId}`, type: 'User' };
  const { repository, push } = githubRepository(fullName, repoId, alice, 'index.html');
  const s = { s0: sha(), a1: sha(), a2: sha(), a3: sha(), z1: sha(), b1: sha(), b2: sha() };
  interface RunSpec {
    id: number;
    name: string;
    branch: string;
    head: string;
    createdAt: string;
  }
  const workflowRun = (
    r: RunSpec,
    status: 'queued' | 'in_progress' | 'completed',
    conclusion: 'success' | 'failure' | null,
    updatedAt: string,
    attempt = 1,
  ): Delivery => ({
    forge: 'github',
    event: 'workflow_run',
    payload: {
      action:
        status === 'completed' ? 'completed' : status === 'queued' ? 'requested' : 'in_progress',
      workflow_run: {
        id: r.id,
        name: r.name,
        display_title: `commit ${r.head.slice(0, 7)}`,
        head_branch: r.branch,
        head_sha: r.head,
        path: `.github/workflows/${r.name.toLowerCase()}.yml`,
        run_number: r.id % 1000,
        run_attempt: attempt,
        event: 'push',
        status,
        conclusion,
        workflow_id: 7,
        html_url: `https://github.example.test/${fullName}/actions/runs/${r.id}`,
        pull_requests: [],
        created_at: r.createdAt,
        updated_at: updatedAt,
        run_started_at: r.createdAt,
        actor: alice,
        triggering_actor: alice,
        repository,
        head_repository: repository,
      },
      workflow: { id: 7, name: r.name, path: `.github/workflows/${r.name.toLowerCase()}.yml` },
      repository,
      sender: alice,
    },
  });
  /** The job "deploy" of a run, as workflow_job, and the check run GitHub sends beside it. */
  const deployJob = (r: RunSpec, startedAt: string, completedAt: string): Delivery[] => {
    const jobId = numericId();
    return [
      {
        forge: 'github',
        event: 'workflow_job',
        payload: {
          action: 'completed',
          workflow_job: {
            id: jobId,
            run_id: r.id,
            run_attempt: 1,
            workflow_name: r.name,
            head_branch: r.branch,
            head_sha: r.head,
            html_url: `https://github.example.test/${fullName}/actions/runs/${r.id}/job/${jobId}`,
            status: 'completed',
            conclusion: 'success',
            created_at: r.createdAt,
            started_at: startedAt,
            completed_at: completedAt,
            name: 'deploy',
            steps: [],
            labels: ['ubuntu-latest'],
            runner_name: 'GitHub Actions 2',
          },
          repository,
          sender: alice,
        },
      },
      {
        forge: 'github',
        event: 'check_run',
        payload: {
          action: 'completed',
          check_run: {
            id: jobId,
            name: 'deploy',
            head_sha: r.head,
            status: 'completed',
            conclusion: 'success',
            started_at: startedAt,
            completed_at: completedAt,
            html_url: `https://github.example.test/${fullName}/runs/${jobId}`,
            check_suite: { id: numericId(), head_branch: r.branch, head_sha: r.head },
            app: { id: 15368, slug: 'github-actions', name: 'GitHub Actions' },
            pull_requests: [],
          },
          repository,
          sender: alice,
        },
      },
    ];
  };
  const issue = (action: string, state: 'open' | 'closed', at: string, id: number): Delivery => ({
    forge: 'github',
    event: 'issues',
    payload: {
      action,
      issue: {
        id,
        number: 7,
        title: 'Site is down',
        state,
        user: alice,
        labels: [{ id: 1, name: 'incident' }],
        created_at: t(1, '11:00'),
        updated_at: at,
        closed_at: state === 'closed' ? at : null,
      },
      repository,
      sender: alice,
    },
  });
  const runOf = (name: string, branch: string, head: string, createdAt: string): RunSpec => ({
    id: numericId(),
    name,
    branch,
    head,
    createdAt,
  });
  const ci = runOf('CI', 'main', s.a1, t(0, '09:10'));
  const r1 = runOf('Deploy', 'main', s.a1, t(0, '09:40'));
  const r2 = runOf('Deploy', 'main', s.a3, t(0, '11:10'));
  const r3 = runOf('Deploy', 'feat-z', s.z1, t(0, '11:45'));
  const r4 = runOf('Deploy', 'main', s.a3, t(0, '12:40'));
  const r5 = runOf('Deploy', 'main', s.b1, t(1, '09:10'));
  const r6 = runOf('Deploy', 'main', s.b2, t(1, '12:10'));
  const incidentId = numericId();
  /** Sent while the repository has no CI deployment pattern. */
  const before: Delivery[] = [
    push('main', s.s0, [[s.a1, t(0, '09:00')]]),
    // A run of another workflow never counts.
    workflowRun(ci, 'completed', 'success', t(0, '09:30')),
    // R1 deploys A1 at 10:00: the baseline. Its job "deploy" (and the check run mirroring it)
    // is part of the run, not a deployment of its own.
    workflowRun(r1, 'queued', null, r1.createdAt),
    ...deployJob(r1, t(0, '09:45'), t(0, '09:58')),
    workflowRun(r1, 'completed', 'success', t(0, '10:00')),
    push('main', s.a1, [
      [s.a2, t(0, '10:30')],
      [s.a3, t(0, '11:00')],
    ]),
    // A failed run deployed nothing: not a deployment, neither successful nor failed.
    workflowRun(r2, 'completed', 'failure', t(0, '11:30')),
    // A run on another branch is not a production deployment.
    push('feat-z', s.a3, [[s.z1, t(0, '11:40')]]),
    workflowRun(r3, 'completed', 'success', t(0, '12:00')),
    // R4 deploys A3 at 13:00: ships A2 (13:00 − 10:30 = 9000) and A3 (13:00 − 11:00 = 7200).
    workflowRun(r4, 'completed', 'success', t(0, '13:00')),
  ];
  /** Sent after the pattern is set: the incremental path. */
  const after: Delivery[] = [
    // R1 is re-run and completes again at 10:15: one deployment, now at 10:15.
    workflowRun(r1, 'queued', null, t(0, '10:05'), 2),
    workflowRun(r1, 'completed', 'success', t(0, '10:15'), 2),
    // R5 deploys B1 (09:00) at 10:00: 3600.
    push('main', s.a3, [[s.b1, t(1, '09:00')]]),
    workflowRun(r5, 'in_progress', null, t(1, '09:15')),
    workflowRun(r5, 'completed', 'success', t(1, '10:00')),
    // An incident opened at 11:00 fails R5, the latest deployment before it.
    issue('opened', 'open', t(1, '11:00'), incidentId),
    // R6 fails at 12:30, is re-run and deploys B2 (12:00) at 13:00: 3600.
    push('main', s.b1, [[s.b2, t(1, '12:00')]]),
    workflowRun(r6, 'completed', 'failure', t(1, '12:30')),
    workflowRun(r6, 'completed', 'success', t(1, '13:00'), 2),
    // The incident closes at 14:00: R5 recovers after 14400 s; R6, the last deployment before
    // the close, is rework.
    issue('closed', 'closed', t(1, '14:00'), incidentId),
  ];
  return { fullName, before, after };
}

// ─── GitLab: pipeline jobs named "deploy-prod" ─────────────────────────────────────────────

function gitlabCiScenario() {
  const projectId = numericId();
  const path = `grp-${run}/web-${projectId}`;
  const ada = {
    id: numericId(),
    name: 'Ada',
    username: `ada-${projectId}`,
    email: `ada-${projectId}@example.test`,
  };
  const s = { l0: sha(), l1: sha(), l2: sha(), k1: sha(), l3: sha() };
  const { project, web, push } = gitlabProject(path, projectId, ada, 'app.rb');
  interface JobSpec {
    id: number;
    pipelineId: number;
    name: string;
    ref: string;
    head: string;
    createdAt: string;
    startedAt: string;
  }
  const job = (j: JobSpec, status: string, finishedAt: string | null): Delivery => ({
    forge: 'gitlab',
    event: 'Job Hook',
    payload: {
      object_kind: 'build',
      ref: j.ref,
      tag: false,
      before_sha: s.l0,
      sha: j.head,
      retries_count: 0,
      build_id: j.id,
      build_name: j.name,
      build_stage: j.name.startsWith('deploy') ? 'deploy' : 'build',
      build_status: status,
      build_created_at: gitlabAt(j.createdAt),
      build_started_at: gitlabAt(j.startedAt),
      build_finished_at: finishedAt === null ? null : gitlabAt(finishedAt),
      build_allow_failure: false,
      build_failure_reason: status === 'failed' ? 'script_failure' : 'unknown_failure',
      pipeline_id: j.pipelineId,
      project_id: projectId,
      project_name: `Grp / ${project.name}`,
      user: ada,
      commit: { id: j.pipelineId, sha: j.head, message: 'deploy', status, started_at: null },
      repository: { name: project.name, homepage: web },
      project,
      environment: null,
    },
  });
  const jobOf = (
    pipelineId: number,
    name: string,
    ref: string,
    head: string,
    createdAt: string,
    startedAt: string,
  ): JobSpec => ({ id: numericId(), pipelineId, name, ref, head, createdAt, startedAt });
  const p1 = numericId();
  const p2 = numericId();
  const p3 = numericId();
  const build1 = jobOf(p1, 'build', 'main', s.l1, t(0, '09:10'), t(0, '09:12'));
  const deploy1 = jobOf(p1, 'deploy-prod', 'main', s.l1, t(0, '09:10'), t(0, '09:50'));
  const pipeline1: Delivery = {
    forge: 'gitlab',
    event: 'Pipeline Hook',
    payload: {
      object_kind: 'pipeline',
      object_attributes: {
        id: p1,
        iid: 1,
        name: null,
        ref: 'main',
        tag: false,
        sha: s.l1,
        before_sha: s.l0,
        source: 'push',
        status: 'success',
        stages: ['build', 'deploy'],
        created_at: gitlabAt(t(0, '09:10')),
        finished_at: gitlabAt(t(0, '10:05')),
        url: `${web}/-/pipelines/${p1}`,
      },
      merge_request: null,
      user: ada,
      project,
      commit: { id: s.l1, message: 'deploy', timestamp: t(0, '09:00'), url: `${web}/-/commit/x` },
      builds: [
        {
          id: build1.id,
          stage: 'build',
          name: 'build',
          status: 'success',
          created_at: gitlabAt(t(0, '09:10')),
          started_at: gitlabAt(t(0, '09:12')),
          finished_at: gitlabAt(t(0, '09:20')),
        },
        {
          id: deploy1.id,
          stage: 'deploy',
          name: 'deploy-prod',
          status: 'success',
          created_at: gitlabAt(t(0, '09:10')),
          started_at: gitlabAt(t(0, '09:50')),
          finished_at: gitlabAt(t(0, '10:00')),
        },
      ],
    },
  };
  const first = push('main', s.l0, [[s.l1, t(0, '09:00')]]);
  const after: Delivery[] = [
    // P1's deploy-prod job deploys L1 at 10:00: the baseline. The build job, and the pipeline
    // (it has no name), are not deployments.
    job(build1, 'success', t(0, '09:20')),
    job(deploy1, 'success', t(0, '10:00')),
    pipeline1,
    push('main', s.l1, [[s.l2, t(0, '11:00')]]),
    // P2's deploy-prod fails at 11:30 (nothing deployed); its retry, a new job, deploys L2 at
    // 12:00: 3600.
    job(
      jobOf(p2, 'deploy-prod', 'main', s.l2, t(0, '11:05'), t(0, '11:20')),
      'failed',
      t(0, '11:30'),
    ),
    job(
      jobOf(p2, 'deploy-prod', 'main', s.l2, t(0, '11:35'), t(0, '11:50')),
      'success',
      t(0, '12:00'),
    ),
    // A deploy-prod job on a feature branch is not a production deployment.
    push('feat', s.l2, [[s.k1, t(0, '12:30')]]),
    job(
      jobOf(numericId(), 'deploy-prod', 'feat', s.k1, t(0, '12:35'), t(0, '12:40')),
      'success',
      t(0, '13:00'),
    ),
    // P3 deploys L3 (08:00) at 10:00 the next day: 7200. Running first, then done.
    push('main', s.l2, [[s.l3, t(1, '08:00')]]),
  ];
  const deploy3 = jobOf(p3, 'deploy-prod', 'main', s.l3, t(1, '09:00'), t(1, '09:05'));
  after.push(job(deploy3, 'running', null), job(deploy3, 'success', t(1, '10:00')));
  return { fullName: path, first, after };
}

// ─── The scenarios ─────────────────────────────────────────────────────────────────────────

describe('CI deployments: successful default-branch runs or jobs matching the pattern (GitHub, GitLab)', () => {
  let app: TestApp;
  const github = githubCiScenario();
  const gitlab = gitlabCiScenario();
  let githubId = '';
  let gitlabId = '';

  beforeAll(async () => {
    app = await startTestApp({ WORKER_CONCURRENCY: '4', GITLAB_WEBHOOK_TOKEN: GITLAB_TOKEN });
  }, 60000);

  afterAll(async () => {
    await app.close();
  });

  const dora = async (id: string) => {
    const response = await app.request('GET', `/api/v1/metrics/dora?repository=${id}&${WINDOW}`);
    expect(response.status).toBe(200);
    return response.json<Record<string, Record<string, unknown>>>();
  };
  const drillDown = async (id: string) => {
    const response = await app.request(
      'GET',
      `/api/v1/metrics/dora/deployments?repository=${id}&${WINDOW}`,
    );
    expect(response.status).toBe(200);
    return response.json<{ items: Array<Record<string, unknown>> }>().items.reverse();
  };
  const setPattern = async (id: string, pattern: string | null) => {
    const response = await app.request('PATCH', `/api/v1/admin/repositories/${id}/settings`, {
      json: { ciDeploymentPattern: pattern },
    });
    expect(response.status).toBe(200);
    expect(response.json()).toMatchObject({ ciDeploymentPattern: pattern });
  };
  /** Waits for the full recompute a settings change queues. */
  const recomputed = async (id: string, deployments: number) =>
    eventually(
      async () => {
        const figures = await dora(id);
        return figures.changeFailureRate.deployments === deployments ? figures : undefined;
      },
      30000,
      'the recompute after the settings change',
    );
  const leads = (deployment: Record<string, unknown>) =>
    (deployment.changes as Array<{ leadSeconds: number }>)
      .map((c) => c.leadSeconds)
      .sort((a, b) => a - b);

  it('GitHub: off by default, runs are recorded but no deployment counts', async () => {
    await sendInOrder(app, github.before);
    githubId = await repositoryId(app, github.fullName);
    await fresh(app, githubId);
    const settings = await app.request('GET', `/api/v1/admin/repositories/${githubId}/settings`);
    expect(settings.json()).toMatchObject({ ciDeploymentPattern: null, customized: false });
    const [recorded] = await app.dataSource.query<{ runs: string; jobs: string }[]>(
      `SELECT (SELECT count(*) FROM ci_runs WHERE repository_id = $1) AS runs,
              (SELECT count(*) FROM ci_jobs WHERE repository_id = $1) AS jobs`,
      [githubId],
    );
    expect(recorded).toEqual({ runs: '5', jobs: '2' });
    const figures = await dora(githubId);
    expect(figures.deploymentFrequency).toMatchObject({ deployments: 0, bucket: null });
    expect(figures.changeFailureRate).toMatchObject({ ratio: null, deployments: 0 });
    expect(figures.leadTimeForChanges).toMatchObject({ medianSeconds: null, changes: 0 });
    expect(await drillDown(githubId)).toEqual([]);
  });

  it('GitHub: the pattern set, the recorded runs count (full recompute)', async () => {
    await setPattern(githubId, '^deploy$');
    const figures = await recomputed(githubId, 2);
    // R1 (10:00, the baseline) and R4 (13:00) on 03-02; R2 failed, R3 ran on feat-z, CI is
    // another workflow. One deployment day in the window's one ISO week: weekly.
    expect(figures.deploymentFrequency).toEqual({
      deployments: 2,
      deploymentDays: 1,
      perWeek: 2,
      bucket: 'weekly',
    });
    // A2 9000, A3 7200: median 8100; p90 at rank 0.9 → 7200 + 0.9 × 1800 = 8820.
    expect(figures.leadTimeForChanges).toEqual({
      medianSeconds: 8100,
      p90Seconds: 8820,
      changes: 2,
      baselineDeployments: 1,
    });
    expect(figures.changeFailureRate).toEqual({ ratio: 0, failedDeployments: 0, deployments: 2 });
    expect(figures.failedDeploymentRecoveryTime).toMatchObject({
      medianSeconds: null,
      recoveries: 0,
      open: [],
    });
    expect(figures.deploymentReworkRate).toEqual({
      ratio: 0,
      reworkDeployments: 0,
      deployments: 2,
    });
    const items = await drillDown(githubId);
    expect(
      items.map((d) => [d.source, d.environment, d.finishedAt, d.outcome, d.baseline]),
    ).toEqual([
      ['ci_run', 'Deploy', t(0, '10:00'), 'success', true],
      ['ci_run', 'Deploy', t(0, '13:00'), 'success', false],
    ]);
    expect(items.map(leads)).toEqual([[], [7200, 9000]]);
  });

  it('GitHub: later runs, a re-run, an incident and its close, to the second (incremental)', async () => {
    await sendInOrder(app, github.after);
    await fresh(app, githubId);
    const figures = await dora(githubId);
    // R1 (re-run, 03-02 10:15), R4 (03-02 13:00), R5 (03-03 10:00), R6 (03-03 13:00).
    expect(figures.deploymentFrequency).toEqual({
      deployments: 4,
      deploymentDays: 2,
      perWeek: 4,
      bucket: 'weekly',
    });
    // 3600 (B1), 3600 (B2), 7200 (A3), 9000 (A2): median 5400; p90 at rank 2.7 →
    // 7200 + 0.7 × 1800 = 8460.
    expect(figures.leadTimeForChanges).toEqual({
      medianSeconds: 5400,
      p90Seconds: 8460,
      changes: 4,
      baselineDeployments: 1,
    });
    // R5 failed by the incident; R6's failed first attempt deployed nothing.
    expect(figures.changeFailureRate).toEqual({
      ratio: 0.25,
      failedDeployments: 1,
      deployments: 4,
    });
    // R5 10:00 → incident closed 14:00.
    expect(figures.failedDeploymentRecoveryTime).toEqual({
      medianSeconds: 14400,
      recoveries: 1,
      open: [],
    });
    expect(figures.deploymentReworkRate).toEqual({
      ratio: 0.25,
      reworkDeployments: 1,
      deployments: 4,
    });
    expect(figures.levels).toMatchObject({
      deploymentFrequency: { level: 'high' },
      leadTimeForChanges: { level: 'elite' },
      changeFailureRate: { level: 'low' },
      failedDeploymentRecoveryTime: { level: 'high' },
    });
    const items = await drillDown(githubId);
    expect(items.map((d) => [d.finishedAt, d.baseline, d.failedBy, d.rework])).toEqual([
      [t(0, '10:15'), true, null, false],
      [t(0, '13:00'), false, null, false],
      [t(1, '10:00'), false, 'incident', false],
      [t(1, '13:00'), false, null, true],
    ]);
    expect(items.map(leads)).toEqual([[], [7200, 9000], [3600], [3600]]);
    expect(items[2].recovery).toMatchObject({ recoveredAt: t(1, '14:00'), seconds: 14400 });
  });

  it('GitHub: a full recompute gives the same figures; the pattern removed, none count', async () => {
    const incremental = await everything(app, githubId, WINDOW);
    const before = await app.dataSource.query<{ id: string }[]>(
      'SELECT id FROM metric_deployments WHERE repository_id = $1',
      [githubId],
    );
    const trigger = await app.request(
      'POST',
      `/api/v1/admin/repositories/${githubId}/metrics/refresh`,
    );
    expect(trigger.status).toBe(202);
    await eventually(
      async () => {
        const rows = await app.dataSource.query<{ id: string }[]>(
          'SELECT id FROM metric_deployments WHERE repository_id = $1 AND id = ANY($2::uuid[])',
          [githubId, before.map((r) => r.id)],
        );
        return rows.length === 0 ? true : undefined;
      },
      30000,
      'the full recompute',
    );
    expect(await everything(app, githubId, WINDOW)).toEqual(incremental);

    await setPattern(githubId, null);
    const figures = await recomputed(githubId, 0);
    expect(figures.deploymentFrequency).toMatchObject({ deployments: 0, bucket: null });
  }, 60000);

  it('GitLab: deploy-prod jobs on the default branch count; failed, other-branch and unnamed pipelines do not', async () => {
    await sendInOrder(app, [gitlab.first]);
    gitlabId = await repositoryId(app, gitlab.fullName);
    await setPattern(gitlabId, '^deploy-prod$');
    await sendInOrder(app, gitlab.after);
    await fresh(app, gitlabId);
    const figures = await dora(gitlabId);
    // 03-02 10:00 (the baseline), 03-02 12:00, 03-03 10:00: 2 days, weekly.
    expect(figures.deploymentFrequency).toEqual({
      deployments: 3,
      deploymentDays: 2,
      perWeek: 3,
      bucket: 'weekly',
    });
    // L2 3600 (12:00 − 11:00), L3 7200 (10:00 − 08:00): median 5400, p90 3600 + 0.9 × 3600.
    expect(figures.leadTimeForChanges).toEqual({
      medianSeconds: 5400,
      p90Seconds: 6840,
      changes: 2,
      baselineDeployments: 1,
    });
    expect(figures.changeFailureRate).toEqual({ ratio: 0, failedDeployments: 0, deployments: 3 });
    expect(figures.failedDeploymentRecoveryTime).toMatchObject({
      medianSeconds: null,
      recoveries: 0,
      open: [],
    });
    expect(figures.deploymentReworkRate).toEqual({
      ratio: 0,
      reworkDeployments: 0,
      deployments: 3,
    });
    const items = await drillDown(gitlabId);
    expect(items.map((d) => [d.source, d.environment, d.finishedAt, d.baseline])).toEqual([
      ['ci_job', 'deploy-prod', t(0, '10:00'), true],
      ['ci_job', 'deploy-prod', t(0, '12:00'), false],
      ['ci_job', 'deploy-prod', t(1, '10:00'), false],
    ]);
    expect(items.map(leads)).toEqual([[], [3600], [7200]]);
  });
});
