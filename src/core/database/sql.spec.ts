import { namedInsert, shiftPlaceholders, sqlList, sqlLiteral, SqlQuery } from './sql';

describe('sql toolkit', () => {
  it('binds values in the order they are used', () => {
    const query = new SqlQuery()
      .whereIf('github', 'provider = ?')
      .whereIf(undefined, 'source = ?')
      .whereIf('push', 'event = ?');
    const limit = query.param(51);
    expect(query.whereSql).toBe('provider = $1 AND event = $2');
    expect(limit).toBe('$3');
    expect(query.params).toEqual(['github', 'push', 51]);
  });

  it('answers TRUE for a query without conditions', () => {
    expect(new SqlQuery().whereSql).toBe('TRUE');
  });

  it('continues the numbering of parameters it starts with', () => {
    const query = new SqlQuery(['a', 'b']);
    expect(query.param('c')).toBe('$3');
  });

  it('quotes literals of owned values, doubling quotes', () => {
    expect(sqlLiteral('dead')).toBe("'dead'");
    expect(sqlLiteral("o'clock")).toBe("'o''clock'");
    expect(sqlList(['processed', 'ignored'])).toBe("('processed', 'ignored')");
  });

  it('shifts placeholders for statements that share a parameter list', () => {
    expect(shiftPlaceholders('SELECT $1, $2, $10', 3)).toBe('SELECT $4, $5, $13');
    expect(shiftPlaceholders('SELECT $1', 0)).toBe('SELECT $1');
  });

  it('names the columns of an insert once: text and parameters follow the same list', () => {
    const insert = namedInsert('t', ['b', 'a', 'c'], 'ON CONFLICT ON CONSTRAINT t_key DO NOTHING');
    expect(insert.sql).toBe(
      'INSERT INTO t (b, a, c)\nVALUES ($1, $2, $3)\nON CONFLICT ON CONSTRAINT t_key DO NOTHING',
    );
    // Keys in any order: the parameters follow the column list.
    expect(insert.paramsOf({ a: 1, c: null, b: 'x' })).toEqual(['x', 1, null]);
  });
});
