import { storedHeaders } from './stored-headers';

describe('stored delivery headers', () => {
  it('keeps the forges’ own headers and drops credentials, whatever their name', () => {
    expect(
      storedHeaders({
        'Content-Type': 'application/json',
        'user-agent': 'GitHub-Hookshot/1',
        'x-github-event': 'push',
        'x-github-delivery': 'd',
        'x-gitlab-event': 'Push Hook',
        'x-gitlab-token': 'secret',
        'x-gitlab-webhook-token': 'secret',
        'idempotency-key': 'k',
        'webhook-id': 'msg_1',
        'webhook-signature': 'v1,abc',
        'x-event-key': 'repo:push',
        'x-hub-signature-256': 'sha256=abc',
        'x-gitea-signature': 'abc',
        authorization: 'Bearer x',
        'proxy-authorization': 'Basic x',
        'x-api-key': 'key',
        cookie: 'a=b',
        'x-forwarded-for': '203.0.113.9',
        'x-custom': 'value',
        'x-github-secret': 'nope',
        'x-missing': undefined,
      }),
    ).toEqual({
      'content-type': 'application/json',
      'user-agent': 'GitHub-Hookshot/1',
      'x-github-event': 'push',
      'x-github-delivery': 'd',
      'x-gitlab-event': 'Push Hook',
      'idempotency-key': 'k',
      'webhook-id': 'msg_1',
      'x-event-key': 'repo:push',
    });
  });
});
