import examples from '@octokit/webhooks-examples/api.github.com/index.json';
import { eventually, startTestApp, TestApp } from '../support/test-app';
import { githubHeaders } from '../support/signing';

type Json = Record<string, unknown>;

const MODELLED = [
  'push',
  'pull_request',
  'pull_request_review',
  'pull_request_review_comment',
  'issue_comment',
  'commit_comment',
  'issues',
  'workflow_run',
  'workflow_job',
  'check_run',
  'check_suite',
  'deployment',
  'deployment_status',
  'release',
];
const IGNORED = ['create', 'delete', 'ping', 'star', 'fork'];

interface Sent {
  event: string;
  payload: Json;
  deliveryId: string;
}

const obj = (value: unknown): Json => (value && typeof value === 'object' ? (value as Json) : {});
const str = (value: unknown): string => String(value);

describe('processing every @octokit/webhooks-examples payload (HTTP → queue → worker → records)', () => {
  let t: TestApp;
  const sent: Sent[] = [];
  let startedAt = '';

  beforeAll(async () => {
    t = await startTestApp({ WORKER_CONCURRENCY: '4' });
    startedAt = new Date(Date.now() - 1000).toISOString();
    const all = examples as unknown as Array<{ name: string; examples: Json[] }>;
    for (const name of [...MODELLED, ...IGNORED]) {
      for (const payload of all.find((e) => e.name === name)?.examples ?? []) {
        const body = JSON.stringify(payload);
        const response = await t.request('POST', '/webhooks/github', {
          body,
          headers: githubHeaders(body, name),
          token: null,
        });
        expect(response.status).toBe(202);
        sent.push({ event: name, payload, deliveryId: response.json<{ id: string }>().id });
      }
    }
    await eventually(
      async () => {
        const [row] = await t.dataSource.query<{ n: string }[]>(
          `SELECT count(*) AS n FROM deliveries WHERE id = ANY($1::uuid[])
             AND status IN ('processed', 'ignored', 'dead')`,
          [sent.map((s) => s.deliveryId)],
        );
        return Number(row.n) === sent.length ? true : undefined;
      },
      60000,
      'every example delivery to reach a final status',
    );
  }, 120000);

  afterAll(async () => {
    await t.close();
  });

  const statusOf = async (deliveryId: string) =>
    (
      await t.dataSource.query<{ status: string; last_error: string | null }[]>(
        'SELECT status, last_error FROM deliveries WHERE id = $1',
        [deliveryId],
      )
    )[0];

  const repositoryId = async (payload: Json): Promise<string> => {
    const [row] = await t.dataSource.query<{ id: string }[]>(
      `SELECT id FROM repositories WHERE provider = 'github' AND external_id = $1`,
      [str(obj(payload.repository).id)],
    );
    expect(row).toBeDefined();
    return row.id;
  };

  const count = async (sql: string, params: unknown[]) =>
    Number((await t.dataSource.query<{ n: string }[]>(sql, params))[0].n);

  it('sent examples of every modelled event', () => {
    for (const name of MODELLED) expect(sent.some((s) => s.event === name)).toBe(true);
    expect(sent.length).toBeGreaterThan(100);
  });

  it('no example went dead; unmodelled events are ignored', async () => {
    for (const s of sent) {
      const { status, last_error } = await statusOf(s.deliveryId);
      const pendingReview =
        s.event === 'pull_request_review' && obj(s.payload.review).submitted_at === null;
      // An `issues` event about a pull request is not an issue: it is left to pull_request events.
      const issueOnPullRequest =
        s.event === 'issues' && obj(s.payload.issue).pull_request !== undefined;
      const expected =
        IGNORED.includes(s.event) || pendingReview || issueOnPullRequest ? 'ignored' : 'processed';
      expect({ event: s.event, status, last_error }).toEqual({
        event: s.event,
        status: expected,
        last_error: null,
      });
    }
  });

  it('push: every commit is stored once, with its author', async () => {
    for (const s of sent.filter((x) => x.event === 'push')) {
      const repo = await repositoryId(s.payload);
      for (const commit of (s.payload.commits as Json[]) ?? []) {
        const rows = await t.dataSource.query<
          { message: string; email: string | null; login: string | null }[]
        >(
          `SELECT c.message, i.email, i.login FROM commits c LEFT JOIN identities i ON i.id = c.author_identity_id
           WHERE c.repository_id = $1 AND c.sha = $2`,
          [repo, commit.id],
        );
        expect(rows).toHaveLength(1);
        expect(rows[0].message).toBe(commit.message);
        // The author is the forge account named by `username` when there is one, else the
        // email-only identity of the commit's author.
        const author = obj(commit.author);
        if (typeof author.username === 'string') expect(rows[0].login).toBe(author.username);
        else if (typeof author.email === 'string')
          expect(rows[0].email).toBe(author.email.toLowerCase());
      }
    }
  });

  it('pull requests: one row per number, holding the newest snapshot by updated_at', async () => {
    const newest = new Map<string, Json>();
    for (const s of sent.filter((x) => x.event === 'pull_request')) {
      const pr = obj(s.payload.pull_request);
      const key = `${str(obj(s.payload.repository).id)}#${str(pr.number)}`;
      const current = newest.get(key);
      if (!current || str(pr.updated_at) > str(current.updated_at)) newest.set(key, pr);
    }
    for (const [key, pr] of newest) {
      const [repoExternalId, number] = key.split('#');
      const rows = await t.dataSource.query<{ title: string; state: string; draft: boolean }[]>(
        `SELECT p.title, p.state, p.draft FROM pull_requests p JOIN repositories r ON r.id = p.repository_id
         WHERE r.external_id = $1 AND p.number = $2`,
        [repoExternalId, Number(number)],
      );
      expect(rows).toHaveLength(1);
      const merged = pr.merged_at !== null && pr.merged_at !== undefined;
      expect(rows[0].state).toBe(merged ? 'merged' : str(pr.state));
      expect(rows[0].title).toBe(pr.title);
    }
  });

  it('reviews, review comments, issue and commit comments are stored by their forge id', async () => {
    const reviews = sent.filter((x) => x.event === 'pull_request_review');
    const dismissed = new Set(
      reviews
        .filter((x) => x.payload.action === 'dismissed')
        .map((x) => str(obj(x.payload.review).id)),
    );
    for (const s of reviews) {
      const review = obj(s.payload.review);
      if (review.submitted_at === null) continue;
      // A dismissal is final, whatever order the events were processed in.
      const expectedState = dismissed.has(str(review.id))
        ? 'dismissed'
        : str(review.state).toLowerCase();
      const rows = await t.dataSource.query<{ state: string }[]>(
        'SELECT state FROM reviews WHERE external_id = $1',
        [str(review.id)],
      );
      expect(rows).toHaveLength(1);
      expect(expectedState).toContain(
        rows[0].state === 'changes_requested' ? 'changes_requested' : rows[0].state,
      );
    }
    for (const s of sent.filter((x) =>
      ['pull_request_review_comment', 'issue_comment', 'commit_comment'].includes(x.event),
    )) {
      const comment = obj(s.payload.comment);
      const repo = await repositoryId(s.payload);
      expect(
        await count(
          'SELECT count(*) AS n FROM comments WHERE repository_id = $1 AND external_id = $2',
          [repo, str(comment.id)],
        ),
      ).toBe(1);
    }
  });

  it('issues: one row per number', async () => {
    for (const s of sent.filter((x) => x.event === 'issues')) {
      if (obj(s.payload.issue).pull_request !== undefined) continue;
      const repo = await repositoryId(s.payload);
      expect(
        await count('SELECT count(*) AS n FROM issues WHERE repository_id = $1 AND number = $2', [
          repo,
          obj(s.payload.issue).number,
        ]),
      ).toBe(1);
    }
  });

  it('CI: workflow runs and check suites become runs; workflow jobs and check runs become jobs', async () => {
    const runKey: Record<string, [string, string]> = {
      workflow_run: ['workflow_run', 'workflow_run'],
      check_suite: ['check_suite', 'check_suite'],
    };
    const jobKey: Record<string, [string, string]> = {
      workflow_job: ['workflow_job', 'workflow_job'],
      check_run: ['check_run', 'check_run'],
    };
    for (const s of sent) {
      const run = runKey[s.event];
      const job = jobKey[s.event];
      if (!run && !job) continue;
      const repo = await repositoryId(s.payload);
      const [field, source] = run ?? job;
      const table = run ? 'ci_runs' : 'ci_jobs';
      const record = obj(s.payload[field]);
      const rows = await t.dataSource.query<{ status: string }[]>(
        `SELECT status FROM ${table} WHERE repository_id = $1 AND source = $2 AND external_id = $3`,
        [repo, source, str(record.id)],
      );
      expect(rows).toHaveLength(1);
      expect(['queued', 'in_progress', 'completed']).toContain(rows[0].status);
    }
  });

  it('deployments with their status history, and releases', async () => {
    for (const s of sent.filter(
      (x) => x.event === 'deployment' || x.event === 'deployment_status',
    )) {
      const repo = await repositoryId(s.payload);
      const deployment = obj(s.payload.deployment);
      const [row] = await t.dataSource.query<{ id: string; environment: string }[]>(
        'SELECT id, environment FROM deployments WHERE repository_id = $1 AND external_id = $2',
        [repo, str(deployment.id)],
      );
      // The newest snapshot of a deployment (by the forge's updated_at) wins.
      const newest = sent
        .filter((x) => str(obj(x.payload.deployment).id) === str(deployment.id))
        .map((x) => obj(x.payload.deployment))
        .sort((a, b) => str(b.updated_at).localeCompare(str(a.updated_at)))[0];
      expect(row.environment).toBe(newest.environment);
      if (s.event === 'deployment_status') {
        expect(
          await count(
            'SELECT count(*) AS n FROM deployment_statuses WHERE deployment_id = $1 AND state = $2',
            [row.id, obj(s.payload.deployment_status).state],
          ),
        ).toBe(1);
      }
    }
    for (const s of sent.filter((x) => x.event === 'release')) {
      const repo = await repositoryId(s.payload);
      const release = obj(s.payload.release);
      const rows = await t.dataSource.query<{ tag_name: string }[]>(
        'SELECT tag_name FROM releases WHERE repository_id = $1 AND external_id = $2',
        [repo, str(release.id)],
      );
      expect(rows).toHaveLength(1);
    }
  });

  it('replaying every delivery twice doubles no row', async () => {
    const tables = [
      'repositories',
      'commits',
      'pull_requests',
      'pull_request_events',
      'reviews',
      'comments',
      'issues',
      'ci_runs',
      'ci_jobs',
      'deployments',
      'deployment_statuses',
      'releases',
      'identities',
      'people',
    ];
    const snapshot = async () =>
      Object.fromEntries(
        await Promise.all(
          tables.map(
            async (table) =>
              [table, await count(`SELECT count(*) AS n FROM ${table}`, [])] as const,
          ),
        ),
      );
    const before = await snapshot();
    for (let round = 0; round < 2; round++) {
      const [{ now: replayStart }] = await t.dataSource.query<{ now: Date }[]>('SELECT now()');
      const answer = await t.request('POST', '/api/v1/admin/deliveries/replay', {
        json: { filter: { provider: 'github', receivedFrom: startedAt } },
      });
      expect(answer.status).toBe(202);
      await eventually(
        async () => {
          const [row] = await t.dataSource.query<{ n: string }[]>(
            `SELECT count(*) AS n FROM deliveries WHERE id = ANY($1::uuid[])
               AND status IN ('processed', 'ignored') AND processed_at > $2`,
            [sent.map((s) => s.deliveryId), replayStart],
          );
          return Number(row.n) === sent.length ? true : undefined;
        },
        90000,
        `replay round ${round + 1} to finish`,
      );
    }
    expect(await snapshot()).toEqual(before);
  }, 200000);
});
