import examples from '@octokit/webhooks-examples/api.github.com/index.json';
import { randomUUID } from 'node:crypto';
import { FakeForge } from './support/fake-forge/fake-forge';
import {
  FORGE_TOKEN,
  forgeEnv,
  ForgeTestApp,
  startForgeTestApp,
} from './support/fake-forge/forge-test-app';
import { eventually, GITHUB_SECRET, TestApp } from './support/test-app';

type Json = Record<string, unknown>;

interface RunView {
  id: string;
  trigger: string;
  status: string;
  startedAt: string;
  hooksChecked: number;
  deliveriesSeen: number;
  missing: number;
  redeliveryRequested: number;
  recovered: number;
  problems: string[];
}

const GITLAB_TOKEN = 'reconcile-gitlab-token';
const HOOK_ID = 700000 + Math.floor(Math.random() * 99999);
const run = randomUUID().slice(0, 8);
const REPO = `reconcile/widgets-${run}`;
const PROJECT_ID = 800000 + Math.floor(Math.random() * 99999);

function githubPush(index: number): string {
  const all = examples as unknown as Array<{ name: string; examples: Json[] }>;
  const push = structuredClone(all.find((e) => e.name === 'push')?.examples[0] ?? {});
  const repository = push.repository as Json;
  repository.full_name = REPO;
  repository.name = REPO.split('/')[1];
  repository.id = 900000 + Math.floor(Math.random() * 99999);
  push.after = index.toString(16).padStart(40, 'c');
  return JSON.stringify(push);
}

function gitlabPush(index: number): string {
  const web = `https://gitlab.example.test/reconcile/gl-${run}`;
  return JSON.stringify({
    object_kind: 'push',
    event_name: 'push',
    before: '0'.repeat(40),
    after: index.toString(16).padStart(40, 'd'),
    ref: 'refs/heads/main',
    checkout_sha: index.toString(16).padStart(40, 'd'),
    user_id: 1,
    user_name: 'Ada Lovelace',
    user_username: `ada-${run}`,
    user_email: 'ada@example.test',
    project_id: PROJECT_ID,
    project: {
      id: PROJECT_ID,
      name: `gl-${run}`,
      web_url: web,
      path_with_namespace: `reconcile/gl-${run}`,
      default_branch: 'main',
      git_http_url: `${web}.git`,
      namespace: 'reconcile',
      visibility_level: 0,
    },
    commits: [],
    total_commits_count: 0,
    repository: { name: `gl-${run}`, homepage: web, git_http_url: `${web}.git` },
  });
}

async function runs(t: TestApp): Promise<RunView[]> {
  const response = await t.request('GET', '/api/v1/admin/reconciliations?limit=20');
  expect(response.status).toBe(200);
  return response.json<{ items: RunView[] }>().items;
}

async function finishedRun(t: TestApp, id: string): Promise<RunView> {
  return eventually(
    async () => (await runs(t)).find((r) => r.id === id && r.status !== 'running'),
    30000,
    `reconciliation run ${id}`,
  );
}

async function deliveriesFor(t: TestApp, ids: string[]) {
  return t.dataSource.query<{ provider_delivery_id: string; status: string }[]>(
    `SELECT provider_delivery_id, status FROM deliveries
     WHERE provider_delivery_id = ANY($1::text[])`,
    [ids],
  );
}

describe('missed-delivery reconciliation, end to end through the fake forge', () => {
  let fake: FakeForge;
  let app: ForgeTestApp | undefined;
  let env: Record<string, string>;

  beforeAll(async () => {
    fake = await new FakeForge().start();
    fake.tokens.set(FORGE_TOKEN, 'hookyard-bot');
    env = forgeEnv(fake, {
      GITHUB_TOKEN: FORGE_TOKEN,
      GITLAB_API_TOKEN: FORGE_TOKEN,
      GITLAB_WEBHOOK_TOKEN: GITLAB_TOKEN,
      RECONCILIATION_INTERVAL_MS: '0',
    });
  });

  afterAll(async () => {
    await app?.t.close();
    await fake?.close();
  });

  it('asks again for what was sent while Hookyard was stopped; each ends processed once', async () => {
    // 1. Hookyard runs and receives one delivery per forge: it learns the hooks.
    app = await startForgeTestApp(env);
    const first = app.t;
    fake.githubHookTargets.set(HOOK_ID, {
      url: `${first.baseUrl}/webhooks/github`,
      secret: GITHUB_SECRET,
    });
    fake.gitlabHooks.push({
      id: HOOK_ID,
      projectId: PROJECT_ID,
      url: `${first.baseUrl}/webhooks/gitlab`,
      token: GITLAB_TOKEN,
    });
    const seen = await fake.deliverGitHub(HOOK_ID, 'push', githubPush(1));
    expect(seen.statusCode).toBe(202);
    const seenGitLab = await fake.deliverGitLab(HOOK_ID, 'Push Hook', gitlabPush(1));
    expect(seenGitLab.responseStatus).toBe('202');
    await eventually(async () => {
      const rows = await deliveriesFor(first, [`${HOOK_ID}:${seen.guid}`, seenGitLab.uuid]);
      return rows.length === 2 && rows.every((r) => r.status === 'processed') ? rows : undefined;
    });
    // Its own start-up run has finished (it found nothing to do then).
    await eventually(async () =>
      (await runs(first)).some((r) => r.status !== 'running') ? true : undefined,
    );

    // 2. Hookyard stops; the forges keep sending and record the failures.
    await first.close();
    app = undefined;
    const missedGitHub = [];
    for (const i of [2, 3, 4]) {
      const d = await fake.deliverGitHub(HOOK_ID, 'push', githubPush(i));
      expect(d.statusCode).toBe(0);
      missedGitHub.push(`${HOOK_ID}:${d.guid}`);
    }
    const missedGitLab = [];
    for (const i of [2, 3]) {
      const e = await fake.deliverGitLab(HOOK_ID, 'Push Hook', gitlabPush(i));
      expect(e.responseStatus).toBe('internal error');
      missedGitLab.push(e.uuid);
    }

    // 3. Hookyard starts again (elsewhere); the start-up reconciliation asks for the missed.
    app = await startForgeTestApp(env);
    const second = app.t;
    fake.githubHookTargets.set(HOOK_ID, {
      url: `${second.baseUrl}/webhooks/github`,
      secret: GITHUB_SECRET,
    });
    const hook = fake.gitlabHooks.find((h) => h.id === HOOK_ID);
    if (hook) hook.url = `${second.baseUrl}/webhooks/gitlab`;
    const startRun = await eventually(
      async () =>
        (await runs(second)).find(
          (r) => r.trigger === 'start' && r.status !== 'running' && r.redeliveryRequested > 0,
        ),
      30000,
      'the start-up reconciliation',
    );
    expect(startRun.status).toBe('finished');
    expect(startRun.missing).toBe(5);
    expect(startRun.redeliveryRequested).toBe(5);
    expect(startRun.hooksChecked).toBeGreaterThanOrEqual(2);
    // 5 missed, plus the first ones unless the first start-up run had checkpointed past them.
    expect(startRun.deliveriesSeen).toBeGreaterThanOrEqual(5);

    // 4. The forges sent them again, signed, through the normal webhook path.
    const all = [...missedGitHub, ...missedGitLab];
    const rows = await eventually(async () => {
      const found = await deliveriesFor(second, all);
      return found.length === all.length && found.every((r) => r.status === 'processed')
        ? found
        : undefined;
    });
    expect(rows.map((r) => r.provider_delivery_id).sort()).toEqual([...all].sort());

    // 5. On demand: nothing is missing any more, nothing is asked twice, all are recovered.
    const started = await second.request('POST', '/api/v1/admin/reconciliations');
    expect(started.status).toBe(202);
    const manual = await finishedRun(second, started.json<RunView>().id);
    expect(manual).toMatchObject({
      trigger: 'manual',
      status: 'finished',
      missing: 0,
      redeliveryRequested: 0,
    });
    expect((await runs(second)).find((r) => r.id === startRun.id)?.recovered).toBe(5);
    const again = await deliveriesFor(second, all);
    expect(again).toHaveLength(all.length);
    const [{ n }] = await second.dataSource.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM redelivery_requests WHERE provider_delivery_id = ANY($1)`,
      [all],
    );
    expect(n).toBe(all.length);
    const metrics = (await second.request('GET', '/metrics', { token: null })).text;
    expect(metrics).toMatch(/hookyard_reconciliation_total\{outcome="redelivery_requested"\} 5/);
    expect(metrics).toMatch(/hookyard_reconciliation_total\{outcome="recovered"\} 5/);
    const attempts = fake.requests.filter(
      (r) => r.method === 'POST' && /\/(attempts|resend)$/.test(r.path),
    );
    expect(attempts).toHaveLength(5);
  });

  it('lists runs with pagination and refuses bad input', async () => {
    const t = app?.t;
    if (!t) throw new Error('no app');
    const page = await t.request('GET', '/api/v1/admin/reconciliations?limit=1');
    const body = page.json<{ items: RunView[]; nextCursor: string | null }>();
    expect(body.items).toHaveLength(1);
    expect(body.nextCursor).not.toBeNull();
    const next = await t.request(
      'GET',
      `/api/v1/admin/reconciliations?limit=1&cursor=${encodeURIComponent(body.nextCursor ?? '')}`,
    );
    expect(next.json<{ items: RunView[] }>().items[0]?.id).not.toBe(body.items[0]?.id);
    expect((await t.request('GET', '/api/v1/admin/reconciliations?limit=0')).status).toBe(400);
    expect((await t.request('GET', '/api/v1/admin/reconciliations?cursor=zzz')).status).toBe(400);
    expect((await t.request('GET', '/api/v1/admin/reconciliations', { token: null })).status).toBe(
      401,
    );
  });
});
