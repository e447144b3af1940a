import { Provider, type IncomingWebhook, type SourceSecrets } from '../provider-adapter';
import { AzureDevOpsAdapter } from './azure-devops.adapter';

// RFC 7617's example: user "Aladdin", password "open sesame".
const RFC_CREDENTIALS = 'Aladdin:open sesame';
const RFC_AUTHORIZATION = 'Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==';

const adapter = new AzureDevOpsAdapter();

function basic(...credentials: string[]): SourceSecrets {
  return { hmac: [], token: [], signing: [], basic: credentials };
}

function incoming(
  headers: Record<string, string | undefined>,
  payload: unknown = {},
): IncomingWebhook {
  return {
    headers,
    rawBody: Buffer.from(JSON.stringify(payload)),
    payload,
    receivedAt: new Date(),
  };
}

const authorization = (credentials: string) =>
  `Basic ${Buffer.from(credentials, 'utf8').toString('base64')}`;

describe('AzureDevOpsAdapter', () => {
  it('is the Azure DevOps adapter', () => {
    expect(adapter.provider).toBe(Provider.AzureDevOps);
    expect(adapter.secretHeaders).toContain('authorization');
  });

  describe('verify (HTTP Basic credentials)', () => {
    it('accepts the RFC 7617 example credentials', () => {
      expect(
        adapter.verify(incoming({ authorization: RFC_AUTHORIZATION }), basic(RFC_CREDENTIALS)),
      ).toEqual({
        ok: true,
      });
    });

    it('accepts any password of a rotation, and the scheme name in any case', () => {
      const webhook = incoming({
        authorization: authorization('hookyard:new-password').replace('Basic', 'basic'),
      });
      expect(
        adapter.verify(webhook, basic('hookyard:old-password', 'hookyard:new-password')),
      ).toEqual({
        ok: true,
      });
    });

    it.each([[[]], [['']]])('fails closed with credentials %p', (credentials) => {
      expect(
        adapter.verify(incoming({ authorization: RFC_AUTHORIZATION }), basic(...credentials)),
      ).toMatchObject({ ok: false, reason: 'no_secret_configured' });
    });

    it('rejects a delivery without an Authorization header', () => {
      expect(adapter.verify(incoming({}), basic(RFC_CREDENTIALS))).toMatchObject({
        ok: false,
        reason: 'missing_signature',
      });
    });

    it.each([
      ['a bearer token', 'Bearer QWxhZGRpbjpvcGVuIHNlc2FtZQ=='],
      ['no credentials after the scheme', 'Basic'],
      ['credentials that are not base64', 'Basic not*base64'],
      ['credentials without a colon', authorization('Aladdin')],
    ])('rejects %s as malformed', (_label, header) => {
      expect(
        adapter.verify(incoming({ authorization: header }), basic(RFC_CREDENTIALS)),
      ).toMatchObject({
        ok: false,
        reason: 'malformed_signature',
      });
    });

    it.each([
      ['a wrong password', 'Aladdin:open sesame!'],
      ['a wrong user name', 'aladdin:open sesame'],
      ['the password alone', ':open sesame'],
    ])('rejects %s', (_label, credentials) => {
      const result = adapter.verify(
        incoming({ authorization: authorization(credentials) }),
        basic(RFC_CREDENTIALS),
      );
      expect(result).toMatchObject({ ok: false, reason: 'signature_mismatch' });
      expect(JSON.stringify(result)).not.toContain('open sesame');
    });
  });

  describe('identify', () => {
    const payload = {
      subscriptionId: '6b5c2c1a-3c1e-4f1a-9a1f-1f7f0b6f2b11',
      notificationId: 3,
      id: 'e5c1b1a4-0b4e-4b8f-8d7e-3f6f0e7d1c22',
      eventType: 'git.push',
      resource: {
        repository: { id: 'r-1', name: 'api', project: { id: 'p-1', name: 'Platform' } },
      },
      createdDate: '2026-03-02T10:00:00Z',
    };

    it('reads the event from eventType and the delivery id from subscription and event ids', () => {
      expect(adapter.identify(incoming({}, payload))).toEqual({
        ok: true,
        identity: {
          deliveryId: `${payload.subscriptionId}:${payload.id}`,
          event: 'git.push',
          repository: 'Platform/api',
        },
      });
    });

    it('uses the event id alone when there is no subscription id', () => {
      const { subscriptionId: _omitted, ...withoutSubscription } = payload;
      const result = adapter.identify(incoming({}, withoutSubscription));
      expect(result).toMatchObject({ ok: true, identity: { deliveryId: payload.id } });
    });

    it('names the project of a work item and the status of a pull request', () => {
      const workItem = {
        id: 'w',
        eventType: 'workitem.updated',
        resource: { revision: { fields: { 'System.TeamProject': 'Platform' } } },
      };
      expect(adapter.identify(incoming({}, workItem))).toMatchObject({
        ok: true,
        identity: { repository: 'Platform' },
      });
      const pullRequest = {
        ...payload,
        eventType: 'git.pullrequest.updated',
        resource: { ...payload.resource, status: 'completed' },
      };
      expect(adapter.identify(incoming({}, pullRequest))).toMatchObject({
        ok: true,
        identity: { action: 'completed', repository: 'Platform/api' },
      });
    });

    it.each([
      ['no eventType', { id: 'x' }],
      ['an empty eventType', { id: 'x', eventType: ' ' }],
      ['a body that is not an object', ['git.push']],
    ])('answers missing_event_header for %s', (_label, body) => {
      expect(adapter.identify(incoming({}, body))).toMatchObject({
        ok: false,
        reason: 'missing_event_header',
      });
    });

    it('answers missing_delivery_id without an event id', () => {
      expect(adapter.identify(incoming({}, { eventType: 'git.push' }))).toMatchObject({
        ok: false,
        reason: 'missing_delivery_id',
      });
    });
  });

  describe('secrets', () => {
    const problems: string[] = [];
    const env = (values: Record<string, string>) => ({
      list: (name: string) =>
        (values[name] ?? '')
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
      optional: (name: string) => values[name],
      problem: (message: string) => problems.push(message),
    });

    beforeEach(() => problems.splice(0));

    it('pairs the one user name with every password of a rotation', () => {
      expect(
        adapter.secrets.fromEnvironment(
          env({
            AZURE_DEVOPS_WEBHOOK_USERNAME: 'hookyard',
            AZURE_DEVOPS_WEBHOOK_PASSWORD: 'old,new',
          }),
        ),
      ).toEqual({ basic: ['hookyard:old', 'hookyard:new'] });
      expect(problems).toEqual([]);
    });

    it.each([
      [{ AZURE_DEVOPS_WEBHOOK_PASSWORD: 'pw' }, /USERNAME must be set/],
      [{ AZURE_DEVOPS_WEBHOOK_USERNAME: 'hookyard' }, /PASSWORD must be set/],
      [
        { AZURE_DEVOPS_WEBHOOK_USERNAME: 'hook:yard', AZURE_DEVOPS_WEBHOOK_PASSWORD: 'pw' },
        /must not contain ":"/,
      ],
    ])('reports half or impossible credentials %p', (values, problem) => {
      expect(adapter.secrets.fromEnvironment(env(values))).toEqual({});
      expect(problems).toEqual([expect.stringMatching(problem)]);
      expect(problems.join()).not.toContain('pw');
    });

    it('stores a named source secret username:password as basic; anything else is refused', () => {
      expect(adapter.secrets.kindOf('hookyard:s3cret-pass')).toBe('basic');
      for (const secret of ['no-colon-here', ':password-only', 'user-only:']) {
        const kind = adapter.secrets.kindOf(secret);
        expect(kind).toEqual({ problem: expect.stringContaining('username:password') });
        expect(JSON.stringify(kind)).not.toContain(secret);
      }
    });
  });
});
