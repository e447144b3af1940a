import { BitbucketAdapter } from './bitbucket.adapter';
import { Provider, type IncomingWebhook, type SourceSecrets } from '../provider-adapter';
import { hmacSha256 } from '../signatures';

const SECRET = 'bitbucket-hook-secret';
const BODY = Buffer.from('{"push":{"changes":[]},"repository":{"full_name":"acme/widgets"}}');
const SIGNATURE = 'sha256=' + hmacSha256(SECRET, BODY).toString('hex');

const adapter = new BitbucketAdapter();

function hmacSecrets(...hmac: string[]): SourceSecrets {
  return { hmac, token: [], signing: [], basic: [] };
}

function incoming(
  headers: Record<string, string | undefined>,
  payload: unknown = {},
): IncomingWebhook {
  return { headers, rawBody: BODY, payload, receivedAt: new Date() };
}

describe('BitbucketAdapter', () => {
  it('is the Bitbucket adapter', () => {
    expect(adapter.provider).toBe(Provider.Bitbucket);
  });

  describe('verify', () => {
    it('accepts a sha256= HMAC of the raw body', () => {
      expect(
        adapter.verify(incoming({ 'x-hub-signature': SIGNATURE }), hmacSecrets(SECRET)),
      ).toEqual({
        ok: true,
      });
    });

    it('accepts the second secret of a rotation', () => {
      const webhook = incoming({ 'x-hub-signature': SIGNATURE });
      expect(adapter.verify(webhook, hmacSecrets('old-secret', SECRET))).toEqual({ ok: true });
    });

    it.each([[[]], [['']]])('fails closed with hmac secrets %p', (hmac) => {
      const webhook = incoming({ 'x-hub-signature': SIGNATURE });
      expect(adapter.verify(webhook, { hmac, token: [], signing: [], basic: [] })).toMatchObject({
        ok: false,
        reason: 'no_secret_configured',
      });
    });

    it('rejects a delivery without X-Hub-Signature', () => {
      expect(adapter.verify(incoming({}), hmacSecrets(SECRET))).toMatchObject({
        ok: false,
        reason: 'missing_signature',
      });
    });

    it.each([
      ['another algorithm', 'sha1=' + SIGNATURE.slice('sha256='.length)],
      ['a truncated digest', SIGNATURE.slice(0, -1)],
      ['a bare digest', SIGNATURE.slice('sha256='.length)],
    ])('rejects %s as malformed', (_label, signature) => {
      expect(
        adapter.verify(incoming({ 'x-hub-signature': signature }), hmacSecrets(SECRET)),
      ).toMatchObject({
        ok: false,
        reason: 'malformed_signature',
      });
    });

    it('rejects a signature made with another secret, without revealing the expected one', () => {
      const forged = 'sha256=' + hmacSha256('guessed-secret', BODY).toString('hex');
      const result = adapter.verify(incoming({ 'x-hub-signature': forged }), hmacSecrets(SECRET));
      expect(result).toMatchObject({ ok: false, reason: 'signature_mismatch' });
      const message = result.ok ? '' : result.message;
      expect(message).not.toContain(SIGNATURE.slice('sha256='.length));
      expect(message).not.toContain(SECRET);
    });
  });

  describe('identify', () => {
    const pullRequestCreated = {
      actor: { display_name: 'Ada' },
      pullrequest: { id: 5, title: 'Add widgets' },
      repository: { full_name: 'acme/widgets', uuid: '{b1f5a1c0-0000-4000-8000-000000000001}' },
    };

    it('keeps the full event key and has no action', () => {
      const webhook = incoming(
        {
          'x-event-key': 'pullrequest:created',
          'x-request-uuid': '2d4b7c1e-55a8-4f0e-9d6b-9a3f1c2e7b40',
          'x-hook-uuid': '{c0ffee00-0000-4000-8000-000000000002}',
        },
        pullRequestCreated,
      );
      expect(adapter.identify(webhook)).toEqual({
        ok: true,
        identity: {
          deliveryId: '2d4b7c1e-55a8-4f0e-9d6b-9a3f1c2e7b40',
          event: 'pullrequest:created',
          repository: 'acme/widgets',
        },
      });
    });

    it('marks diagnostics:ping as a ping', () => {
      const webhook = incoming({ 'x-event-key': 'diagnostics:ping', 'x-request-uuid': 'r-1' });
      expect(adapter.identify(webhook)).toMatchObject({
        ok: true,
        identity: { event: 'diagnostics:ping' },
      });
    });

    it.each([undefined, null, [], [pullRequestCreated], { repository: 'acme/widgets' }])(
      'copes with a payload shaped like %p',
      (payload) => {
        const webhook = incoming({ 'x-event-key': 'repo:push', 'x-request-uuid': 'r-2' }, payload);
        expect(adapter.identify(webhook)).toMatchObject({
          ok: true,
          identity: { event: 'repo:push', repository: undefined },
        });
      },
    );

    it('rejects a delivery without an event key', () => {
      const webhook = incoming({ 'x-request-uuid': 'r-3' }, pullRequestCreated);
      expect(adapter.identify(webhook)).toMatchObject({
        ok: false,
        reason: 'missing_event_header',
      });
    });

    it('rejects a delivery without X-Request-UUID, even with X-Hook-UUID', () => {
      const webhook = incoming(
        { 'x-event-key': 'repo:push', 'x-hook-uuid': '{c0ffee00-0000-4000-8000-000000000002}' },
        pullRequestCreated,
      );
      expect(adapter.identify(webhook)).toMatchObject({ ok: false, reason: 'missing_delivery_id' });
    });
  });
});
