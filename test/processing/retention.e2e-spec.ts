import { Worker } from 'bullmq';
import Redis from 'ioredis';
import { randomUUID } from 'node:crypto';
import { QueueName } from '../../src/core/jobs/job-catalogue';
import { JobsService } from '../../src/core/jobs/jobs.service';
import { RetentionTask } from '../../src/modules/deliveries/tasks/retention.task';
import { eventually, startTestApp, TestApp } from '../support/test-app';

describe('retention cleans up exactly what it says', () => {
  let t: TestApp;
  const source = `retention-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    t = await startTestApp({
      ROLE: 'api',
      RETENTION_BODY_DAYS: '30',
      RETENTION_DEAD_DAYS: '90',
      RETENTION_COMPLETED_JOBS_HOURS: '1',
    });
  });

  afterAll(async () => {
    await t.close();
  });

  async function insert(status: string, ageDays: number): Promise<string> {
    const [row] = await t.dataSource.query<{ id: string }[]>(
      `INSERT INTO deliveries (provider, source, provider_delivery_id, event, content_type, headers, body,
         body_size, status, received_at)
       VALUES ('github', $1, $2, 'push', 'application/json', '{}', $3, 2, $4, now() - $5 * interval '1 day')
       RETURNING id`,
      [source, randomUUID(), Buffer.from('{}'), status, ageDays],
    );
    return row.id;
  }

  it('drops old finished bodies, deletes old dead deliveries, and touches nothing else', async () => {
    const rows = {
      oldProcessed: await insert('processed', 31),
      oldIgnored: await insert('ignored', 40),
      oldDead: await insert('dead', 91),
      youngDead: await insert('dead', 89),
      youngProcessed: await insert('processed', 29),
      oldQueued: await insert('queued', 100),
      oldFailed: await insert('failed', 100),
    };
    await t.app.get(RetentionTask).run();
    const state = new Map(
      (
        await t.dataSource.query<{ id: string; has_body: boolean; status: string }[]>(
          `SELECT id, body IS NOT NULL AS has_body, status FROM deliveries WHERE source = $1`,
          [source],
        )
      ).map((r) => [r.id, r]),
    );
    // Old and finished: metadata kept, body dropped.
    expect(state.get(rows.oldProcessed)).toMatchObject({ has_body: false, status: 'processed' });
    expect(state.get(rows.oldIgnored)).toMatchObject({ has_body: false, status: 'ignored' });
    // Dead past its age: gone. Everything else: untouched.
    expect(state.has(rows.oldDead)).toBe(false);
    expect(state.get(rows.youngDead)).toMatchObject({ has_body: true, status: 'dead' });
    expect(state.get(rows.youngProcessed)).toMatchObject({ has_body: true, status: 'processed' });
    // Work still to do keeps its body whatever its age.
    expect(state.get(rows.oldQueued)).toMatchObject({ has_body: true, status: 'queued' });
    expect(state.get(rows.oldFailed)).toMatchObject({ has_body: true, status: 'failed' });
    expect(state.size).toBe(6);
  });

  it('removes finished jobs past their retention from Redis and keeps younger ones', async () => {
    const queue = t.app.get(JobsService).queue(QueueName.Maintenance);
    const old = await queue.add('retention-probe', {}, { jobId: `old-${randomUUID()}` });
    const young = await queue.add('retention-probe', {}, { jobId: `young-${randomUUID()}` });
    // This app runs no workers: finish both jobs with a plain worker on the same queue.
    const worker = new Worker(QueueName.Maintenance, () => Promise.resolve('done'), {
      connection: { url: t.config.redisUrl },
      prefix: t.config.queuePrefix,
    });
    try {
      await eventually(
        async () => {
          const states = await Promise.all([old, young].map((j) => queue.getJobState(j.id ?? '')));
          return states.every((state) => state === 'completed') ? true : undefined;
        },
        10000,
        'both probe jobs to complete',
      );
    } finally {
      await worker.close();
    }
    // Make one of them finished two hours ago (the completed set is scored by finish time).
    const redis = new Redis(t.config.redisUrl);
    try {
      await redis.zadd(queue.toKey('completed'), Date.now() - 2 * 3600_000, old.id ?? '');
    } finally {
      redis.disconnect();
    }

    await t.app.get(RetentionTask).run();
    expect(await queue.getJobState(old.id ?? '')).toBe('unknown');
    expect(await queue.getJobState(young.id ?? '')).toBe('completed');
  });
});
