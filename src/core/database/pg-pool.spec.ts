import { prepared, usePreparedStatements } from './pg-pool';

describe('prepared statements', () => {
  it('runs a text unnamed the first time and names it from the second on', () => {
    const text = `SELECT ${Math.random()} AS probe WHERE $1::int > 0`;
    const first = prepared(text, [1]);
    const second = prepared(text, [2]);
    const third = prepared(text, [3]);
    expect(first.name).toBeUndefined();
    expect(second.name).toMatch(/^hy_[0-9a-f]{24}$/);
    expect(third.name).toBe(second.name);
    expect(third).toMatchObject({ text, values: [3] });
  });

  it('gives different texts different names', () => {
    const a = `SELECT 1 AS a_${Math.random().toString(36).slice(2)}`;
    const b = `SELECT 1 AS b_${Math.random().toString(36).slice(2)}`;
    prepared(a, []);
    prepared(b, []);
    expect(prepared(a, []).name).not.toBe(prepared(b, []).name);
  });

  it('asks for binary results only when told to', () => {
    const text = 'SELECT $1::text AS binary_probe';
    expect(prepared(text, ['x'], { binary: true })).toMatchObject({ binary: true });
    expect(prepared(text, ['x'])).not.toHaveProperty('binary');
  });

  it('names nothing while prepared statements are turned off (a pooler in transaction mode)', () => {
    const text = `SELECT 1 AS off_${Math.random().toString(36).slice(2)}`;
    usePreparedStatements(false);
    try {
      prepared(text, []);
      expect(prepared(text, []).name).toBeUndefined();
      expect(prepared(text, []).name).toBeUndefined();
    } finally {
      usePreparedStatements(true);
    }
    expect(prepared(text, []).name).toBeUndefined();
    expect(prepared(text, []).name).toMatch(/^hy_/);
  });
});
