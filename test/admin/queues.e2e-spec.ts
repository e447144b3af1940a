import { Job, Worker } from 'bullmq';
import { randomBytes, randomUUID } from 'node:crypto';
import { JobName, QueueName } from '../../src/core/jobs/job-catalogue';
import { JobsService } from '../../src/core/jobs/jobs.service';
import { ADMIN_TOKEN, eventually, startTestApp, TestApp } from '../support/test-app';

const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

const ADMIN = '/api/v1/admin';
const QUEUES = `${ADMIN}/queues`;
const tag = randomBytes(3).toString('hex');

interface Throughput {
  completed: number;
  failed: number;
  completedPerMinute: number;
  failedPerMinute: number;
}

interface QueueOverview {
  name: string;
  paused: boolean;
  counts: Record<string, number>;
  oldestWaitingAgeSeconds: number | null;
  throughput: { lastMinute: Throughput; lastHour: Throughput };
  failureRate: number | null;
}

interface JobSummary {
  id: string;
  name: string;
  queue: string;
  state: string;
  data: Record<string, unknown>;
  attemptsMade: number;
  failedReason: string | null;
  progress: unknown;
  createdAt: string;
  processedAt: string | null;
  finishedAt: string | null;
  runAt: string | null;
}

interface JobDetail extends JobSummary {
  opts: Record<string, unknown>;
  stacktrace: string[];
  logs: string[];
  returnvalue: unknown;
  delivery: {
    id: string;
    provider: string;
    event: string;
    status: string;
    attempts: number;
    lastError: string | null;
  } | null;
}

interface JobPage {
  items: JobSummary[];
  nextCursor: string | null;
}

interface DeadLetter {
  id: string;
  provider: string;
  source: string;
  event: string;
  repository: string | null;
  attempts: number;
  lastError: string | null;
  receivedAt: string;
}

interface DeadLetterPage {
  items: DeadLetter[];
  nextCursor: string | null;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Inserts a stored GitHub `ping` delivery (processing it ends `ignored`). */
async function insertDelivery(
  t: TestApp,
  fields: { id?: string; status: string; repository?: string; lastError?: string },
): Promise<string> {
  const id = fields.id ?? randomUUID();
  const body = Buffer.from(JSON.stringify({ zen: 'Keep it logically awesome.', hook_id: 1 }));
  await t.dataSource.query(
    `INSERT INTO deliveries (id, provider, source, provider_delivery_id, event, repository,
       content_type, headers, body, body_size, status, attempts, last_error)
     VALUES ($1, 'github', 'default', $2, 'ping', $3, 'application/json', '{}'::jsonb, $4, $5, $6, 1, $7)`,
    [
      id,
      `test-${tag}:${id}`,
      fields.repository ?? null,
      body,
      body.length,
      fields.status,
      fields.lastError ?? null,
    ],
  );
  return id;
}

async function deliveryStatus(t: TestApp, id: string): Promise<string | undefined> {
  const [row] = await t.dataSource.query<{ status: string }[]>(
    'SELECT status FROM deliveries WHERE id = $1',
    [id],
  );
  return row?.status;
}

describe('admin: queues, jobs, dead letters, triggers (real HTTP, PostgreSQL, Redis)', () => {
  /** ROLE=all: runs the workers. */
  let t: TestApp;
  /** ROLE=api: no workers, so jobs stay where the test puts them. */
  let api: TestApp;
  let jobs: JobsService;
  let apiJobs: JobsService;

  const overview = async (app: TestApp, name: QueueName): Promise<QueueOverview> => {
    const response = await app.request('GET', QUEUES);
    expect(response.status).toBe(200);
    const found = response
      .json<{ queues: QueueOverview[] }>()
      .queues.find((q) => q.name === String(name));
    if (!found) throw new Error(`queue ${name} missing from GET /queues`);
    return found;
  };

  const job = async (app: TestApp, queue: QueueName, id: string): Promise<JobDetail> => {
    const response = await app.request('GET', `${QUEUES}/${queue}/jobs/${id}`);
    expect({ id, status: response.status }).toEqual({ id, status: 200 });
    return response.json<JobDetail>();
  };

  const jobInState = (app: TestApp, queue: QueueName, id: string, state: string) =>
    eventually(
      async () => {
        const detail = await job(app, queue, id);
        return detail.state === state ? detail : undefined;
      },
      20000,
      `job ${id} to be ${state}`,
    );

  const listAll = async (app: TestApp, queue: QueueName, state: string): Promise<string[]> => {
    const response = await app.request('GET', `${QUEUES}/${queue}/jobs?state=${state}&limit=200`);
    expect(response.status).toBe(200);
    return response.json<JobPage>().items.map((j) => j.id);
  };

  /** A job of the deliveries queue that fails at once: its delivery row does not exist. */
  const failedDeliveryJob = async (): Promise<string> => {
    const deliveryId = randomUUID();
    await jobs.enqueue(JobName.ProcessDelivery, { deliveryId });
    await jobInState(t, QueueName.Deliveries, deliveryId, 'failed');
    return deliveryId;
  };

  /** Takes the next waiting job of `queue` on the ROLE=api app, as a worker would (active, locked). */
  const takeJob = async (
    queue: QueueName,
  ): Promise<{ worker: Worker; job: Job; token: string }> => {
    const worker = new Worker(queue, null, {
      connection: { url: api.config.redisUrl },
      prefix: api.config.queuePrefix,
    });
    const token = randomUUID();
    const taken = (await worker.getNextJob(token)) as Job | undefined;
    if (!taken) throw new Error(`no waiting job in ${queue}`);
    return { worker, job: taken, token };
  };

  beforeAll(async () => {
    t = await startTestApp();
    api = await startTestApp({ ROLE: 'api' });
    jobs = t.app.get(JobsService);
    apiJobs = api.app.get(JobsService);
  }, 60000);

  afterAll(async () => {
    await api?.close();
    await t?.close();
  });

  describe('access', () => {
    it('answers 401 without a key on the admin API and on the Bull Board dashboard', async () => {
      const id = randomUUID();
      const calls: [string, string, unknown?][] = [
        ['GET', QUEUES],
        ['GET', `${QUEUES}/deliveries/jobs?state=failed`],
        ['GET', `${QUEUES}/deliveries/jobs/${id}`],
        ['POST', `${QUEUES}/deliveries/jobs/${id}/retry`],
        ['POST', `${QUEUES}/deliveries/jobs/${id}/promote`],
        ['DELETE', `${QUEUES}/deliveries/jobs/${id}`],
        ['POST', `${QUEUES}/deliveries/pause`],
        ['POST', `${QUEUES}/deliveries/resume`],
        ['POST', `${QUEUES}/deliveries/retry-failed`],
        ['POST', `${QUEUES}/deliveries/clean`, { state: 'completed', olderThanMs: 0 }],
        ['GET', `${ADMIN}/dead-letters`],
        ['POST', `${ADMIN}/dead-letters/redrive`, { ids: [id] }],
        ['POST', `${ADMIN}/repositories/${id}/reindex`],
        ['POST', `${ADMIN}/repositories/${id}/metrics/refresh`],
        ['GET', '/admin/queues'],
        ['GET', '/admin/queues/api/queues'],
      ];
      for (const [method, path, json] of calls) {
        const response = await t.request(method, path, { token: null, json });
        expect({ method, path, status: response.status }).toEqual({ method, path, status: 401 });
        expect(response.json()).toMatchObject({ statusCode: 401, code: 'UNAUTHORIZED' });
      }
      const wrongKey = await t.request('GET', '/admin/queues', { token: 'not-the-key' });
      expect(wrongKey.status).toBe(401);
      // A browser shows its login prompt for a Basic challenge.
      expect(wrongKey.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
      const wrongBasic = await t.request('GET', '/admin/queues', {
        token: null,
        headers: { authorization: basic('admin', 'not-the-key') },
      });
      expect(wrongBasic.status).toBe(401);
    });

    it('lets a browser in with the admin key as the password of HTTP Basic', async () => {
      const page = await t.request('GET', '/admin/queues', {
        token: null,
        headers: { authorization: basic('anyone', ADMIN_TOKEN) },
      });
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toContain('text/html');
      const created = await t.request('POST', `${ADMIN}/api-keys`, {
        json: { name: `queues-basic-read-${tag}`, scopes: ['read'] },
      });
      const readKey = created.json<{ key: string }>().key;
      const readOnly = await t.request('GET', '/admin/queues/api/queues', {
        token: null,
        headers: { authorization: basic('', readKey) },
      });
      expect(readOnly.status).toBe(403);
    });

    it('lets a read key see queues and dead letters but change nothing (403)', async () => {
      const created = await t.request('POST', `${ADMIN}/api-keys`, {
        json: { name: `queues-read-${tag}`, scopes: ['read'] },
      });
      expect(created.status).toBe(201);
      const token = created.json<{ key: string }>().key;
      for (const path of [
        QUEUES,
        `${QUEUES}/deliveries/jobs?state=failed`,
        `${ADMIN}/dead-letters`,
      ]) {
        const response = await t.request('GET', path, { token });
        expect({ path, status: response.status }).toEqual({ path, status: 200 });
      }
      const id = randomUUID();
      const changes: [string, string, unknown?][] = [
        ['POST', `${QUEUES}/deliveries/jobs/${id}/retry`],
        ['POST', `${QUEUES}/deliveries/jobs/${id}/promote`],
        ['DELETE', `${QUEUES}/deliveries/jobs/${id}`],
        ['POST', `${QUEUES}/deliveries/pause`],
        ['POST', `${QUEUES}/deliveries/resume`],
        ['POST', `${QUEUES}/deliveries/retry-failed`],
        ['POST', `${QUEUES}/deliveries/clean`, { state: 'completed', olderThanMs: 0 }],
        ['POST', `${ADMIN}/dead-letters/redrive`, { ids: [id] }],
        ['POST', `${ADMIN}/repositories/${id}/reindex`],
        ['POST', `${ADMIN}/repositories/${id}/metrics/refresh`],
        ['GET', '/admin/queues'],
      ];
      for (const [method, path, json] of changes) {
        const response = await t.request(method, path, { token, json });
        expect({ method, path, status: response.status }).toEqual({ method, path, status: 403 });
        expect(response.json()).toMatchObject({ statusCode: 403, code: 'FORBIDDEN' });
      }
      expect((await overview(t, QueueName.Deliveries)).paused).toBe(false);
    });

    it('serves the Bull Board dashboard with the admin key, listing every queue', async () => {
      const page = await t.request('GET', '/admin/queues');
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toContain('text/html');
      const queues = await t.request('GET', '/admin/queues/api/queues');
      expect(queues.status).toBe(200);
      const names = queues.json<{ queues: { name: string }[] }>().queues.map((q) => q.name);
      expect(names.sort()).toEqual(['deliveries', 'followups', 'maintenance']);
    });

    it('documents every route in the OpenAPI document', async () => {
      const doc = await t.request('GET', '/docs-json', { token: null });
      const paths = Object.keys(doc.json<{ paths: Record<string, unknown> }>().paths);
      expect(paths).toEqual(
        expect.arrayContaining([
          '/api/v1/admin/queues',
          '/api/v1/admin/queues/{queue}/jobs',
          '/api/v1/admin/queues/{queue}/jobs/{id}',
          '/api/v1/admin/queues/{queue}/jobs/{id}/retry',
          '/api/v1/admin/queues/{queue}/jobs/{id}/promote',
          '/api/v1/admin/queues/{queue}/pause',
          '/api/v1/admin/queues/{queue}/resume',
          '/api/v1/admin/queues/{queue}/retry-failed',
          '/api/v1/admin/queues/{queue}/clean',
          '/api/v1/admin/dead-letters',
          '/api/v1/admin/dead-letters/redrive',
          '/api/v1/admin/repositories/{id}/reindex',
          '/api/v1/admin/repositories/{id}/metrics/refresh',
        ]),
      );
      expect(paths.some((p) => p.startsWith('/admin/queues'))).toBe(false);
    });

    it('answers 404 for an unknown queue or job and 400 for invalid query input', async () => {
      const unknownQueue = await t.request('GET', `${QUEUES}/nope/jobs?state=waiting`);
      expect(unknownQueue.status).toBe(404);
      expect(unknownQueue.json()).toMatchObject({ code: 'NOT_FOUND' });
      expect((await t.request('POST', `${QUEUES}/nope/pause`)).status).toBe(404);
      const unknownJob = await t.request('GET', `${QUEUES}/deliveries/jobs/no-such-job`);
      expect(unknownJob.status).toBe(404);
      for (const [method, suffix] of [
        ['POST', '/retry'],
        ['POST', '/promote'],
        ['DELETE', ''],
      ]) {
        const response = await t.request(method, `${QUEUES}/followups/jobs/no-such-job${suffix}`);
        expect({ method, suffix, status: response.status }).toEqual({
          method,
          suffix,
          status: 404,
        });
      }
      for (const query of [
        '',
        'state=paused',
        'state=waiting&limit=0',
        'state=waiting&limit=201',
        'state=waiting&cursor=bm9wZQ',
        'state=waiting&other=1',
      ]) {
        const response = await t.request('GET', `${QUEUES}/deliveries/jobs?${query}`);
        expect({ query, status: response.status }).toEqual({ query, status: 400 });
      }
      const badClean = await t.request('POST', `${QUEUES}/deliveries/clean`, {
        json: { state: 'active', olderThanMs: 0 },
      });
      expect(badClean.status).toBe(400);
    });
  });

  describe('queues and jobs', () => {
    it('GET /queues reports counts, paused flag, oldest waiting age, throughput and failure rate', async () => {
      const response = await t.request('GET', QUEUES);
      expect(response.status).toBe(200);
      const queues = response.json<{ queues: QueueOverview[] }>().queues;
      expect(queues.map((q) => q.name)).toEqual(['deliveries', 'followups', 'maintenance']);
      for (const queue of queues) {
        expect(Object.keys(queue.counts).sort()).toEqual(
          [
            'active',
            'completed',
            'delayed',
            'failed',
            'prioritized',
            'waiting',
            'waiting-children',
          ].sort(),
        );
        expect(queue.throughput.lastMinute).toEqual(
          expect.objectContaining({ completed: expect.any(Number), failed: expect.any(Number) }),
        );
      }

      // A paused queue keeps its jobs waiting: the oldest one's age shows.
      expect((await api.request('POST', `${QUEUES}/maintenance/pause`)).json()).toEqual({
        queue: 'maintenance',
        paused: true,
      });
      await apiJobs.enqueue(JobName.RedriveDeadLetters, { ids: [randomUUID()], requestedBy: 't' });
      await sleep(1200);
      const paused = await overview(api, QueueName.Maintenance);
      expect(paused.paused).toBe(true);
      expect(paused.counts.waiting).toBe(1);
      expect(paused.oldestWaitingAgeSeconds).toBeGreaterThanOrEqual(1);
      expect((await api.request('POST', `${QUEUES}/maintenance/resume`)).json()).toEqual({
        queue: 'maintenance',
        paused: false,
      });
      expect((await overview(api, QueueName.Maintenance)).paused).toBe(false);
      await api.request('POST', `${QUEUES}/maintenance/clean`, {
        json: { state: 'waiting', olderThanMs: 0 },
      });
      expect((await overview(api, QueueName.Maintenance)).oldestWaitingAgeSeconds).toBeNull();

      // Finished jobs count in the throughput and the failure rate.
      await failedDeliveryJob();
      const id = await insertDelivery(t, { status: 'queued' });
      await jobs.enqueue(JobName.ProcessDelivery, { deliveryId: id });
      await jobInState(t, QueueName.Deliveries, id, 'completed');
      const deliveries = await overview(t, QueueName.Deliveries);
      expect(deliveries.counts.failed).toBeGreaterThanOrEqual(1);
      expect(deliveries.counts.completed).toBeGreaterThanOrEqual(1);
      const hour = deliveries.throughput.lastHour;
      expect(hour.failed).toBeGreaterThanOrEqual(1);
      expect(hour.completed).toBeGreaterThanOrEqual(1);
      expect(hour.completedPerMinute).toBeCloseTo(hour.completed / 60, 1);
      expect(deliveries.throughput.lastMinute.completed).toBeGreaterThan(0);
      expect(deliveries.failureRate).toBeCloseTo(hour.failed / (hour.failed + hour.completed), 3);
    });

    it('lists jobs of one state newest first with an opaque cursor', async () => {
      await api.request('POST', `${QUEUES}/maintenance/pause`);
      const added: string[] = [];
      for (let i = 0; i < 5; i++) {
        const created = await apiJobs.enqueue(JobName.RedriveDeadLetters, {
          ids: [randomUUID()],
          requestedBy: `list-${i}`,
        });
        added.push(created.id ?? '');
      }
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const query: string = `state=waiting&limit=2${cursor ? `&cursor=${cursor}` : ''}`;
        const response = await api.request('GET', `${QUEUES}/maintenance/jobs?${query}`);
        expect(response.status).toBe(200);
        const page = response.json<JobPage>();
        expect(page.items.length).toBeLessThanOrEqual(2);
        for (const item of page.items) {
          expect(item).toMatchObject({
            name: 'deliveries.redrive-dead',
            queue: 'maintenance',
            state: 'waiting',
          });
        }
        seen.push(...page.items.map((j) => j.id));
        cursor = page.nextCursor;
        pages += 1;
      } while (cursor && pages < 10);
      expect(pages).toBe(3);
      expect(seen).toEqual([...added].reverse());

      // A cursor belongs to its queue and state.
      const first = (
        await api.request('GET', `${QUEUES}/maintenance/jobs?state=waiting&limit=2`)
      ).json<JobPage>();
      const elsewhere = await api.request(
        'GET',
        `${QUEUES}/maintenance/jobs?state=delayed&cursor=${first.nextCursor ?? ''}`,
      );
      expect(elsewhere.status).toBe(400);
      await api.request('POST', `${QUEUES}/maintenance/clean`, {
        json: { state: 'waiting', olderThanMs: 0 },
      });
      await api.request('POST', `${QUEUES}/maintenance/resume`);
    });

    it('shows a failed job with reason and stack trace, and retrying it really runs it again', async () => {
      const deliveryId = await failedDeliveryJob();
      const failed = await job(t, QueueName.Deliveries, deliveryId);
      expect(failed).toMatchObject({
        id: deliveryId,
        name: 'delivery.process',
        queue: 'deliveries',
        state: 'failed',
        data: { deliveryId },
        attemptsMade: 1,
        delivery: null,
      });
      expect(failed.failedReason).toContain('does not exist');
      expect(failed.stacktrace.length).toBeGreaterThan(0);
      expect(failed.finishedAt).not.toBeNull();
      expect(failed.opts).toMatchObject({ jobId: deliveryId });
      expect(await listAll(t, QueueName.Deliveries, 'failed')).toContain(deliveryId);

      // Wrong state for the operation: 409 with a clear message.
      const promote = await t.request('POST', `${QUEUES}/deliveries/jobs/${deliveryId}/promote`);
      expect(promote.status).toBe(409);
      expect(promote.json()).toMatchObject({ code: 'CONFLICT' });
      expect(promote.json<{ message: string }>().message).toContain('only a delayed job');
      const remove = await t.request('DELETE', `${QUEUES}/deliveries/jobs/${deliveryId}`);
      expect(remove.status).toBe(409);

      // The delivery now exists (given up earlier): the retried job processes it for real.
      await insertDelivery(t, { id: deliveryId, status: 'dead', lastError: 'gave up' });
      const retry = await t.request('POST', `${QUEUES}/deliveries/jobs/${deliveryId}/retry`);
      expect(retry.status).toBe(200);
      expect(retry.json()).toEqual({ id: deliveryId, queue: 'deliveries', outcome: 'retried' });
      const completed = await jobInState(t, QueueName.Deliveries, deliveryId, 'completed');
      expect(completed.attemptsMade).toBeGreaterThanOrEqual(2);
      expect(completed.delivery).toEqual({
        id: deliveryId,
        provider: 'github',
        event: 'ping',
        status: 'ignored',
        attempts: 2,
        lastError: null,
      });
      expect(await deliveryStatus(t, deliveryId)).toBe('ignored');

      const again = await t.request('POST', `${QUEUES}/deliveries/jobs/${deliveryId}/retry`);
      expect(again.status).toBe(409);
      expect(again.json<{ message: string }>().message).toContain('only a failed job');
    });

    it('retry-failed runs every failed job of the queue again', async () => {
      const ids = [await failedDeliveryJob(), await failedDeliveryJob()];
      for (const id of ids) await insertDelivery(t, { id, status: 'dead' });
      const response = await t.request('POST', `${QUEUES}/deliveries/retry-failed`);
      expect(response.status).toBe(200);
      expect(response.json<{ retried: number }>().retried).toBeGreaterThanOrEqual(2);
      for (const id of ids) {
        await jobInState(t, QueueName.Deliveries, id, 'completed');
        expect(await deliveryStatus(t, id)).toBe('ignored');
      }
    });

    it('promotes a delayed job, which then runs', async () => {
      const delayed = await jobs.enqueue(
        JobName.RedriveDeadLetters,
        { ids: [randomUUID()], requestedBy: 'promote' },
        { delayMs: 10 * 60_000 },
      );
      const id = delayed.id ?? '';
      const before = await job(t, QueueName.Maintenance, id);
      expect(before.state).toBe('delayed');
      expect(before.runAt).not.toBeNull();
      const response = await t.request('POST', `${QUEUES}/maintenance/jobs/${id}/promote`);
      expect(response.status).toBe(200);
      expect(response.json()).toEqual({ id, queue: 'maintenance', outcome: 'promoted' });
      const done = await jobInState(t, QueueName.Maintenance, id, 'completed');
      expect(done.returnvalue).toEqual({ redriven: 0 });
      const twice = await t.request('POST', `${QUEUES}/maintenance/jobs/${id}/promote`);
      expect(twice.status).toBe(409);
    });

    it('deletes waiting and delayed jobs; a waiting delivery job leaves its delivery cancelled', async () => {
      const waiting = await apiJobs.enqueue(JobName.RedriveDeadLetters, {
        ids: [randomUUID()],
        requestedBy: 'delete',
      });
      const delayed = await apiJobs.enqueue(
        JobName.RefreshMetrics,
        { repositoryId: randomUUID() },
        { delayMs: 60_000 },
      );
      const deliveryId = await insertDelivery(api, { status: 'queued' });
      await apiJobs.enqueue(JobName.ProcessDelivery, { deliveryId });

      const cases: [QueueName, string, string][] = [
        [QueueName.Maintenance, waiting.id ?? '', 'waiting'],
        [QueueName.Followups, delayed.id ?? '', 'delayed'],
        [QueueName.Deliveries, deliveryId, 'waiting'],
      ];
      for (const [queue, id, state] of cases) {
        expect((await job(api, queue, id)).state).toBe(state);
        const response = await api.request('DELETE', `${QUEUES}/${queue}/jobs/${id}`);
        expect({ queue, state, status: response.status }).toEqual({ queue, state, status: 200 });
        expect(response.json()).toEqual({ id, queue, outcome: 'removed' });
        expect((await api.request('GET', `${QUEUES}/${queue}/jobs/${id}`)).status).toBe(404);
      }
      expect(await deliveryStatus(api, deliveryId)).toBe('cancelled');
    });

    it('cancels a running delivery job: its delivery ends cancelled', async () => {
      const deliveryId = await insertDelivery(api, { status: 'processing' });
      await apiJobs.enqueue(JobName.ProcessDelivery, { deliveryId });
      const { worker, job: running, token } = await takeJob(QueueName.Deliveries);
      try {
        expect(running.id).toBe(deliveryId);
        expect((await job(api, QueueName.Deliveries, deliveryId)).state).toBe('active');
        const response = await api.request('DELETE', `${QUEUES}/deliveries/jobs/${deliveryId}`);
        expect(response.status).toBe(200);
        expect(response.json()).toEqual({
          id: deliveryId,
          queue: 'deliveries',
          outcome: 'cancelled',
        });
        const [row] = await api.dataSource.query<{ status: string; last_error: string }[]>(
          'SELECT status, last_error FROM deliveries WHERE id = $1',
          [deliveryId],
        );
        expect(row.status).toBe('cancelled');
        expect(row.last_error).toContain('cancelled by an administrator (admin-token)');
      } finally {
        await running.moveToCompleted('cancelled', token, false);
        await worker.close();
      }

      // A delivery that already ended is left as it is: nothing to cancel, 409.
      const endedId = await insertDelivery(api, { status: 'processed' });
      await apiJobs.enqueue(JobName.ProcessDelivery, { deliveryId: endedId });
      const ended = await takeJob(QueueName.Deliveries);
      try {
        expect(ended.job.id).toBe(endedId);
        const response = await api.request('DELETE', `${QUEUES}/deliveries/jobs/${endedId}`);
        expect(response.status).toBe(409);
        expect(await deliveryStatus(api, endedId)).toBe('processed');
      } finally {
        await ended.job.moveToCompleted('processed', ended.token, false);
        await ended.worker.close();
      }

      // An active job outside the deliveries queue cannot be stopped: 409.
      const maintenance = await apiJobs.enqueue(JobName.RedriveDeadLetters, {
        ids: [randomUUID()],
        requestedBy: 'active',
      });
      const taken = await takeJob(QueueName.Maintenance);
      try {
        expect(taken.job.id).toBe(maintenance.id);
        const response = await api.request(
          'DELETE',
          `${QUEUES}/maintenance/jobs/${maintenance.id ?? ''}`,
        );
        expect(response.status).toBe(409);
        expect(response.json<{ message: string }>().message).toContain('cannot be stopped');
      } finally {
        await taken.job.moveToCompleted('done', taken.token, false);
        await taken.worker.close();
      }
    });

    it('pause and resume are reflected in GET /queues, and a paused queue starts nothing', async () => {
      expect((await t.request('POST', `${QUEUES}/maintenance/pause`)).json()).toEqual({
        queue: 'maintenance',
        paused: true,
      });
      expect((await overview(t, QueueName.Maintenance)).paused).toBe(true);
      const created = await jobs.enqueue(JobName.RedriveDeadLetters, {
        ids: [randomUUID()],
        requestedBy: 'pause',
      });
      const id = created.id ?? '';
      await sleep(500);
      expect((await job(t, QueueName.Maintenance, id)).state).toBe('waiting');
      expect((await overview(t, QueueName.Maintenance)).counts.waiting).toBe(1);
      expect((await t.request('POST', `${QUEUES}/maintenance/resume`)).json()).toEqual({
        queue: 'maintenance',
        paused: false,
      });
      expect((await overview(t, QueueName.Maintenance)).paused).toBe(false);
      await jobInState(t, QueueName.Maintenance, id, 'completed');
    });

    it('clean removes exactly the jobs older than the threshold in that state and nothing else', async () => {
      const add = async (delayMs?: number) =>
        (
          await apiJobs.enqueue(
            JobName.RedriveDeadLetters,
            { ids: [randomUUID()], requestedBy: 'clean' },
            { delayMs },
          )
        ).id ?? '';
      /** Runs the next waiting job to completion, as a worker would. */
      const complete = async () => {
        const { worker, job: taken, token } = await takeJob(QueueName.Maintenance);
        await taken.moveToCompleted({ redriven: 0 }, token, false);
        await worker.close();
        return taken.id ?? '';
      };

      // Start from an empty queue: earlier tests left finished jobs in it.
      for (const state of ['completed', 'failed', 'delayed', 'waiting']) {
        await api.request('POST', `${QUEUES}/maintenance/clean`, {
          json: { state, olderThanMs: 0 },
        });
      }
      // Each completed job is the one a worker takes next: the only waiting job, then a LIFO one.
      const oldCompleted = await add();
      expect(await complete()).toBe(oldCompleted);
      const oldWaiting = [await add(), await add()];
      const oldDelayed = await add(60_000);
      await sleep(1500);
      const newWaiting = [await add(), await add()];
      const newDelayed = await add(60_000);
      const lifo = await apiJobs
        .queue(QueueName.Maintenance)
        .add(JobName.RedriveDeadLetters, { ids: [], requestedBy: 'clean' }, { lifo: true });
      const newCompleted = lifo.id ?? '';
      expect(await complete()).toBe(newCompleted);
      const sorted = (ids: string[]) => [...ids].sort();
      expect(sorted(await listAll(api, QueueName.Maintenance, 'waiting'))).toEqual(
        sorted([...oldWaiting, ...newWaiting]),
      );

      const clean = async (state: string) => {
        const response = await api.request('POST', `${QUEUES}/maintenance/clean`, {
          json: { state, olderThanMs: 1000 },
        });
        expect(response.status).toBe(200);
        return response.json<{ removed: number }>().removed;
      };

      expect(await clean('completed')).toBe(1);
      expect(await listAll(api, QueueName.Maintenance, 'completed')).toEqual([newCompleted]);
      expect((await api.request('GET', `${QUEUES}/maintenance/jobs/${oldCompleted}`)).status).toBe(
        404,
      );
      expect(await clean('delayed')).toBe(1);
      expect(await listAll(api, QueueName.Maintenance, 'delayed')).toEqual([newDelayed]);
      expect((await api.request('GET', `${QUEUES}/maintenance/jobs/${oldDelayed}`)).status).toBe(
        404,
      );
      // The cleans above left the waiting jobs alone.
      expect(sorted(await listAll(api, QueueName.Maintenance, 'waiting'))).toEqual(
        sorted([...oldWaiting, ...newWaiting]),
      );
      expect(await clean('waiting')).toBe(2);
      expect(sorted(await listAll(api, QueueName.Maintenance, 'waiting'))).toEqual(
        sorted(newWaiting),
      );
      expect(await clean('failed')).toBe(0);
      expect(await listAll(api, QueueName.Maintenance, 'completed')).toEqual([newCompleted]);
      expect(await listAll(api, QueueName.Maintenance, 'delayed')).toEqual([newDelayed]);
      await api.request('POST', `${QUEUES}/maintenance/clean`, {
        json: { state: 'waiting', olderThanMs: 0 },
      });
    });
  });

  describe('dead letters', () => {
    const repository = `dead-${tag}/api`;
    const other = `dead-${tag}/web`;
    const dead: string[] = [];

    beforeAll(async () => {
      for (const [repo, error] of [
        [repository, 'payload unreadable: one'],
        [repository, 'payload unreadable: two'],
        [repository, 'payload unreadable: three'],
        [other, 'payload unreadable: four'],
      ]) {
        dead.push(await insertDelivery(t, { status: 'dead', repository: repo, lastError: error }));
        await sleep(5);
      }
      // A delivery of the same repository that is not dead is never listed or redriven.
      await insertDelivery(t, { status: 'processed', repository });
    });

    const listDead = async (query: string): Promise<DeadLetterPage> => {
      const response = await t.request('GET', `${ADMIN}/dead-letters?${query}`);
      expect({ query, status: response.status }).toEqual({ query, status: 200 });
      return response.json<DeadLetterPage>();
    };

    it('lists dead deliveries with their reason, filtered, newest first, with a keyset cursor', async () => {
      const all = await listDead(`repository=${encodeURIComponent(repository)}`);
      expect(all.items.map((d) => d.id)).toEqual([dead[2], dead[1], dead[0]]);
      expect(all.items[0]).toMatchObject({
        provider: 'github',
        source: 'default',
        event: 'ping',
        repository,
        lastError: 'payload unreadable: three',
      });
      const first = await listDead(`repository=${encodeURIComponent(repository)}&limit=2`);
      expect(first.items.map((d) => d.id)).toEqual([dead[2], dead[1]]);
      expect(first.nextCursor).not.toBeNull();
      const second = await listDead(
        `repository=${encodeURIComponent(repository)}&limit=2&cursor=${first.nextCursor ?? ''}`,
      );
      expect(second.items.map((d) => d.id)).toEqual([dead[0]]);
      expect(second.nextCursor).toBeNull();
      expect((await listDead(`provider=gitlab&repository=${repository}`)).items).toEqual([]);
      expect((await listDead(`event=push&repository=${repository}`)).items).toEqual([]);
      expect(
        (
          await listDead(
            `receivedFrom=${encodeURIComponent(all.items[1].receivedAt)}&repository=${repository}`,
          )
        ).items.length,
      ).toBe(2);
      for (const query of ['status=dead', 'limit=0', 'provider=svn', 'cursor=bad']) {
        const response = await t.request('GET', `${ADMIN}/dead-letters?${query}`);
        expect({ query, status: response.status }).toEqual({ query, status: 400 });
      }
    });

    it('rejects a redrive with both or neither of ids and filter', async () => {
      for (const json of [
        {},
        { ids: [dead[0]], filter: { repository } },
        { ids: [] },
        { ids: ['x'] },
      ]) {
        const response = await t.request('POST', `${ADMIN}/dead-letters/redrive`, { json });
        expect({ json, status: response.status }).toEqual({ json, status: 400 });
      }
    });

    it('redrives chosen ids, then a filter, as a maintenance job whose progress shows in the jobs API', async () => {
      const byIds = await t.request('POST', `${ADMIN}/dead-letters/redrive`, {
        json: { ids: [dead[0], randomUUID()] },
      });
      expect(byIds.status).toBe(202);
      const { jobId } = byIds.json<{ jobId: string; status: string }>();
      const done = await jobInState(t, QueueName.Maintenance, jobId, 'completed');
      expect(done).toMatchObject({
        name: 'deliveries.redrive-dead',
        progress: { redriven: 1 },
        returnvalue: { redriven: 1 },
        data: { ids: [dead[0], expect.any(String)], requestedBy: 'admin-token' },
      });
      expect(done.logs).toEqual(['redriven 1 dead deliveries']);
      await eventually(
        async () => ((await deliveryStatus(t, dead[0])) === 'ignored' ? true : undefined),
        20000,
        'the redriven delivery to be processed again',
      );
      expect(
        (await listDead(`repository=${encodeURIComponent(repository)}`)).items.map((d) => d.id),
      ).toEqual([dead[2], dead[1]]);

      const byFilter = await t.request('POST', `${ADMIN}/dead-letters/redrive`, {
        json: { filter: { repository, provider: 'github' } },
      });
      expect(byFilter.status).toBe(202);
      const filtered = await jobInState(
        t,
        QueueName.Maintenance,
        byFilter.json<{ jobId: string }>().jobId,
        'completed',
      );
      expect(filtered.progress).toEqual({ redriven: 2 });
      for (const id of [dead[1], dead[2]]) {
        await eventually(
          async () => ((await deliveryStatus(t, id)) === 'ignored' ? true : undefined),
          20000,
          'the filtered deliveries to be processed again',
        );
      }
      expect((await listDead(`repository=${encodeURIComponent(repository)}`)).items).toEqual([]);
      // The other repository's dead letter was not part of either selection.
      expect(await deliveryStatus(t, dead[3])).toBe('dead');
    });
  });

  describe('manual triggers', () => {
    it('enqueues reindex and metrics refresh for a known repository, 404 otherwise', async () => {
      const [repo] = await t.dataSource.query<{ id: string }[]>(
        `INSERT INTO repositories (provider, external_id, full_name, name)
         VALUES ('github', $1, $2, 'api') RETURNING id`,
        [`trigger-${tag}`, `trigger-${tag}/api`],
      );
      // Paused, so the jobs wait where the test can read them.
      await t.request('POST', `${QUEUES}/followups/pause`);
      try {
        for (const [path, name] of [
          ['reindex', 'indexing.repository'],
          ['metrics/refresh', 'metrics.refresh'],
        ]) {
          const response = await t.request('POST', `${ADMIN}/repositories/${repo.id}/${path}`);
          expect(response.status).toBe(202);
          const { jobId, status } = response.json<{ jobId: string; status: string }>();
          expect(status).toBe('queued');
          const queued = await job(t, QueueName.Followups, jobId);
          // A manual trigger runs now, without the follow-up burst window.
          expect(queued).toMatchObject({
            name,
            queue: 'followups',
            state: 'waiting',
            data: { repositoryId: repo.id },
          });
          const unknown = await t.request('POST', `${ADMIN}/repositories/${randomUUID()}/${path}`);
          expect(unknown.status).toBe(404);
          expect(unknown.json()).toMatchObject({ code: 'NOT_FOUND' });
          const invalid = await t.request('POST', `${ADMIN}/repositories/not-a-uuid/${path}`);
          expect(invalid.status).toBe(400);
        }
      } finally {
        await t.request('POST', `${QUEUES}/followups/resume`);
      }
    });
  });
});
