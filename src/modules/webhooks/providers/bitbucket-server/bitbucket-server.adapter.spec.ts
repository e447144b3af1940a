import { Provider, type IncomingWebhook, type SourceSecrets } from '../provider-adapter';
import { BitbucketServerAdapter } from './bitbucket-server.adapter';

// The HMAC-SHA256 test vector GitHub publishes; Bitbucket Data Center signs the same way.
const SECRET = "It's a Secret to Everybody";
const BODY = Buffer.from('Hello, World!');
const SIGNATURE = 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17';

const adapter = new BitbucketServerAdapter();

function hmacSecrets(...hmac: string[]): SourceSecrets {
  return { hmac, token: [], signing: [], basic: [] };
}

function incoming(
  headers: Record<string, string | undefined>,
  payload: unknown = {},
): IncomingWebhook {
  return { headers, rawBody: BODY, payload, receivedAt: new Date() };
}

describe('BitbucketServerAdapter', () => {
  it('is the Bitbucket Data Center adapter', () => {
    expect(adapter.provider).toBe(Provider.BitbucketServer);
  });

  describe('verify', () => {
    it('accepts the published test vector', () => {
      expect(
        adapter.verify(incoming({ 'x-hub-signature': SIGNATURE }), hmacSecrets(SECRET)),
      ).toEqual({ ok: true });
    });

    it('accepts the second secret of a rotation', () => {
      expect(
        adapter.verify(incoming({ 'x-hub-signature': SIGNATURE }), hmacSecrets('older', SECRET)),
      ).toEqual({ ok: true });
    });

    it.each([
      ['no secret configured', {}, hmacSecrets(), 'no_secret_configured'],
      ['no signature', {}, hmacSecrets(SECRET), 'missing_signature'],
      [
        'a digest without sha256=',
        { 'x-hub-signature': SIGNATURE.slice(7) },
        hmacSecrets(SECRET),
        'malformed_signature',
      ],
      [
        'another secret',
        { 'x-hub-signature': SIGNATURE },
        hmacSecrets('not it'),
        'signature_mismatch',
      ],
      [
        'X-Hub-Signature-256 only',
        { 'x-hub-signature-256': SIGNATURE },
        hmacSecrets(SECRET),
        'missing_signature',
      ],
    ])('rejects %s', (_label, headers, secrets, reason) => {
      expect(adapter.verify(incoming(headers), secrets)).toMatchObject({ ok: false, reason });
    });
  });

  describe('identify', () => {
    const repository = { slug: 'api', id: 7, project: { key: 'PLAT' } };

    it('reads X-Event-Key and X-Request-Id, and the repository as PROJECT/slug', () => {
      const result = adapter.identify(
        incoming(
          {
            'x-event-key': 'repo:refs_changed',
            'x-request-id': 'c0ffee00-1111-4222-8333-444455556666',
          },
          { repository },
        ),
      );
      expect(result).toEqual({
        ok: true,
        identity: {
          deliveryId: 'c0ffee00-1111-4222-8333-444455556666',
          event: 'repo:refs_changed',
          repository: 'PLAT/api',
        },
      });
    });

    it('names the target repository of a pull request', () => {
      const result = adapter.identify(
        incoming(
          { 'x-event-key': 'pr:opened', 'x-request-id': 'r' },
          { pullRequest: { toRef: { repository } } },
        ),
      );
      expect(result).toMatchObject({ ok: true, identity: { repository: 'PLAT/api' } });
    });

    it('marks diagnostics:ping as a ping', () => {
      const result = adapter.identify(
        incoming({ 'x-event-key': 'diagnostics:ping', 'x-request-id': 'r' }, { test: true }),
      );
      expect(result).toMatchObject({
        ok: true,
        identity: { event: 'diagnostics:ping' },
      });
    });

    it('needs the event key and the request id', () => {
      expect(adapter.identify(incoming({ 'x-request-id': 'r' }))).toMatchObject({
        ok: false,
        reason: 'missing_event_header',
      });
      expect(
        adapter.identify(incoming({ 'x-event-key': 'pr:opened', 'x-request-uuid': 'r' })),
      ).toMatchObject({
        ok: false,
        reason: 'missing_delivery_id',
      });
    });
  });
});
