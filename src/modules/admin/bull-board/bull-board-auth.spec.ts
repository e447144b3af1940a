import { keyFromAuthorization } from './bull-board-auth';

const basic = (credentials: string) => `Basic ${Buffer.from(credentials).toString('base64')}`;

describe('the dashboard key in an Authorization header', () => {
  it.each([
    ['a bearer key', 'Bearer hy_abc', 'hy_abc'],
    ['a bearer key, any case and trailing space', 'bearer hy_abc  ', 'hy_abc'],
    ['Basic with the key as password', basic('admin:hy_abc'), 'hy_abc'],
    ['Basic without a user name', basic(':hy_abc'), 'hy_abc'],
    ['Basic with a colon inside the password', basic('u:hy:abc'), 'hy:abc'],
  ])('finds %s', (_, header, key) => {
    expect(keyFromAuthorization(header)).toBe(key);
  });

  it.each([
    ['no header', undefined],
    ['an empty bearer', 'Bearer '],
    ['Basic without a password', basic('admin:')],
    ['Basic without a colon', basic('hy_abc')],
    ['Basic that is not base64', 'Basic ***'],
    ['another scheme', 'Digest username="a"'],
  ])('finds nothing in %s', (_, header) => {
    expect(keyFromAuthorization(header)).toBeUndefined();
  });
});
