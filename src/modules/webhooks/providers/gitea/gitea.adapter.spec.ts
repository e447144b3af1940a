import { GiteaAdapter } from './gitea.adapter';
import { Provider, type IncomingWebhook, type SourceSecrets } from '../provider-adapter';
import { hmacSha256 } from '../signatures';

const SECRET = 'gitea-hook-secret';
const BODY = Buffer.from('{"ref":"refs/heads/main","repository":{"full_name":"acme/widgets"}}');
const SIGNATURE = hmacSha256(SECRET, BODY).toString('hex');

const adapter = new GiteaAdapter();

function hmacSecrets(...hmac: string[]): SourceSecrets {
  return { hmac, token: [], signing: [], basic: [] };
}

function incoming(
  headers: Record<string, string | undefined>,
  payload: unknown = {},
): IncomingWebhook {
  return { headers, rawBody: BODY, payload, receivedAt: new Date() };
}

describe('GiteaAdapter', () => {
  it('is the Gitea adapter', () => {
    expect(adapter.provider).toBe(Provider.Gitea);
  });

  describe('verify', () => {
    it.each(['x-gitea-signature', 'x-forgejo-signature', 'x-gogs-signature'])(
      'accepts a bare hex HMAC in %s',
      (header) => {
        expect(adapter.verify(incoming({ [header]: SIGNATURE }), hmacSecrets(SECRET))).toEqual({
          ok: true,
        });
      },
    );

    it('reads the Forgejo header when the Gitea one is empty', () => {
      const webhook = incoming({ 'x-gitea-signature': '', 'x-forgejo-signature': SIGNATURE });
      expect(adapter.verify(webhook, hmacSecrets(SECRET))).toEqual({ ok: true });
    });

    it('accepts the second secret of a rotation', () => {
      const webhook = incoming({ 'x-gitea-signature': SIGNATURE });
      expect(adapter.verify(webhook, hmacSecrets('old-secret', SECRET))).toEqual({ ok: true });
    });

    it.each([
      ['an empty', { 'x-gitea-signature': '', 'x-gogs-signature': '' }],
      ['no', {}],
    ])('treats %s signature header as unsigned', (_label, headers) => {
      expect(adapter.verify(incoming(headers), hmacSecrets(SECRET))).toMatchObject({
        ok: false,
        reason: 'missing_signature',
      });
    });

    it.each([[[]], [['']]])('fails closed with hmac secrets %p, signed or not', (hmac) => {
      const unconfigured = { hmac, token: [SECRET], signing: [], basic: [] };
      for (const headers of [{ 'x-gitea-signature': '' }, { 'x-gitea-signature': SIGNATURE }]) {
        expect(adapter.verify(incoming(headers), unconfigured)).toMatchObject({
          ok: false,
          reason: 'no_secret_configured',
        });
      }
    });

    it.each([
      ['a GitHub-style prefix', 'sha256=' + SIGNATURE],
      ['a truncated digest', SIGNATURE.slice(0, -1)],
      ['a SHA-1 length digest', SIGNATURE.slice(0, 40)],
    ])('rejects %s as malformed', (_label, signature) => {
      expect(
        adapter.verify(incoming({ 'x-gitea-signature': signature }), hmacSecrets(SECRET)),
      ).toMatchObject({
        ok: false,
        reason: 'malformed_signature',
      });
    });

    it('rejects a wrong signature without revealing the expected one', () => {
      const result = adapter.verify(
        incoming({ 'x-gitea-signature': 'f'.repeat(64) }),
        hmacSecrets(SECRET),
      );
      expect(result).toMatchObject({ ok: false, reason: 'signature_mismatch' });
      const message = result.ok ? '' : result.message;
      expect(message).not.toContain(SIGNATURE);
      expect(message).not.toContain(SECRET);
    });
  });

  describe('identify', () => {
    const pullRequest = {
      action: 'opened',
      number: 3,
      pull_request: { id: 41, title: 'Add widgets' },
      repository: { id: 9, full_name: 'acme/widgets' },
    };

    it('identifies a Gitea pull request', () => {
      const webhook = incoming(
        {
          'x-gitea-event': 'pull_request',
          'x-gitea-event-type': 'pull_request',
          'x-gitea-delivery': '6f1c9b0e-1a0b-4d53-8a4e-0d9f3d3f1c2a',
        },
        pullRequest,
      );
      expect(adapter.identify(webhook)).toEqual({
        ok: true,
        identity: {
          deliveryId: '6f1c9b0e-1a0b-4d53-8a4e-0d9f3d3f1c2a',
          event: 'pull_request',
          action: 'opened',
          repository: 'acme/widgets',
        },
      });
    });

    it('identifies a delivery that only carries Forgejo or Gogs headers', () => {
      const forgejo = incoming({ 'x-forgejo-event': 'push', 'x-forgejo-delivery': 'fj-1' });
      const gogs = incoming({ 'x-gogs-event': 'push', 'x-gogs-delivery': 'gg-1' });
      expect(adapter.identify(forgejo)).toMatchObject({
        ok: true,
        identity: { event: 'push', deliveryId: 'fj-1' },
      });
      expect(adapter.identify(gogs)).toMatchObject({
        ok: true,
        identity: { event: 'push', deliveryId: 'gg-1' },
      });
    });

    it('has no action for a push and marks only "ping" as a ping', () => {
      const push = incoming(
        { 'x-gitea-event': 'push', 'x-gitea-delivery': 'd-1' },
        { ref: 'refs/heads/main', repository: { full_name: 'acme/widgets' } },
      );
      const ping = incoming({ 'x-gitea-event': 'ping', 'x-gitea-delivery': 'd-2' });
      expect(adapter.identify(push)).toMatchObject({
        ok: true,
        identity: { action: undefined, repository: 'acme/widgets' },
      });
      expect(adapter.identify(ping)).toMatchObject({ ok: true, identity: { event: 'ping' } });
    });

    it.each([undefined, null, [], [pullRequest], 'opened'])(
      'copes with a payload shaped like %p',
      (payload) => {
        const webhook = incoming({ 'x-gitea-event': 'issues', 'x-gitea-delivery': 'd-3' }, payload);
        expect(adapter.identify(webhook)).toMatchObject({
          ok: true,
          identity: { action: undefined, repository: undefined },
        });
      },
    );

    it('rejects a delivery without an event header', () => {
      const webhook = incoming({ 'x-gitea-delivery': 'd-4' }, pullRequest);
      expect(adapter.identify(webhook)).toMatchObject({
        ok: false,
        reason: 'missing_event_header',
      });
    });

    it('rejects a delivery without a delivery id', () => {
      const webhook = incoming({ 'x-gitea-event': 'pull_request' }, pullRequest);
      expect(adapter.identify(webhook)).toMatchObject({ ok: false, reason: 'missing_delivery_id' });
    });
  });
});
