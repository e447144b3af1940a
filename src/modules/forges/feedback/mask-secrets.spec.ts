import { MASK, maskSecrets } from './mask-secrets';

describe('maskSecrets', () => {
  it.each([
    ['ghp_0123456789abcdefghijABCDEFGHIJ0123'],
    ['github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz'],
    ['glpat-abcdefghij0123456789'],
    ['AKIAIOSFODNN7EXAMPLE'],
    ['xoxb-123456789012-abcdefghij'],
    ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'],
    [
      'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
    ],
  ])('masks %s', (secret) => {
    const masked = maskSecrets(`before ${secret} after`);
    expect(masked).toBe(`before ${MASK} after`);
  });

  it('masks private keys, assignments, bearer headers and URL passwords', () => {
    const text = [
      '-----BEGIN RSA PRIVATE KEY-----',
      'MIIEowIBAAKCAQEA',
      '-----END RSA PRIVATE KEY-----',
      'DB_PASSWORD=s3cr3t-value',
      'api_key: "abcd1234efgh"',
      'Authorization: Bearer abc.def.ghi',
      'cloning https://ci:hunter2@git.example.com/repo.git',
      'error TS2345: Argument of type string is not assignable',
    ].join('\n');
    const masked = maskSecrets(text);
    expect(masked).not.toContain('MIIEowIBAAKCAQEA');
    expect(masked).not.toContain('s3cr3t-value');
    expect(masked).not.toContain('abcd1234efgh');
    expect(masked).not.toContain('abc.def.ghi');
    expect(masked).not.toContain('hunter2');
    expect(masked).toContain('DB_PASSWORD=');
    expect(masked).toContain('error TS2345: Argument of type string is not assignable');
  });

  it('masks the known secrets of the source wherever they appear', () => {
    expect(maskSecrets('token was plain-secret-value!', ['plain-secret-value'])).toBe(
      `token was ${MASK}!`,
    );
  });
});
