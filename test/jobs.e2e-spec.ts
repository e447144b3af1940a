import examples from '@octokit/webhooks-examples/api.github.com/index.json';
import { DiscoveryService } from '@nestjs/core';
import { SchedulerRegistry } from '@nestjs/schedule';
import { Client } from 'pg';
import { JobName, QueueName } from '../src/core/jobs/job-catalogue';
import { JobsService } from '../src/core/jobs/jobs.service';
import { CatalogueProcessor } from '../src/core/jobs/processors/catalogue-processor';
import { QUEUE_PROCESSORS } from '../src/core/jobs/processors/queue-processors';
import { ScheduledIntervals } from '../src/core/scheduling/scheduled-intervals';
import { sleep } from './support/harness';
import { eventually, githubHeaders, startTestApp, TestApp } from './support/test-app';
import { testEnv } from './support/test-env';

type Json = Record<string, unknown>;

/** A real GitHub push (@octokit/webhooks-examples), moved to a repository of its own. */
function pushTo(repository: string): string {
  const all = examples as unknown as { name: string; examples: Json[] }[];
  const example = all.find((e) => e.name === 'push')?.examples[0];
  if (!example) throw new Error('@octokit/webhooks-examples has no push example');
  const [owner, name] = repository.split('/');
  const repo = example.repository as Json;
  return JSON.stringify({
    ...example,
    repository: {
      ...repo,
      id: Math.floor(Math.random() * 1e9),
      full_name: repository,
      name,
      owner: { ...(repo.owner as Json), login: owner },
    },
  });
}

/** The queue processors this app runs, by queue. */
function processorsOf(t: TestApp): Map<QueueName, CatalogueProcessor> {
  const found = new Map<QueueName, CatalogueProcessor>();
  for (const wrapper of t.app.get(DiscoveryService).getProviders()) {
    const instance: unknown = wrapper.instance;
    for (const queue of Object.values(QueueName)) {
      if (instance instanceof QUEUE_PROCESSORS[queue]) found.set(queue, instance);
    }
  }
  return found;
}

function schedulerOf(t: TestApp): SchedulerRegistry | undefined {
  const wrapper = t.app
    .get(DiscoveryService)
    .getProviders()
    .find((w) => w.instance instanceof SchedulerRegistry);
  return wrapper?.instance as SchedulerRegistry | undefined;
}

describe('queue processors and scheduled tasks follow ROLE', () => {
  describe('ROLE=api', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp({ ROLE: 'api' });
    });
    afterAll(() => t?.close());

    it('has no processor and no scheduler, and leaves jobs in their queue', async () => {
      expect(processorsOf(t).size).toBe(0);
      expect(t.app.get(ScheduledIntervals).enabled).toBe(false);
      expect(schedulerOf(t)).toBeUndefined();

      const job = await t.app
        .get(JobsService)
        .enqueue(JobName.ReplayDeliveries, { filter: {}, requestedBy: 'test' });
      await sleep(1500);
      expect(await job.getState()).toBe('waiting');
    });
  });

  describe('ROLE=all', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp({ ROLE: 'all', WORKER_CONCURRENCY: '3' });
    });
    afterAll(() => t?.close());

    it('runs one worker per queue with the configured concurrency and lock settings', () => {
      const processors = processorsOf(t);
      expect([...processors.keys()].sort()).toEqual(Object.values(QueueName).sort());
      for (const [queue, { worker }] of processors) {
        expect({ queue, name: worker.name, running: worker.isRunning() }).toEqual({
          queue,
          name: queue,
          running: true,
        });
        expect(worker.concurrency).toBe(3);
        expect(worker.opts).toMatchObject({
          prefix: t.config.queuePrefix,
          lockDuration: 15000,
          stalledInterval: 10000,
          maxStalledCount: 3,
        });
      }
    });

    it('schedules the outbox sweep and retention through the scheduler registry', () => {
      expect(t.app.get(ScheduledIntervals).enabled).toBe(true);
      expect(schedulerOf(t)?.getIntervals()).toEqual(
        expect.arrayContaining(['outbox-sweep', 'retention']),
      );
    });

    it('sends each job to its @JobHandler and returns what the handler returns', async () => {
      const job = await t.app.get(JobsService).enqueue(JobName.ReplayDeliveries, {
        filter: { repository: 'nobody/nothing' },
        requestedBy: 'test',
      });
      const done = await eventually(async () => {
        const state = await job.getState();
        return state === 'completed' || state === 'failed' ? state : undefined;
      });
      expect(done).toBe('completed');
      const finished = await t.app
        .get(JobsService)
        .queue(QueueName.Maintenance)
        .getJob(job.id ?? '');
      expect(finished?.returnvalue).toEqual({ replayed: 0 });
    });
  });

  describe('shutdown', () => {
    it('waits for the running delivery job before closing, and the delivery ends processed', async () => {
      const t = await startTestApp({ ROLE: 'all', SHUTDOWN_TIMEOUT_MS: '30000' });
      const blocker = new Client({ connectionString: testEnv('databaseUrl') });
      await blocker.connect();
      let closed = false;
      try {
        // Writes to repositories wait for this lock: the delivery's job stays running.
        await blocker.query('BEGIN');
        await blocker.query('LOCK TABLE repositories IN EXCLUSIVE MODE');
        const body = pushTo(`drain/${Date.now()}`);
        const response = await t.request('POST', '/webhooks/github', {
          headers: githubHeaders(body),
          body,
          token: null,
        });
        expect(response.status).toBe(202);
        const { id } = response.json<{ id: string }>();
        const queue = t.app.get(JobsService).queue(QueueName.Deliveries);
        await eventually(async () =>
          (await queue.getJobState(id)) === 'active' ? true : undefined,
        );

        const closing = t.close().then(() => {
          closed = true;
        });
        await sleep(1000);
        expect(closed).toBe(false);
        await blocker.query('COMMIT');
        await closing;

        const { rows } = await blocker.query<{ status: string }>(
          'SELECT status FROM deliveries WHERE id = $1',
          [id],
        );
        expect(rows[0].status).toBe('processed');
      } finally {
        await blocker.query('ROLLBACK').catch(() => undefined);
        await blocker.end();
        if (!closed) await t.close().catch(() => undefined);
      }
    });
  });
});
