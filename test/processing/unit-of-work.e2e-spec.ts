import { randomBytes } from 'node:crypto';
import { Pool } from 'pg';
import { pgPoolOf } from '../../src/core/database/pg-pool';
import { UnitOfWork, UnitsOfWork } from '../../src/core/database/unit-of-work';
import { DeliveryReader } from '../../src/modules/deliveries/delivery-reader';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * The worker's write path against the real database: deferred writes sent with a guard in one
 * statement, and the closing statements of concurrent units sharing one statement.
 */
describe('units of work (one statement per delivery, group commit across units)', () => {
  const suffix = randomBytes(4).toString('hex');
  const records = `uow_records_${suffix}`;
  const others = `uow_others_${suffix}`;
  const claims = `uow_claims_${suffix}`;
  let t: TestApp;
  let units: UnitsOfWork;

  /** A guard like the delivery claim: returns a row only while the claim is open. */
  const claim = (id: number) => ({
    sql: `UPDATE ${claims} SET open = false WHERE id = $1 AND open RETURNING id`,
    params: [id],
  });
  const record = (unit: UnitOfWork, id: number, value: string) =>
    unit.defer(
      records,
      `INSERT INTO ${records} (id, value) VALUES ($1, $2) ON CONFLICT DO NOTHING`,
      [id, value],
      { insertOrIgnore: true },
    );
  /** An upsert: it may not share a statement with another unit's write to the same table. */
  const upsert = (unit: UnitOfWork, id: number, value: string) =>
    unit.defer(
      records,
      `INSERT INTO ${records} (id, value) VALUES ($1, $2)
       ON CONFLICT (id) DO UPDATE SET value = ${records}.value || '+' || excluded.value`,
      [id, value],
    );
  const closingTexts = (spy: jest.SpiedFunction<Pool['query']>): string[] =>
    spy.mock.calls
      .map(([config]: unknown[]) =>
        typeof config === 'string' ? config : String((config as { text?: unknown }).text),
      )
      .filter((text) => text.startsWith('WITH g0'));
  const stored = async (): Promise<Array<{ id: number; value: string }>> =>
    t.dataSource.query(`SELECT id, value FROM ${records} ORDER BY id`);

  beforeAll(async () => {
    t = await startTestApp({ ROLE: 'api' });
    units = t.app.get(UnitsOfWork);
    await t.dataSource.query(
      `CREATE TABLE ${records} (id integer PRIMARY KEY, value text NOT NULL CHECK (value <> 'refused'))`,
    );
    await t.dataSource.query(`CREATE TABLE ${others} (id integer PRIMARY KEY)`);
    await t.dataSource.query(`CREATE TABLE ${claims} (id integer PRIMARY KEY, open boolean)`);
  });

  afterAll(async () => {
    for (const table of [records, others, claims]) {
      await t.dataSource.query(`DROP TABLE IF EXISTS ${table}`);
    }
    await t.close();
  });

  beforeEach(async () => {
    await t.dataSource.query(`TRUNCATE ${records}, ${others}, ${claims}`);
    await t.dataSource.query(
      `INSERT INTO ${claims} (id, open) SELECT g, true FROM generate_series(1, 10) AS g`,
    );
  });

  it('keeps deferred writes of different tables when the guard returns a row', async () => {
    const unit = units.begin();
    record(unit, 1, 'one');
    unit.defer(others, `INSERT INTO ${others} (id) VALUES ($1)`, [7]);
    await expect(unit.commit(claim(1))).resolves.toBe(true);
    expect(await stored()).toEqual([{ id: 1, value: 'one' }]);
    expect(await t.dataSource.query(`SELECT id FROM ${others}`)).toEqual([{ id: 7 }]);
    expect(await t.dataSource.query(`SELECT open FROM ${claims} WHERE id = 1`)).toEqual([
      { open: false },
    ]);
  });

  it('keeps nothing and answers false when the guard finds nothing (already claimed)', async () => {
    await t.dataSource.query(`UPDATE ${claims} SET open = false WHERE id = 2`);
    const unit = units.begin();
    record(unit, 2, 'two');
    await expect(unit.commit(claim(2))).resolves.toBe(false);
    expect(await stored()).toEqual([]);
  });

  it('writes two deferred writes to one table (the earlier runs on its own first)', async () => {
    const unit = units.begin();
    record(unit, 3, 'three');
    record(unit, 4, 'four');
    await expect(unit.commit(claim(3))).resolves.toBe(true);
    expect(await stored()).toEqual([
      { id: 3, value: 'three' },
      { id: 4, value: 'four' },
    ]);
  });

  it('commits what ran at once together with the closing statement, or rolls all back', async () => {
    const kept = units.begin();
    await kept.query(`INSERT INTO ${others} (id) VALUES ($1)`, [1]);
    record(kept, 5, 'five');
    await expect(kept.commit(claim(5))).resolves.toBe(true);

    const guardFails = units.begin();
    await guardFails.query(`INSERT INTO ${others} (id) VALUES ($1)`, [2]);
    record(guardFails, 6, 'six');
    await t.dataSource.query(`UPDATE ${claims} SET open = false WHERE id = 6`);
    await expect(guardFails.commit(claim(6))).resolves.toBe(false);

    const abandoned = units.begin();
    await abandoned.query(`INSERT INTO ${others} (id) VALUES ($1)`, [3]);
    await abandoned.rollback();

    expect(await t.dataSource.query(`SELECT id FROM ${others} ORDER BY id`)).toEqual([{ id: 1 }]);
    expect(await stored()).toEqual([{ id: 5, value: 'five' }]);
    await expect(abandoned.query('SELECT 1')).rejects.toThrow(/already ended/);
  });

  it('closes concurrent units in one statement, and a unit that fails there fails alone', async () => {
    const pool = pgPoolOf(t.dataSource);
    const spy = jest.spyOn(pool, 'query');
    try {
      await t.dataSource.query(`UPDATE ${claims} SET open = false WHERE id = 8`);
      const work = [
        [7, 'seven'],
        [8, 'eight'], // its guard finds nothing
        [9, 'refused'], // its write breaks a CHECK constraint
        [10, 'ten'],
      ] as const;
      const outcomes = await Promise.allSettled(
        work.map(([id, value]) => {
          const unit = units.begin();
          record(unit, id, value);
          return unit.commit(claim(id));
        }),
      );
      expect(outcomes.map((o) => (o.status === 'fulfilled' ? o.value : 'rejected'))).toEqual([
        true,
        false,
        'rejected',
        true,
      ]);
      const rejected = outcomes[2];
      expect(rejected.status === 'rejected' && String(rejected.reason)).toMatch(/check constraint/);
      expect(await stored()).toEqual([
        { id: 7, value: 'seven' },
        { id: 10, value: 'ten' },
      ]);
      // The four closed together first (guards g0..g3 in one statement), then one by one.
      const closing = closingTexts(spy);
      expect(closing[0]).toContain('g3 AS (');
      expect(closing.slice(1).every((text) => !text.includes('g1 AS ('))).toBe(true);
      expect(closing).toHaveLength(5);
    } finally {
      spy.mockRestore();
    }
  });

  it('closes upserts of concurrent units one statement each, so one row is never hit twice', async () => {
    const pool = pgPoolOf(t.dataSource);
    const spy = jest.spyOn(pool, 'query');
    try {
      const outcomes = await Promise.all(
        ['a', 'b', 'c'].map((value, i) => {
          const unit = units.begin();
          upsert(unit, 1, value);
          return unit.commit(claim(i + 1));
        }),
      );
      expect(outcomes).toEqual([true, true, true]);
      const [row] = await stored();
      expect(row.id).toBe(1);
      expect(row.value.split('+').sort()).toEqual(['a', 'b', 'c']);
      const closing = closingTexts(spy);
      expect(closing).toHaveLength(3);
      expect(closing.every((text) => !text.includes('g1 AS ('))).toBe(true);
    } finally {
      spy.mockRestore();
    }
  });

  it('gives every connection back to the pool', async () => {
    const pool = pgPoolOf(t.dataSource);
    await Promise.allSettled(
      [1, 2, 3].map(async (id) => {
        const unit = units.begin();
        await unit.query(`INSERT INTO ${others} (id) VALUES ($1)`, [id]);
        if (id === 2) {
          await unit.rollback();
          return;
        }
        record(unit, id, id === 3 ? 'refused' : 'kept');
        return unit.commit(claim(id));
      }),
    );
    expect(pool.waitingCount).toBe(0);
    expect(pool.idleCount).toBe(pool.totalCount);
    expect(await stored()).toEqual([{ id: 1, value: 'kept' }]);
  });
});

describe('reading deliveries for the worker (binary results)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ ROLE: 'api' });
  });

  afterAll(async () => {
    await t.close();
  });

  it('gives every column as stored, the body as its own bytes read as UTF-8', async () => {
    const body = Buffer.concat([
      Buffer.from('{"text":"caf\u00e9 \u{1F680}","bad":"'),
      Buffer.from([0xff, 0xfe]),
      Buffer.from('"}'),
    ]);
    const [row] = await t.dataSource.query<{ id: string }[]>(
      `INSERT INTO deliveries (provider, source, provider_delivery_id, event, content_type,
         headers, body, body_size, status)
       VALUES ('github', 'default', $1, 'push', 'application/json', $2::jsonb, $3, $4, 'queued')
       RETURNING id`,
      [
        randomBytes(8).toString('hex'),
        JSON.stringify({ 'x-github-event': 'push' }),
        body,
        body.length,
      ],
    );
    const delivery = await t.app.get(DeliveryReader).load(row.id);
    expect(JSON.parse(delivery?.headers ?? 'null')).toEqual({ 'x-github-event': 'push' });
    expect({ ...delivery, headers: undefined }).toEqual({
      id: row.id,
      provider: 'github',
      source: 'default',
      repository: null,
      event: 'push',
      content_type: 'application/json',
      headers: undefined,
      body: body.toString('utf8'),
      final: false,
      test: false,
    });
    await t.dataSource.query(`UPDATE deliveries SET status = 'processed' WHERE id = $1`, [row.id]);
    await expect(t.app.get(DeliveryReader).load(row.id)).resolves.toMatchObject({ final: true });
  });
});
