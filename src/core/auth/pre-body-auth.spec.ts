import { takesKeyedBody } from './pre-body-auth';

describe('takesKeyedBody', () => {
  it('names the state-changing routes that need a key', () => {
    expect(takesKeyedBody('POST', '/api/v1/admin/sources')).toBe(true);
    expect(takesKeyedBody('DELETE', '/api/v1/admin/api-keys/:id')).toBe(true);
    expect(takesKeyedBody(['PUT', 'PATCH'], '/api/v1/admin/teams/:id')).toBe(true);
  });

  it('leaves out reads, the keyless prefixes and the excepted routes', () => {
    expect(takesKeyedBody('GET', '/api/v1/admin/sources')).toBe(false);
    expect(takesKeyedBody(['GET', 'HEAD'], '/api/v1/activity/commits')).toBe(false);
    for (const url of ['/webhooks/:provider', '/health/ready', '/docs', '/docs-json', '/metrics']) {
      expect(takesKeyedBody('POST', url)).toBe(false);
    }
    expect(takesKeyedBody('POST', '/admin/queues/api/queues/pause', ['/admin/queues'])).toBe(false);
    expect(takesKeyedBody('POST', '/webhooksx')).toBe(true);
  });
});
