import { randomInt, randomUUID } from 'node:crypto';
import { MetricsUpkeepTask } from '../../src/modules/metrics/metrics-upkeep.task';
import { RollupRepository } from '../../src/modules/metrics/rollup.repository';
import { ValueBinsRepository } from '../../src/modules/metrics/value-bins.repository';
import { eventually, startTestApp, TestApp } from '../support/test-app';
import {
  Delivery,
  everything,
  fresh,
  gitlabAt,
  GITLAB_TOKEN,
  Json,
  numericId,
  repositoryId,
  send,
  sendInOrder,
  settled,
  sha,
  t,
  GithubPusher,
  githubRepository,
  gitlabProject,
} from './deliveries';

/**
 * The metrics definitions on real deliveries: GitHub and GitLab webhooks through the signed
 * HTTP endpoint, the queue, the worker and the metrics.refresh follow-up, then the API. Every
 * expected figure below is computed by hand from the scenario's timeline (comments show how).
 */

const run = randomUUID().slice(0, 8);
const WINDOW = 'from=2026-03-02&to=2026-03-09';

// ─── GitHub ────────────────────────────────────────────────────────────────────────────────

const ghUser = (id: number, login: string, bot = false): GithubPusher => ({
  id,
  login,
  type: bot ? 'Bot' : 'User',
  avatar_url: `https://avatars.example.test/${login}`,
});

/** The GitHub scenario for one repository; ids are fresh per call so several can coexist. */
function githubScenario(): { fullName: string; deliveries: Delivery[] } {
  const repoId = numericId();
  const fullName = `acme-${run}/shop-${repoId}`;
  const alice = ghUser(numericId(), `alice-${repoId}`);
  const bob = ghUser(numericId(), `bob-${repoId}`);
  const carol = ghUser(numericId(), `carol-${repoId}`);
  const bot = ghUser(numericId(), `ci-${repoId}[bot]`, true);
  const { repository, push } = githubRepository(fullName, repoId, alice, 'README.md');
  const s = {
    s0: sha(),
    a1: sha(),
    a2: sha(),
    a3: sha(),
    f1: sha(),
    f2: sha(),
    m1: sha(),
    g1: sha(),
    sq: sha(),
    h1: sha(),
  };
  const deploymentIds = new Map<string, number>();
  const deployment = (key: string, sha: string, state: string, at: string, env = 'production') => {
    const id = deploymentIds.get(key) ?? numericId();
    deploymentIds.set(key, id);
    const created = new Date(Date.parse(at) - 5 * 60_000).toISOString();
    const d = {
      id,
      sha,
      ref: 'main',
      task: 'deploy',
      environment: env,
      production_environment: env === 'production',
      creator: alice,
      created_at: created,
      updated_at: at,
    };
    return [
      {
        forge: 'github',
        event: 'deployment',
        payload: {
          action: 'created',
          deployment: { ...d, updated_at: created },
          repository,
          sender: alice,
        },
      },
      {
        forge: 'github',
        event: 'deployment_status',
        payload: {
          action: 'created',
          deployment_status: {
            id: numericId(),
            state,
            creator: alice,
            created_at: at,
            updated_at: at,
          },
          deployment: d,
          repository,
          sender: alice,
        },
      },
    ] as Delivery[];
  };
  interface PrSpec {
    id: number;
    number: number;
    head: string;
    createdAt: string;
    mergedAt: string;
    mergeSha: string;
    additions: number;
    deletions: number;
    draft: boolean;
  }
  const pr1: PrSpec = {
    id: numericId(),
    number: 1,
    head: 'feat-x',
    createdAt: t(1, '09:30'),
    mergedAt: t(1, '12:00'),
    mergeSha: s.m1,
    additions: 10,
    deletions: 2,
    draft: false,
  };
  const pr2: PrSpec = {
    id: numericId(),
    number: 2,
    head: 'feat-y',
    createdAt: t(2, '08:30'),
    mergedAt: t(2, '13:00'),
    mergeSha: s.sq,
    additions: 30,
    deletions: 0,
    draft: true,
  };
  const prPayload = (
    p: PrSpec,
    state: 'open' | 'merged',
    updatedAt: string,
    draft: boolean,
  ): Json => ({
    id: p.id,
    number: p.number,
    title: `PR ${p.number}`,
    state: state === 'merged' ? 'closed' : 'open',
    draft,
    user: alice,
    head: { ref: p.head, sha: sha() },
    base: { ref: 'main', sha: sha() },
    html_url: `https://github.example.test/${fullName}/pull/${p.number}`,
    labels: [],
    created_at: p.createdAt,
    updated_at: updatedAt,
    closed_at: state === 'merged' ? p.mergedAt : null,
    merged_at: state === 'merged' ? p.mergedAt : null,
    merged: state === 'merged',
    merge_commit_sha: state === 'merged' ? p.mergeSha : null,
    merged_by: state === 'merged' ? bob : null,
    additions: p.additions,
    deletions: p.deletions,
    changed_files: 1,
    commits: 2,
  });
  const prEvent = (
    p: PrSpec,
    action: string,
    state: 'open' | 'merged',
    at: string,
    draft: boolean,
  ): Delivery => ({
    forge: 'github',
    event: 'pull_request',
    payload: {
      action,
      number: p.number,
      pull_request: prPayload(p, state, at, draft),
      repository,
      sender: alice,
    },
  });
  const review = (p: PrSpec, by: Json, at: string): Delivery => ({
    forge: 'github',
    event: 'pull_request_review',
    payload: {
      action: 'submitted',
      review: {
        id: numericId(),
        user: by,
        body: 'ok',
        state: 'approved',
        submitted_at: at,
        commit_id: sha(),
      },
      pull_request: prPayload(p, 'open', at, false),
      repository,
      sender: by,
    },
  });
  const prComment = (p: PrSpec, by: Json, at: string): Delivery => ({
    forge: 'github',
    event: 'issue_comment',
    payload: {
      action: 'created',
      issue: {
        id: p.id + 1,
        number: p.number,
        title: `PR ${p.number}`,
        state: 'open',
        user: alice,
        labels: [],
        pull_request: { url: 'x' },
        created_at: p.createdAt,
        updated_at: at,
      },
      comment: { id: numericId(), body: 'looks good', user: by, created_at: at, updated_at: at },
      repository,
      sender: by,
    },
  });
  const incidentId = numericId();
  const incident = (action: string, state: 'open' | 'closed', at: string): Delivery => ({
    forge: 'github',
    event: 'issues',
    payload: {
      action,
      issue: {
        id: incidentId,
        number: 10,
        title: 'Checkout is down',
        state,
        user: bob,
        labels: [{ id: 1, name: 'Incident' }],
        created_at: t(2, '16:00'),
        updated_at: at,
        closed_at: state === 'closed' ? at : null,
      },
      repository,
      sender: bob,
    },
  });
  const deliveries: Delivery[] = [
    // Linear pushes; D1 is the baseline, D2 ships A2 (12:00 − 11:00) and A3 (12:00 − 11:30).
    push('main', s.s0, [[s.a1, t(0, '09:00')]]),
    ...deployment('d1', s.a1, 'success', t(0, '10:00')),
    push('main', s.a1, [
      [s.a2, t(0, '11:00')],
      [s.a3, t(0, '11:30')],
    ]),
    ...deployment('d2', s.a3, 'success', t(0, '12:00')),
    // A staging deployment never counts.
    ...deployment('stage', s.a3, 'failure', t(0, '12:30'), 'staging'),
    // PR 1, merge commit M1: feature pushes, a bot review (ignored), bob's review, merge.
    push('feat-x', s.a3, [[s.f1, t(1, '08:00')]]),
    push('feat-x', s.f1, [[s.f2, t(1, '09:00')]]),
    prEvent(pr1, 'opened', 'open', pr1.createdAt, false),
    review(pr1, bot, t(1, '10:00')),
    review(pr1, bob, t(1, '10:30')),
    prEvent(pr1, 'closed', 'merged', pr1.mergedAt, false),
    push('main', s.a3, [
      [s.f1, t(1, '08:00')],
      [s.f2, t(1, '09:00')],
      [s.m1, t(1, '12:00')],
    ]),
    // D3 fails at 13:00; D4 (same sha) recovers it at 14:00 and is rework.
    ...deployment('d3', s.m1, 'failure', t(1, '13:00')),
    ...deployment('d4', s.m1, 'success', t(1, '14:00')),
    // PR 2: opened as a draft, ready at 10:00, bob comments 11:00, carol reviews 12:00, squash.
    push('feat-y', s.m1, [[s.g1, t(2, '08:00')]]),
    prEvent(pr2, 'opened', 'open', pr2.createdAt, true),
    prEvent(pr2, 'ready_for_review', 'open', t(2, '10:00'), false),
    prComment(pr2, bob, t(2, '11:00')),
    review(pr2, carol, t(2, '12:00')),
    prEvent(pr2, 'closed', 'merged', pr2.mergedAt, false),
    push('main', s.m1, [[s.sq, t(2, '13:00')]]),
    ...deployment('d5', s.sq, 'success', t(2, '15:00')),
    // The incident opened at 16:00 is attributed to D5; D6 (09:00) is the last deployment
    // before it closes (10:00), so D6 is rework and D5 recovers at 10:00.
    incident('opened', 'open', t(2, '16:00')),
    push('main', s.sq, [[s.h1, t(3, '08:00')]]),
    ...deployment('d6', s.h1, 'success', t(3, '09:00')),
    incident('closed', 'closed', t(3, '10:00')),
  ];
  return { fullName, deliveries };
}

// ─── GitLab ────────────────────────────────────────────────────────────────────────────────

function gitlabScenario(): { fullName: string; deliveries: Delivery[] } {
  const projectId = numericId();
  const path = `grp-${run}/api-${projectId}`;
  const ada = {
    id: numericId(),
    name: 'Ada',
    username: `ada-${projectId}`,
    email: `ada-${projectId}@example.test`,
  };
  const bob = { id: numericId(), name: 'Bob', username: `bob-${projectId}`, email: '[REDACTED]' };
  const s = { l0: sha(), l1: sha(), l2: sha(), k1: sha(), n1: sha() };
  const { project, web, push } = gitlabProject(path, projectId, ada, 'README.md');
  const deployment = (
    head: string,
    status: string,
    at: string,
    env: string,
    tier: string,
  ): Delivery => ({
    forge: 'gitlab',
    event: 'Deployment Hook',
    payload: {
      object_kind: 'deployment',
      status,
      status_changed_at: gitlabAt(at),
      deployment_id: numericId(),
      deployable_id: numericId(),
      deployable_url: `${web}/-/jobs/1`,
      environment: env,
      environment_tier: tier,
      environment_slug: env,
      project,
      short_sha: head.slice(0, 8),
      user: ada,
      commit_url: `${web}/-/commit/${head}`,
      commit_title: 'deploy',
      ref: 'main',
    },
  });
  const mrId = numericId();
  const mr = (
    action: string,
    state: string,
    updatedAt: string,
    actor: Json,
    extra: Json = {},
  ): Delivery => ({
    forge: 'gitlab',
    event: 'Merge Request Hook',
    payload: {
      object_kind: 'merge_request',
      event_type: 'merge_request',
      user: actor,
      project,
      object_attributes: {
        id: mrId,
        iid: 1,
        target_branch: 'main',
        source_branch: 'feat',
        author_id: ada.id,
        title: 'Faster API',
        state,
        action,
        draft: false,
        created_at: gitlabAt(t(1, '09:00')),
        updated_at: gitlabAt(updatedAt),
        url: `${web}/-/merge_requests/1`,
        last_commit: {
          id: s.k1,
          message: 'k1',
          timestamp: t(1, '08:00'),
          author: { name: 'Ada', email: ada.email },
        },
        ...extra,
      },
      labels: [],
      changes: {},
    },
  });
  const deliveries: Delivery[] = [
    // Tier production with a name the default pattern does not match: counts by tier.
    push('main', s.l0, [[s.l1, t(0, '09:00')]]),
    deployment(s.l1, 'success', t(0, '10:00'), 'live', 'production'),
    push('main', s.l1, [[s.l2, t(0, '12:00')]]),
    deployment(s.l2, 'success', t(0, '13:00'), 'live', 'production'),
    deployment(s.l2, 'failed', t(0, '13:30'), 'review/feat', 'development'),
    push('feat', s.l2, [[s.k1, t(1, '08:00')]]),
    mr('open', 'opened', t(1, '09:00'), ada),
    mr('approved', 'opened', t(1, '10:00'), bob),
    mr('merge', 'merged', t(1, '11:00'), ada, { merge_commit_sha: s.n1 }),
    push('main', s.l2, [
      [s.k1, t(1, '08:00')],
      [s.n1, t(1, '11:00')],
    ]),
    deployment(s.n1, 'failed', t(1, '12:00'), 'live', 'production'),
    deployment(s.n1, 'success', t(1, '12:30'), 'live', 'production'),
  ];
  return { fullName: path, deliveries };
}

// ─── Sending and waiting ───────────────────────────────────────────────────────────────────

/**
 * Sends the deliveries in a random order, one at a time, and after each one runs the
 * incremental refresh at once (as the follow-up job would), so that every intermediate,
 * out-of-order state of the record goes through the incremental path.
 */
async function sendShuffled(app: TestApp, deliveries: Delivery[], fullName: string): Promise<void> {
  const shuffled = [...deliveries];
  for (let i = shuffled.length - 1; i > 0; i--) {
    const j = randomInt(0, i + 1);
    [shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]];
  }
  const rollups = app.app.get(RollupRepository);
  for (const delivery of shuffled) {
    await settled(app, [await send(app, delivery)]);
    await rollups.refresh(await repositoryId(app, fullName), false);
  }
}

describe('metrics on real deliveries (GitHub and GitLab → worker → metrics.refresh → API)', () => {
  let app: TestApp;
  const github = githubScenario();
  const gitlab = gitlabScenario();
  let githubId = '';
  let gitlabId = '';

  beforeAll(async () => {
    app = await startTestApp({ WORKER_CONCURRENCY: '4', GITLAB_WEBHOOK_TOKEN: GITLAB_TOKEN });
    await sendInOrder(app, github.deliveries);
    await sendInOrder(app, gitlab.deliveries);
    githubId = await repositoryId(app, github.fullName);
    gitlabId = await repositoryId(app, gitlab.fullName);
    await fresh(app, githubId);
    await fresh(app, gitlabId);
  }, 180000);

  afterAll(async () => {
    await app.close();
  });

  const dora = async (query: string) => {
    const response = await app.request('GET', `/api/v1/metrics/dora?${query}`);
    expect(response.status).toBe(200);
    return response.json<Record<string, Record<string, unknown>>>();
  };

  it('GitHub: the five DORA measures, to the second', async () => {
    const figures = await dora(`repository=${githubId}&${WINDOW}`);
    // D1, D2, D4, D5, D6 succeed on 03-02 (2), 03-03, 03-04, 03-05: 4 days in one ISO week.
    expect(figures.deploymentFrequency).toEqual({
      deployments: 5,
      deploymentDays: 4,
      perWeek: 5,
      bucket: 'daily',
    });
    // A2 3600, A3 1800, F1 21600 (14:00 − 08:00), F2 18000, M1 21600 (from PR 1's first commit
    // F1), SQ 25200 (15:00 − PR 2's first commit 08:00), H1 3600. Sorted: 1800 3600 3600 18000
    // 21600 21600 25200 → median 18000; p90 at rank 5.4 → 21600 + 0.4 × 3600 = 23040.
    expect(figures.leadTimeForChanges).toEqual({
      medianSeconds: 18000,
      p90Seconds: 23040,
      changes: 7,
      baselineDeployments: 1,
    });
    // D3 failed by status, D5 by the incident: 2 of 6 production deployments.
    expect(figures.changeFailureRate).toEqual({
      ratio: 2 / 6,
      failedDeployments: 2,
      deployments: 6,
    });
    // D3 → D4: 3600; D5 → incident closed 03-05 10:00: 68400. Median 36000.
    expect(figures.failedDeploymentRecoveryTime).toEqual({
      medianSeconds: 36000,
      recoveries: 2,
      open: [],
    });
    // D4 (after D3) and D6 (last before the incident closed): 2 of 5.
    expect(figures.deploymentReworkRate).toEqual({
      ratio: 0.4,
      reworkDeployments: 2,
      deployments: 5,
    });
    expect(figures.levels).toEqual({
      thresholdSet: 'dora-2023',
      deploymentFrequency: { level: 'elite' },
      leadTimeForChanges: { level: 'elite' },
      changeFailureRate: { level: 'low' },
      failedDeploymentRecoveryTime: { level: 'high' },
      deploymentReworkRate: { level: null, reason: expect.any(String) },
    });
    expect(Object.keys(figures.definitions)).toEqual(
      expect.arrayContaining(['leadTimeForChanges', 'changeFailureRate', 'deploymentReworkRate']),
    );
  });

  it('GitHub: the drill-down shows each deployment, its changes, incident and recovery', async () => {
    const response = await app.request(
      'GET',
      `/api/v1/metrics/dora/deployments?repository=${encodeURIComponent(github.fullName)}&${WINDOW}`,
    );
    expect(response.status).toBe(200);
    const items = response.json<{ items: Array<Record<string, unknown>> }>().items.reverse();
    expect(items.map((d) => [d.finishedAt, d.outcome, d.baseline, d.failedBy, d.rework])).toEqual([
      [t(0, '10:00'), 'success', true, null, false],
      [t(0, '12:00'), 'success', false, null, false],
      [t(1, '13:00'), 'failure', false, 'status', false],
      [t(1, '14:00'), 'success', false, null, true],
      [t(2, '15:00'), 'success', false, 'incident', false],
      [t(3, '09:00'), 'success', false, null, true],
    ]);
    const leads = (d: Record<string, unknown>) =>
      (d.changes as Array<{ leadSeconds: number; pullRequestNumber: number | null }>)
        .map((c) => [c.leadSeconds, c.pullRequestNumber])
        .sort((a, b) => Number(a[0]) - Number(b[0]));
    expect(leads(items[0])).toEqual([]);
    expect(leads(items[1])).toEqual([
      [1800, null],
      [3600, null],
    ]);
    expect(leads(items[3])).toEqual([
      [18000, null],
      [21600, null],
      [21600, 1],
    ]);
    expect(leads(items[4])).toEqual([[25200, 2]]);
    expect(items[2].recovery).toMatchObject({ recoveredAt: t(1, '14:00'), seconds: 3600 });
    expect(items[4].recovery).toMatchObject({ recoveredAt: t(3, '10:00'), seconds: 68400 });
    expect(items[4].incidents).toEqual([
      expect.objectContaining({ number: 10, openedAt: t(2, '16:00'), closedAt: t(3, '10:00') }),
    ]);
  });

  it('GitHub: pull-request flow (draft, bot review excluded, merge and squash)', async () => {
    const response = await app.request(
      'GET',
      `/api/v1/metrics/pull-requests?repository=${githubId}&${WINDOW}`,
    );
    expect(response.status).toBe(200);
    const flow = response.json<Record<string, unknown>>();
    // PR 1: first commit 08:00, opened 09:30, bob 10:30 (the bot's 10:00 review does not count),
    //       merged 12:00, deployed (D4) 14:00 → coding 5400, pickup 3600, review 5400, deploy 7200,
    //       cycle 21600, size 12.
    // PR 2: first commit 08:00, draft until 10:00, bob's comment 11:00, merged 13:00, deployed
    //       (D5) 15:00 → coding 7200, pickup 3600, review 7200, deploy 7200, cycle 25200, size 30.
    expect(flow).toMatchObject({
      pullRequests: 2,
      codingTime: { medianSeconds: 6300, p90Seconds: 7020, pullRequests: 2 },
      pickupTime: { medianSeconds: 3600, p90Seconds: 3600, pullRequests: 2 },
      reviewTime: { medianSeconds: 6300, p90Seconds: 7020, pullRequests: 2 },
      deployTime: { medianSeconds: 7200, p90Seconds: 7200, pullRequests: 2 },
      cycleTime: { medianSeconds: 23400, p90Seconds: 24840, pullRequests: 2 },
      size: { median: 21, p90: 28.2, pullRequests: 2 },
      reviewsPerPullRequest: { mean: 1, median: 1 },
    });
    // bob reviewed PR 1 an hour after it was opened; carol PR 2 two hours after it was ready.
    const turnaround = (
      flow.reviewTurnaround as Array<{ login: string; medianSeconds: number; reviews: number }>
    )
      .map((r) => [r.login.split('-')[0], r.reviews, r.medianSeconds])
      .sort();
    expect(turnaround).toEqual([
      ['bob', 1, 3600],
      ['carol', 1, 7200],
    ]);
    const items = await app.request(
      'GET',
      `/api/v1/metrics/pull-requests/items?repository=${githubId}&${WINDOW}`,
    );
    expect(
      items
        .json<{ items: Array<Record<string, unknown>> }>()
        .items.map((i) => [
          i.number,
          i.codingSeconds,
          i.pickupSeconds,
          i.reviewSeconds,
          i.deploySeconds,
          i.cycleSeconds,
          i.size,
          i.reviews,
        ]),
    ).toEqual([
      [2, 7200, 3600, 7200, 7200, 25200, 30, 1],
      [1, 5400, 3600, 5400, 7200, 21600, 12, 1],
    ]);
  });

  it('GitLab: production by tier, merge request lead and flow, failure and recovery', async () => {
    const figures = await dora(`repository=${gitlabId}&${WINDOW}`);
    // Successes on 03-02 (2) and 03-03 (1): 2 days; the median week has 2 → weekly.
    expect(figures.deploymentFrequency).toEqual({
      deployments: 3,
      deploymentDays: 2,
      perWeek: 3,
      bucket: 'weekly',
    });
    // L2 3600 (13:00 − 12:00); K1 16200 (12:30 − 08:00); N1 from the MR's first commit: 16200.
    expect(figures.leadTimeForChanges).toEqual({
      medianSeconds: 16200,
      p90Seconds: 16200,
      changes: 3,
      baselineDeployments: 1,
    });
    expect(figures.changeFailureRate).toEqual({
      ratio: 0.25,
      failedDeployments: 1,
      deployments: 4,
    });
    expect(figures.failedDeploymentRecoveryTime).toEqual({
      medianSeconds: 1800,
      recoveries: 1,
      open: [],
    });
    expect(figures.deploymentReworkRate).toEqual({
      ratio: 1 / 3,
      reworkDeployments: 1,
      deployments: 3,
    });
    const flow = (
      await app.request('GET', `/api/v1/metrics/pull-requests?repository=${gitlabId}&${WINDOW}`)
    ).json<Record<string, unknown>>();
    // First commit 08:00, opened 09:00, approved 10:00, merged 11:00, deployed 12:30.
    expect(flow).toMatchObject({
      pullRequests: 1,
      codingTime: { medianSeconds: 3600 },
      pickupTime: { medianSeconds: 3600 },
      reviewTime: { medianSeconds: 3600 },
      deployTime: { medianSeconds: 5400 },
      cycleTime: { medianSeconds: 16200 },
      size: { median: null, pullRequests: 0, reason: expect.any(String) },
    });
  });

  it('nothing to measure is null with a reason, never 0', async () => {
    const figures = await dora(`repository=${githubId}&from=2025-01-01&to=2025-02-01`);
    expect(figures.deploymentFrequency).toMatchObject({
      deployments: 0,
      perWeek: null,
      bucket: null,
      reason: expect.any(String),
    });
    expect(figures.leadTimeForChanges).toMatchObject({
      medianSeconds: null,
      reason: expect.any(String),
    });
    expect(figures.changeFailureRate).toMatchObject({ ratio: null, reason: expect.any(String) });
    expect(figures.deploymentReworkRate).toMatchObject({ ratio: null, reason: expect.any(String) });
    // Only the baseline in the window: no lead times, and the answer says why.
    const baseline = await dora(`repository=${githubId}&from=${t(0, '00:00')}&to=${t(0, '11:00')}`);
    expect(baseline.leadTimeForChanges).toEqual({
      medianSeconds: null,
      p90Seconds: null,
      changes: 0,
      baselineDeployments: 1,
      reason: 'only the baseline deployment (the first one ships no lead times)',
    });
  });

  it('series: the same figures per day', async () => {
    const response = await app.request(
      'GET',
      `/api/v1/metrics/dora/series?repository=${githubId}&${WINDOW}&interval=day`,
    );
    const series = response.json<{ series: Array<Record<string, Record<string, unknown>>> }>()
      .series;
    expect(series).toHaveLength(7);
    expect(series.map((d) => d.deploymentFrequency.deployments)).toEqual([2, 1, 1, 1, 0, 0, 0]);
    expect(series[1].failedDeploymentRecoveryTime).toMatchObject({
      medianSeconds: 3600,
      recoveries: 1,
    });
    // At the end of 03-04 the incident is open: D5 is listed, not averaged.
    expect(series[2].failedDeploymentRecoveryTime).toMatchObject({
      medianSeconds: null,
      open: [expect.objectContaining({ failedAt: t(2, '15:00'), failedBy: 'incident' })],
    });
  });

  it('a team: its members’ changes and the deployments that shipped them', async () => {
    // The person behind every commit author of the scenario (one email: one person).
    const authors = await app.dataSource.query<{ person_id: string }[]>(
      `SELECT DISTINCT i.person_id FROM metric_changes mc
       JOIN identities i ON i.id = mc.author_identity_id WHERE mc.repository_id = $1`,
      [githubId],
    );
    expect(authors).toHaveLength(1);
    const alice = authors[0];
    const created = await app.request('POST', '/api/v1/admin/teams', {
      json: { name: `Shop ${run}`, members: [alice.person_id] },
    });
    expect(created.status).toBe(201);
    const team = created.json<{ id: string; members: unknown[] }>();
    expect(team.members).toHaveLength(1);
    const figures = await dora(`team=${team.id}&${WINDOW}`);
    // Alice authored every GitHub commit: the same lead times and deployments as the repository
    // (D1, the baseline, shipped no change of hers; D3 failed and shipped nothing).
    expect(figures.leadTimeForChanges).toMatchObject({ medianSeconds: 18000, changes: 7 });
    expect(figures.deploymentFrequency).toMatchObject({ deployments: 4 });
    const renamed = await app.request('PATCH', `/api/v1/admin/teams/${team.id}`, {
      json: { members: [] },
    });
    expect(renamed.json<{ members: unknown[] }>().members).toEqual([]);
    expect((await dora(`team=${team.id}&${WINDOW}`)).leadTimeForChanges).toMatchObject({
      medianSeconds: null,
      changes: 0,
    });
    expect((await app.request('DELETE', `/api/v1/admin/teams/${team.id}`)).status).toBe(204);
    expect((await app.request('GET', `/api/v1/admin/teams/${team.id}`)).status).toBe(404);
    expect((await app.request('GET', `/api/v1/metrics/dora?team=${team.id}`)).status).toBe(404);
  });

  it('the same deliveries in shuffled order, and a full recompute, give identical figures', async () => {
    const again = githubScenario();
    const ordered = await everything(app, githubId, WINDOW);
    await sendShuffled(app, again.deliveries, again.fullName);
    const shuffledId = await repositoryId(app, again.fullName);
    await fresh(app, shuffledId);
    expect(await everything(app, shuffledId, WINDOW)).toEqual(ordered);

    // Full recompute (admin action): every rollup row is rebuilt, the figures do not move.
    const before = await app.dataSource.query<{ id: string }[]>(
      'SELECT id FROM metric_deployments WHERE repository_id = $1',
      [shuffledId],
    );
    const trigger = await app.request(
      'POST',
      `/api/v1/admin/repositories/${shuffledId}/metrics/refresh`,
    );
    expect(trigger.status).toBe(202);
    await eventually(
      async () => {
        const rows = await app.dataSource.query<{ id: string }[]>(
          'SELECT id FROM metric_deployments WHERE repository_id = $1 AND id = ANY($2::uuid[])',
          [shuffledId, before.map((r) => r.id)],
        );
        return rows.length === 0 ? true : undefined;
      },
      20000,
      'the full recompute',
    );
    expect(await everything(app, shuffledId, WINDOW)).toEqual(ordered);
  }, 120000);

  it('repository settings: read, change (audited), invalid pattern is a 400', async () => {
    const path = `/api/v1/admin/repositories/${gitlabId}/settings`;
    const initial = await app.request('GET', path);
    expect(initial.json()).toMatchObject({
      productionPattern: '^(prod|production)$',
      incidentLabelPattern: '^incident$',
      ciDeploymentPattern: null,
      customized: false,
    });
    const bad = await app.request('PATCH', path, { json: { productionPattern: '([' } });
    expect(bad.status).toBe(400);
    expect(bad.json()).toMatchObject({ code: 'VALIDATION_FAILED' });
    // Staging environments named "review/…" now count as production too.
    const changed = await app.request('PATCH', path, {
      json: { productionPattern: '^(live|review/.*)$' },
    });
    expect(changed.status).toBe(200);
    expect(changed.json()).toMatchObject({
      productionPattern: '^(live|review/.*)$',
      customized: true,
    });
    await eventually(
      async () => {
        const figures = await dora(`repository=${gitlabId}&${WINDOW}`);
        return figures.changeFailureRate.deployments === 5 ? figures : undefined;
      },
      20000,
      'the recompute after the settings change',
    );
    const [audit] = await app.dataSource.query<{ action: string }[]>(
      `SELECT action FROM audit_log WHERE path = $1 ORDER BY at DESC LIMIT 1`,
      [path],
    );
    expect(audit.action).toBe('PATCH /api/v1/admin/repositories/:id/settings');
    expect(
      (
        await app.request(
          'GET',
          '/api/v1/admin/repositories/00000000-0000-4000-8000-000000000000/settings',
        )
      ).status,
    ).toBe(404);
  });

  it('upkeep queues a refresh for marks a lost job left behind', async () => {
    // A mark as a delivery leaves it, its refresh job lost (e.g. with Redis).
    await app.dataSource.query(
      `INSERT INTO metric_dirty (repository_id, since, kind, created_at)
       VALUES ($1, '2026-03-03T00:00:00Z', 'record', now() - interval '10 minutes')`,
      [gitlabId],
    );
    expect(await app.app.get(MetricsUpkeepTask).sweep()).toBeGreaterThanOrEqual(1);
    await fresh(app, gitlabId);
  });

  it('every repository: the figures from the per-day bins equal percentile_cont over the facts, before and after folding', async () => {
    // Whole days, and a window cut mid-day at both ends (its edges are read from the facts).
    const windows = [
      ['2026-03-02T00:00:00.000Z', '2026-03-09T00:00:00.000Z'],
      [t(0, '11:00'), t(3, '09:30')],
    ];
    const compare = async () => {
      for (const [from, to] of windows) {
        const [lead] = await app.dataSource.query<{ p: number[] | null; n: string }[]>(
          `SELECT percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY lead_seconds) AS p,
                  count(*) AS n
           FROM metric_changes WHERE deployed_at >= $1 AND deployed_at < $2`,
          [from, to],
        );
        const figures = await dora(`from=${from}&to=${to}`);
        expect(figures.leadTimeForChanges).toMatchObject({
          medianSeconds: lead.p?.[0] ?? null,
          p90Seconds: lead.p?.[1] ?? null,
          changes: Number(lead.n),
        });
        const [flow] = await app.dataSource.query<
          { n: string; coding: number[] | null; cycle: number[] | null; size: number[] | null }[]
        >(
          `SELECT count(*) AS n,
                  percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY coding_seconds) AS coding,
                  percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY cycle_seconds) AS cycle,
                  percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY size) AS size
           FROM metric_pull_requests WHERE merged_at >= $1 AND merged_at < $2`,
          [from, to],
        );
        const response = await app.request(
          'GET',
          `/api/v1/metrics/pull-requests?from=${from}&to=${to}`,
        );
        expect(response.json()).toMatchObject({
          pullRequests: Number(flow.n),
          codingTime: {
            medianSeconds: flow.coding?.[0] ?? null,
            p90Seconds: flow.coding?.[1] ?? null,
          },
          cycleTime: {
            medianSeconds: flow.cycle?.[0] ?? null,
            p90Seconds: flow.cycle?.[1] ?? null,
          },
          size: { median: flow.size?.[0] ?? null, p90: flow.size?.[1] ?? null },
        });
      }
      const [bins] = await app.dataSource.query<{ binned: string; facts: string }[]>(
        `SELECT (SELECT coalesce(sum(n), 0) FROM metric_value_bins WHERE measure = 'lead') AS binned,
                (SELECT count(*) FROM metric_changes) AS facts`,
      );
      expect(Number(bins.binned)).toBe(Number(bins.facts));
    };
    await compare();
    await app.app.get(ValueBinsRepository).compact();
    const [unfolded] = await app.dataSource.query<{ n: string }[]>(
      `SELECT count(*) AS n FROM (SELECT 1 FROM metric_value_bins GROUP BY measure, day, bin
         HAVING count(*) > 1 OR sum(n) = 0) x`,
    );
    expect(unfolded.n).toBe('0');
    await compare();
  });

  it('bad queries are 4xx', async () => {
    expect(
      (await app.request('GET', '/api/v1/metrics/dora?repository=nobody/nothing')).status,
    ).toBe(404);
    expect(
      (await app.request('GET', '/api/v1/metrics/dora?from=2026-03-09&to=2026-03-02')).status,
    ).toBe(400);
    expect((await app.request('GET', '/api/v1/metrics/dora?from=yesterday')).status).toBe(400);
    expect((await app.request('GET', '/api/v1/metrics/dora/series?interval=hour')).status).toBe(
      400,
    );
    expect(
      (await app.request('GET', '/api/v1/metrics/dora/series?interval=day&from=2000-01-01')).status,
    ).toBe(400);
  });
});
