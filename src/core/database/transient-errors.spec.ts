import { isTransientError, isWorthIsolating } from './transient-errors';

const pgError = (code: string, message = 'failed') => Object.assign(new Error(message), { code });
/** TypeORM wraps the driver's error. */
const wrapped = (code: string) =>
  Object.assign(new Error('query failed'), { driverError: pgError(code) });

describe('database error classes', () => {
  it.each([
    ['a refused connection', Object.assign(new Error('connect'), { code: 'ECONNREFUSED' })],
    ['a connection failure', pgError('08006')],
    ['an administrator shutdown', pgError('57P01')],
    ['too many connections', pgError('53300')],
    ['a dropped connection', new Error('Connection terminated unexpectedly')],
  ])('%s is transient, and a batch fails as a whole with it', (_, error) => {
    expect(isTransientError(error)).toBe(true);
    expect(isWorthIsolating(error)).toBe(false);
  });

  it.each([
    ['a deadlock', pgError('40P01')],
    ['a serialization failure', wrapped('40001')],
    ['a lock wait timeout', pgError('55P03')],
    ['a statement timeout', pgError('57014')],
  ])('%s is transient, but a batch that hit it is retried item by item', (_, error) => {
    expect(isTransientError(error)).toBe(true);
    expect(isWorthIsolating(error)).toBe(true);
  });

  it.each([
    ['a unique violation', pgError('23505')],
    ['a check violation', wrapped('23514')],
    ['a row hit twice by one upsert', pgError('21000')],
    ['a plain programming error', new TypeError('x is not a function')],
  ])('%s is not transient and is isolated', (_, error) => {
    expect(isTransientError(error)).toBe(false);
    expect(isWorthIsolating(error)).toBe(true);
  });
});
