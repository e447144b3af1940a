import examples from '@octokit/webhooks-examples/api.github.com/index.json';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { JobsService } from '../../src/core/jobs/jobs.service';
import { QueueName } from '../../src/core/jobs/job-catalogue';
import { eventually, startTestApp, TestApp } from '../support/test-app';
import { githubHeaders } from '../support/signing';

const DELIVERIES = '/api/v1/admin/deliveries';
const SOURCES = '/api/v1/admin/sources';

interface DeliverySummary {
  id: string;
  provider: string;
  source: string;
  providerDeliveryId: string;
  event: string;
  action: string | null;
  repository: string | null;
  status: string;
  attempts: number;
  lastError: string | null;
  bodySize: number;
  receivedAt: string;
  queuedAt: string | null;
  processedAt: string | null;
}

interface DeliveryDetail extends DeliverySummary {
  headers: Record<string, string>;
  contentType: string;
  body: string | null;
}

interface DeliveryPage {
  items: DeliverySummary[];
  nextCursor: string | null;
}

interface ErrorBody {
  statusCode: number;
  code: string;
  message: string;
}

/** One delivery this file sent, with what the database recorded for it. */
interface Sent {
  id: string;
  provider: 'github' | 'gitlab';
  event: string;
  repository: string;
  final: 'processed' | 'ignored';
  body: string;
  /** received_at with its full (microsecond) precision, as ISO 8601. */
  receivedAt: string;
}

interface TimesRow {
  id: string;
  status: string;
  attempts: number;
  processed_at: string | null;
}

const tag = randomBytes(3).toString('hex');
const SLUG = `deliveries-${tag}`;
const API = `acme-${tag}/api`;
const WEB = `acme-${tag}/web`;
const LIB = `other-${tag}/lib`;
const GITHUB_SOURCE_SECRET = `github-source-secret-${tag}`;
const GITLAB_SOURCE_TOKEN = `gitlab-source-token-${tag}`;

type Json = Record<string, unknown>;

interface Planned {
  provider: 'github' | 'gitlab';
  event: string;
  repository: string;
  /** The status the worker leaves it in: modelled events are processed, others ignored. */
  final: 'processed' | 'ignored';
}

/** Ingestion order (oldest first): 12 GitHub deliveries and 2 GitLab ones in between. */
const PLAN: Planned[] = [
  { provider: 'github', event: 'push', repository: API, final: 'processed' },
  { provider: 'github', event: 'pull_request', repository: API, final: 'processed' },
  { provider: 'github', event: 'push', repository: WEB, final: 'processed' },
  { provider: 'github', event: 'issues', repository: LIB, final: 'processed' },
  { provider: 'gitlab', event: 'Push Hook', repository: API, final: 'processed' },
  { provider: 'github', event: 'push', repository: LIB, final: 'processed' },
  { provider: 'github', event: 'ping', repository: API, final: 'ignored' },
  { provider: 'github', event: 'pull_request', repository: WEB, final: 'processed' },
  { provider: 'github', event: 'push', repository: API, final: 'processed' },
  { provider: 'gitlab', event: 'Wiki Page Hook', repository: WEB, final: 'ignored' },
  { provider: 'github', event: 'issues', repository: API, final: 'processed' },
  { provider: 'github', event: 'push', repository: WEB, final: 'processed' },
  { provider: 'github', event: 'pull_request', repository: LIB, final: 'processed' },
  { provider: 'github', event: 'push', repository: API, final: 'processed' },
];

const numericId = (text: string) =>
  parseInt(createHash('sha1').update(text).digest('hex').slice(0, 7), 16);

/** A real GitHub payload (@octokit/webhooks-examples) of `event`, moved to `repository`. */
function githubPayload(event: string, repository: string): Json {
  const all = examples as unknown as { name: string; examples: Json[] }[];
  const example = all.find((e) => e.name === event)?.examples[0];
  if (!example) throw new Error(`@octokit/webhooks-examples has no ${event} example`);
  const payload = structuredClone(example);
  const [owner, name] = repository.split('/');
  payload.repository = {
    ...(payload.repository as Json),
    id: numericId(repository),
    full_name: repository,
    name,
    owner: { ...((payload.repository as Json).owner as Json), login: owner },
  };
  return payload;
}

/** A GitLab payload of the shape GitLab sends for `event` (push and wiki page only). */
function gitlabPayload(event: string, repository: string): Json {
  const project = {
    id: numericId(`gitlab:${repository}`),
    name: repository.split('/')[1],
    path_with_namespace: repository,
    web_url: `https://gitlab.example.com/${repository}`,
    default_branch: 'main',
    visibility_level: 0,
  };
  if (event === 'Wiki Page Hook') {
    return {
      object_kind: 'wiki_page',
      project,
      object_attributes: { title: 'Home', slug: 'home', action: 'update' },
    };
  }
  const sha = createHash('sha1').update(randomUUID()).digest('hex');
  return {
    object_kind: 'push',
    ref: 'refs/heads/main',
    before: '0'.repeat(40),
    after: sha,
    user_id: 4,
    user_username: 'jsmith',
    user_name: 'John Smith',
    project,
    commits: [
      {
        id: sha,
        message: 'Update the README',
        timestamp: '2026-01-01T12:00:00Z',
        author: { name: 'John Smith', email: 'jsmith@example.com' },
      },
    ],
    total_commits_count: 1,
  };
}

describe('admin: deliveries (real HTTP, PostgreSQL, Redis)', () => {
  let t: TestApp;
  /** Oldest first. */
  const sent: Sent[] = [];

  const list = async (query: Record<string, string>): Promise<DeliveryPage> => {
    const response = await t.request(
      'GET',
      `${DELIVERIES}?${new URLSearchParams(query).toString()}`,
    );
    expect({ query, status: response.status }).toEqual({ query, status: 200 });
    return response.json<DeliveryPage>();
  };

  const ids = (page: DeliveryPage) => page.items.map((d) => d.id);
  /** Ids of the deliveries this file sent that satisfy `keep`, newest first. */
  const expected = (keep: (d: Sent) => boolean = () => true) =>
    sent
      .filter(keep)
      .map((d) => d.id)
      .reverse();

  const rows = (deliveryIds: string[]) =>
    t.dataSource.query<TimesRow[]>(
      `SELECT id, status, attempts,
         to_char(processed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS processed_at
       FROM deliveries WHERE id = ANY($1::uuid[]) ORDER BY id`,
      [deliveryIds],
    );

  /** Waits until every delivery is final, then checks each ended as planned. */
  const waitUntilFinal = async (deliveries: Sent[]) => {
    const finals = await eventually(
      async () => {
        const current = await t.dataSource.query<
          { id: string; status: string; last_error: string | null }[]
        >('SELECT id, status, last_error FROM deliveries WHERE id = ANY($1::uuid[])', [
          deliveries.map((d) => d.id),
        ]);
        return current.length === deliveries.length &&
          current.every((r) => ['processed', 'ignored', 'dead'].includes(r.status))
          ? new Map(current.map((r) => [r.id, r]))
          : undefined;
      },
      30000,
      'deliveries to reach a final status',
    );
    expect(deliveries.map((d) => ({ event: d.event, ...finals.get(d.id) }))).toEqual(
      deliveries.map((d) => ({ event: d.event, id: d.id, status: d.final, last_error: null })),
    );
  };

  const send = async (plan: Planned): Promise<Sent> => {
    let body: string;
    let headers: Record<string, string>;
    if (plan.provider === 'github') {
      body = JSON.stringify(githubPayload(plan.event, plan.repository));
      headers = githubHeaders(body, plan.event, randomUUID(), GITHUB_SOURCE_SECRET);
    } else {
      body = JSON.stringify(gitlabPayload(plan.event, plan.repository));
      headers = {
        'content-type': 'application/json',
        'x-gitlab-event': plan.event,
        'x-gitlab-event-uuid': randomUUID(),
        'x-gitlab-token': GITLAB_SOURCE_TOKEN,
      };
    }
    const response = await t.request('POST', `/webhooks/${plan.provider}/${SLUG}`, {
      body,
      headers,
      token: null,
    });
    expect(response.status).toBe(202);
    const id = response.json<{ id: string }>().id;
    const [row] = await t.dataSource.query<{ received_at: string }[]>(
      `SELECT to_char(received_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS received_at
       FROM deliveries WHERE id = $1`,
      [id],
    );
    return { id, ...plan, body, receivedAt: row.received_at };
  };

  beforeAll(async () => {
    t = await startTestApp();
    for (const [provider, secret] of [
      ['github', GITHUB_SOURCE_SECRET],
      ['gitlab', GITLAB_SOURCE_TOKEN],
    ]) {
      const created = await t.request('POST', SOURCES, {
        json: { provider, slug: SLUG, secrets: [secret] },
      });
      expect(created.status).toBe(201);
    }
    // One at a time: each delivery is its own commit, so received_at orders them.
    for (const plan of PLAN) sent.push(await send(plan));
    await waitUntilFinal(sent);
  }, 60000);

  afterAll(async () => {
    await t.close();
  });

  it('lists newest first, with the summary of each delivery', async () => {
    const page = await list({ source: SLUG, limit: '200' });
    expect(ids(page)).toEqual(expected());
    expect(page.nextCursor).toBeNull();
    const newest = page.items[0];
    const last = sent[sent.length - 1];
    expect(newest).toMatchObject({
      id: last.id,
      provider: 'github',
      source: SLUG,
      event: 'push',
      repository: API,
      status: 'processed',
      attempts: 1,
      lastError: null,
      bodySize: Buffer.byteLength(last.body),
    });
    expect(newest.providerDeliveryId).toMatch(/^4242:[0-9a-f-]{36}$/);
    expect(newest.processedAt).not.toBeNull();
    expect(newest).not.toHaveProperty('body');
    expect(newest).not.toHaveProperty('headers');

    // Unfiltered: everything, still newest first, ours at the top in reverse order of arrival.
    const all = await list({ limit: '200' });
    const times = all.items.map((d) => Date.parse(d.receivedAt));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    const mine = new Set(sent.map((d) => d.id));
    expect(ids(all).filter((id) => mine.has(id))).toEqual(expected());
    expect(ids(all).slice(0, sent.length)).toEqual(expected());

    // The default limit is 50.
    const defaultPage = await list({});
    expect(defaultPage.items.length).toBeLessThanOrEqual(50);
  });

  it('each filter narrows the list to exactly the matching deliveries', async () => {
    const mine = { source: SLUG, limit: '200' };
    expect(ids(await list({ ...mine, provider: 'gitlab' }))).toEqual(
      expected((d) => d.provider === 'gitlab'),
    );
    expect(ids(await list({ ...mine, provider: 'github' }))).toEqual(
      expected((d) => d.provider === 'github'),
    );
    expect(ids(await list({ ...mine, event: 'push' }))).toEqual(
      expected((d) => d.event === 'push'),
    );
    expect(ids(await list({ ...mine, event: 'pull_request' }))).toEqual(
      expected((d) => d.event === 'pull_request'),
    );
    expect(ids(await list({ ...mine, status: 'ignored' }))).toEqual(
      expected((d) => d.final === 'ignored'),
    );
    expect(ids(await list({ ...mine, status: 'processed' }))).toEqual(
      expected((d) => d.final === 'processed'),
    );
    expect(ids(await list({ ...mine, status: 'dead' }))).toEqual([]);
    // Repository alone (no source) already isolates this file's deliveries.
    expect(ids(await list({ repository: LIB, limit: '200' }))).toEqual(
      expected((d) => d.repository === LIB),
    );
    expect(ids(await list({ repository: API, event: 'push', provider: 'github' }))).toEqual(
      expected((d) => d.repository === API && d.event === 'push' && d.provider === 'github'),
    );
    expect(ids(await list({ source: `no-such-${tag}` }))).toEqual([]);

    // receivedFrom is inclusive, receivedTo exclusive.
    const from = sent[5].receivedAt;
    const to = sent[9].receivedAt;
    expect(ids(await list({ ...mine, receivedFrom: from }))).toEqual(
      expected((d) => sent.indexOf(d) >= 5),
    );
    expect(ids(await list({ ...mine, receivedTo: from }))).toEqual(
      expected((d) => sent.indexOf(d) < 5),
    );
    expect(ids(await list({ ...mine, receivedFrom: from, receivedTo: to }))).toEqual(
      expected((d) => sent.indexOf(d) >= 5 && sent.indexOf(d) < 9),
    );
  });

  it('rejects invalid filters with 400 VALIDATION_FAILED', async () => {
    for (const query of [
      'provider=sourcehut',
      'status=finished',
      'receivedFrom=yesterday',
      'limit=0',
      'limit=201',
      'limit=ten',
      'colour=blue',
    ]) {
      const response = await t.request('GET', `${DELIVERIES}?${query}`);
      expect({ query, status: response.status }).toEqual({ query, status: 400 });
      expect(response.json<ErrorBody>().code).toBe('VALIDATION_FAILED');
    }
  });

  it('cursor pagination (limit=5) walks every delivery once, without duplicates or gaps', async () => {
    const walk = async (limit: number): Promise<{ pages: number[]; seen: string[] }> => {
      const pages: number[] = [];
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const query: Record<string, string> = { source: SLUG, limit: String(limit) };
        if (cursor) query.cursor = cursor;
        const page = await list(query);
        pages.push(page.items.length);
        seen.push(...ids(page));
        cursor = page.nextCursor;
        expect(pages.length).toBeLessThan(20);
      } while (cursor);
      return { pages, seen };
    };
    const byFive = await walk(5);
    expect(byFive.pages).toEqual([5, 5, 4]);
    expect(new Set(byFive.seen).size).toBe(byFive.seen.length);
    expect(byFive.seen).toEqual(expected());
    // A count that divides evenly ends without an empty trailing page.
    const bySeven = await walk(7);
    expect(bySeven.pages).toEqual([7, 7]);
    expect(bySeven.seen).toEqual(expected());

    // A cursor keeps the filters of the query it is used with.
    const first = await list({ source: SLUG, event: 'push', limit: '2' });
    const second = await list({
      source: SLUG,
      event: 'push',
      limit: '200',
      cursor: first.nextCursor ?? '',
    });
    expect([...ids(first), ...ids(second)]).toEqual(expected((d) => d.event === 'push'));
  });

  const encodeCursor = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

  it('400 on a cursor the API did not hand out', async () => {
    for (const cursor of [
      'garbage',
      encodeCursor({ receivedAt: '2024-01-01T00:00:00Z' }),
      encodeCursor(['not a date', randomUUID()]),
      encodeCursor(['2024-01-01T00:00:00Z', 'not-a-uuid']),
      encodeCursor([42, randomUUID()]),
    ]) {
      const response = await t.request('GET', `${DELIVERIES}?cursor=${cursor}`);
      expect({ cursor, status: response.status }).toEqual({ cursor, status: 400 });
      expect(response.json<ErrorBody>()).toMatchObject({
        code: 'VALIDATION_FAILED',
        message: 'cursor is not a cursor this API returned',
      });
    }
  });

  /**
   * A cursor the API handed out, with its uuid or its timestamp replaced: the right shape with
   * a wrong value, whatever the cursor's layout.
   */
  const tamperedCursor = async (part: 'id' | 'time', value: string): Promise<string> => {
    const { nextCursor } = await list({ source: SLUG, limit: '1' });
    expect(nextCursor).not.toBeNull();
    const decoded: unknown = JSON.parse(Buffer.from(nextCursor ?? '', 'base64url').toString());
    expect(Array.isArray(decoded)).toBe(true);
    const values = decoded as unknown[];
    const pattern = part === 'id' ? /^[0-9a-f]{8}-[0-9a-f]{4}-/ : /^\d{4}-\d{2}-\d{2}T/;
    const index = values.findIndex((v) => typeof v === 'string' && pattern.test(v));
    expect(index).toBeGreaterThanOrEqual(0);
    values[index] = value;
    return encodeCursor(values);
  };

  it('a cursor the API handed out is accepted when sent back unchanged', async () => {
    const first = await list({ source: SLUG, limit: '1' });
    const second = await list({ source: SLUG, limit: '1', cursor: first.nextCursor ?? '' });
    expect([...ids(first), ...ids(second)]).toEqual(expected().slice(0, 2));
  });

  it('400 (not 500) on a cursor whose id is uuid-shaped but not a uuid', async () => {
    const cursor = await tamperedCursor('id', '-'.repeat(36));
    const response = await t.request('GET', `${DELIVERIES}?source=${SLUG}&cursor=${cursor}`);
    expect(response.status).toBe(400);
    expect(response.json<ErrorBody>().code).toBe('VALIDATION_FAILED');
  });

  it('400 (not 500) on a cursor whose time PostgreSQL cannot read', async () => {
    for (const time of ['1', '+275760-09-13T00:00:00.000Z', '2024-02-30T00:00:00.000000Z']) {
      const cursor = await tamperedCursor('time', time);
      const response = await t.request('GET', `${DELIVERIES}?source=${SLUG}&cursor=${cursor}`);
      expect({ time, status: response.status }).toEqual({ time, status: 400 });
      expect(response.json<ErrorBody>().code).toBe('VALIDATION_FAILED');
    }
  });

  it('400 (not 500) on a receivedFrom date that does not exist (February 30)', async () => {
    const response = await t.request('GET', `${DELIVERIES}?receivedFrom=2024-02-30T00:00:00Z`);
    expect(response.status).toBe(400);
    expect(response.json<ErrorBody>().code).toBe('VALIDATION_FAILED');
  });

  it('GET /:id returns headers without the signature, and the body text; 404 and 400 otherwise', async () => {
    const delivery = sent[0];
    const response = await t.request('GET', `${DELIVERIES}/${delivery.id}`);
    expect(response.status).toBe(200);
    const detail = response.json<DeliveryDetail>();
    expect(detail).toMatchObject({
      id: delivery.id,
      provider: 'github',
      source: SLUG,
      event: 'push',
      repository: API,
      contentType: 'application/json',
      body: delivery.body,
    });
    expect(detail.headers).toHaveProperty('x-github-event', 'push');
    expect(detail.headers).toHaveProperty('x-github-hook-id', '4242');
    expect(detail.headers).not.toHaveProperty('x-hub-signature-256');
    expect(detail.headers).not.toHaveProperty('authorization');
    expect(response.text).not.toContain('sha256=');
    expect(response.text).not.toContain(GITHUB_SOURCE_SECRET);

    const gitlab = await t.request('GET', `${DELIVERIES}/${sent[4].id}`);
    expect(gitlab.status).toBe(200);
    expect(gitlab.json<DeliveryDetail>().headers).not.toHaveProperty('x-gitlab-token');
    expect(gitlab.text).not.toContain(GITLAB_SOURCE_TOKEN);

    const unknown = await t.request('GET', `${DELIVERIES}/${randomUUID()}`);
    expect(unknown.status).toBe(404);
    expect(unknown.json<ErrorBody>().code).toBe('NOT_FOUND');
    const notUuid = await t.request('GET', `${DELIVERIES}/not-a-uuid`);
    expect(notUuid.status).toBe(400);
    expect(notUuid.json<ErrorBody>().code).toBe('VALIDATION_FAILED');
  });

  it('POST /:id/replay processes the delivery again (attempts reset, processed_at moves)', async () => {
    const delivery = sent[1];
    const [before] = await rows([delivery.id]);
    expect(before).toMatchObject({ status: 'processed', attempts: 1 });
    expect(before.processed_at).not.toBeNull();

    const response = await t.request('POST', `${DELIVERIES}/${delivery.id}/replay`);
    expect(response.status).toBe(202);
    expect(response.json()).toEqual({ id: delivery.id, status: 'queued' });

    const after = await eventually(
      async () => {
        const [row] = await rows([delivery.id]);
        return row.status === 'processed' && row.processed_at !== before.processed_at
          ? row
          : undefined;
      },
      20000,
      'the replayed delivery to be processed again',
    );
    // Reset to 0 by the replay, then one attempt by the worker (not 2).
    expect(after.attempts).toBe(1);
    expect(Date.parse(after.processed_at ?? '')).toBeGreaterThan(
      Date.parse(before.processed_at ?? ''),
    );

    const unknown = await t.request('POST', `${DELIVERIES}/${randomUUID()}/replay`);
    expect(unknown.status).toBe(404);
    expect(unknown.json<ErrorBody>().code).toBe('NOT_FOUND');
    const notUuid = await t.request('POST', `${DELIVERIES}/not-a-uuid/replay`);
    expect(notUuid.status).toBe(400);
  });

  it('bulk POST /replay {filter} answers 202 {jobId} and reprocesses exactly the matching deliveries', async () => {
    const matching = sent.filter((d) => d.event === 'push');
    const others = sent.filter((d) => d.event !== 'push');
    expect(matching.length).toBeGreaterThan(3);
    const before = new Map(
      (await rows(sent.map((d) => d.id))).map((r) => [r.id, r.processed_at] as const),
    );

    const response = await t.request('POST', `${DELIVERIES}/replay`, {
      json: { filter: { event: 'push', source: SLUG } },
    });
    expect(response.status).toBe(202);
    const { jobId, status } = response.json<{ jobId: string; status: string }>();
    expect(status).toBe('queued');
    expect(jobId).toMatch(/.+/);

    const replayed = await eventually(
      async () => {
        const current = await rows(matching.map((d) => d.id));
        return current.every(
          (r) =>
            r.status === 'processed' &&
            r.processed_at !== null &&
            r.processed_at !== before.get(r.id),
        )
          ? current
          : undefined;
      },
      30000,
      'every push delivery to be processed again',
    );
    expect(replayed.every((r) => r.attempts === 1)).toBe(true);
    for (const row of replayed) {
      expect(Date.parse(row.processed_at ?? '')).toBeGreaterThan(
        Date.parse(before.get(row.id) ?? ''),
      );
    }

    // The maintenance job finished and counted them; nothing else was touched.
    const queue = t.app.get(JobsService).queue(QueueName.Maintenance);
    const result = await eventually(
      async (): Promise<unknown> => {
        const job = await queue.getJob(jobId);
        return job && (await job.getState()) === 'completed'
          ? (job.returnvalue as unknown)
          : undefined;
      },
      20000,
      'the replay job to complete',
    );
    expect(result).toEqual({ replayed: matching.length });
    const untouched = await rows(others.map((d) => d.id));
    for (const row of untouched) expect(row.processed_at).toBe(before.get(row.id));
  });

  it('bulk replay without a filter answers 400 (not 500)', async () => {
    const response = await t.request('POST', `${DELIVERIES}/replay`, { json: {} });
    expect(response.status).toBe(400);
    expect(response.json<ErrorBody>().code).toBe('VALIDATION_FAILED');
  });

  it('bulk replay refuses an empty filter and invalid filter values, with 400', async () => {
    const countQueued = async () =>
      Number(
        (
          await t.dataSource.query<{ n: string }[]>(
            `SELECT count(*) AS n FROM deliveries WHERE source = $1 AND status <> 'processed'
               AND status <> 'ignored'`,
            [SLUG],
          )
        )[0].n,
      );
    for (const json of [
      { filter: {} },
      { filter: { event: 'push', colour: 'blue' } },
      { filter: { status: 'finished' } },
      { filter: 'push' },
    ]) {
      const response = await t.request('POST', `${DELIVERIES}/replay`, { json });
      expect({ json, status: response.status }).toEqual({ json, status: 400 });
      expect(response.json<ErrorBody>().code).toBe('VALIDATION_FAILED');
    }
    expect(await countQueued()).toBe(0);
  });

  describe('deliveries committed together (group commit: one received_at for several rows)', () => {
    const TIES = `ties-${tag}`;
    let burst: string[] = [];

    beforeAll(async () => {
      const created = await t.request('POST', SOURCES, {
        json: { provider: 'github', slug: TIES, secrets: [GITHUB_SOURCE_SECRET] },
      });
      expect(created.status).toBe(201);
      const answers = await Promise.all(
        Array.from({ length: 40 }, () => {
          const body = JSON.stringify(githubPayload('push', API));
          return t.request('POST', `/webhooks/github/${TIES}`, {
            body,
            headers: githubHeaders(body, 'push', randomUUID(), GITHUB_SOURCE_SECRET),
            token: null,
          });
        }),
      );
      expect(answers.map((a) => a.status)).toEqual(answers.map(() => 202));
      burst = answers.map((a) => a.json<{ id: string }>().id);
    });

    it('the burst really shares received_at values (precondition of the next test)', async () => {
      const groups = await t.dataSource.query<{ n: number }[]>(
        `SELECT count(*)::int AS n FROM deliveries WHERE source = $1
         GROUP BY date_trunc('milliseconds', received_at) HAVING count(*) > 1`,
        [TIES],
      );
      expect(groups.length).toBeGreaterThan(0);
    });

    it('cursor pagination still walks all of them once', async () => {
      for (const limit of [1, 5]) {
        const seen: string[] = [];
        let cursor: string | null = null;
        for (let pages = 0; pages < 100; pages++) {
          const query: Record<string, string> = { source: TIES, limit: String(limit) };
          if (cursor) query.cursor = cursor;
          const page = await list(query);
          seen.push(...ids(page));
          cursor = page.nextCursor;
          if (!cursor) break;
        }
        expect(new Set(seen).size).toBe(seen.length);
        expect([...seen].sort()).toEqual([...burst].sort());
      }
    });
  });
});
