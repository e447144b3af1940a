import { allowedOrigins, checkOrigin } from './origin-guard';

describe('origin guard', () => {
  const origins = allowedOrigins({
    webUrl: 'https://gitlab.example.com/',
    apiUrl: 'https://gitlab.example.com/api/v4',
  });

  it('allows only the configured origins', () => {
    expect(origins).toEqual(['https://gitlab.example.com']);
    expect(checkOrigin('https://gitlab.example.com/g/p.git', origins)).toMatchObject({
      allowed: true,
    });
    // Default ports are normalised away by URL parsing.
    expect(checkOrigin('https://GITLAB.example.com:443/g/p', origins)).toMatchObject({
      allowed: true,
    });
  });

  it.each([
    ['http://gitlab.example.com/g/p', 'origin'],
    ['https://gitlab.example.com:8443/g/p', 'origin'],
    ['https://gitlab.example.com.evil.test/g/p', 'origin'],
    ['https://evil.test/@gitlab.example.com', 'origin'],
    ['http://169.254.169.254/latest/meta-data/', 'origin'],
    ['http://[::ffff:127.0.0.1]/', 'origin'],
    ['http://2130706433/', 'origin'],
    ['https://user:pass@gitlab.example.com/g/p', 'userinfo'],
    ['file:///etc/passwd', 'scheme'],
    ['gopher://gitlab.example.com:70/_', 'scheme'],
    ['ftp://gitlab.example.com/', 'scheme'],
    ['data:text/plain,hi', 'scheme'],
    ['//gitlab.example.com/g/p', 'unparsable'],
    ['', 'unparsable'],
  ])('refuses %s (%s)', (url, reason) => {
    expect(checkOrigin(url, origins)).toEqual({ allowed: false, reason });
  });
});
