import { bitbucketLogRedirect } from './forges.service';

describe('the Bitbucket step-log redirects Hookyard follows', () => {
  const allowed = bitbucketLogRedirect('https://api.bitbucket.org/2.0');

  it('follows a signed Amazon S3 URL over https only', () => {
    expect(allowed).toBeDefined();
    const follows = (url: string) => allowed?.(new URL(url)) ?? false;
    expect(
      follows(
        'https://bbci-logs.s3.amazonaws.com/step.log?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=ab12',
      ),
    ).toBe(true);
    expect(follows('http://bbci-logs.s3.amazonaws.com/step.log?X-Amz-Signature=ab12')).toBe(false);
    expect(follows('https://bbci-logs.s3.amazonaws.com/step.log')).toBe(false);
    expect(follows('https://amazonaws.com.evil.example/step.log?X-Amz-Signature=ab12')).toBe(false);
    expect(follows('https://169.254.169.254/latest/meta-data?X-Amz-Signature=ab12')).toBe(false);
  });

  it('adds nothing for another Bitbucket API base (its own origin is the only one allowed)', () => {
    expect(bitbucketLogRedirect('http://127.0.0.1:8080/2.0')).toBeUndefined();
  });
});
