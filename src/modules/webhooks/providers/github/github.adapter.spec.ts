import webhookExamples from '@octokit/webhooks-examples';
import { GitHubAdapter } from './github.adapter';
import { Provider, type IncomingWebhook, type SourceSecrets } from '../provider-adapter';
import { hmacSha256 } from '../signatures';

// Published vector from docs.github.com "Validating webhook deliveries".
const SECRET = "It's a Secret to Everybody";
const BODY = 'Hello, World!';
const SIGNATURE = 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17';

const adapter = new GitHubAdapter();

function hmacSecrets(...hmac: string[]): SourceSecrets {
  return { hmac, token: [], signing: [], basic: [] };
}

function incoming(
  headers: Record<string, string | undefined>,
  payload: unknown = undefined,
  rawBody: Buffer = Buffer.from(BODY),
): IncomingWebhook {
  return { headers, rawBody, payload, receivedAt: new Date() };
}

function firstExample(eventName: string): Record<string, unknown> {
  const definition = webhookExamples.find((candidate) => candidate.name === eventName);
  const example: unknown = definition?.examples[0];
  if (typeof example !== 'object' || example === null) {
    throw new Error(`@octokit/webhooks-examples has no ${eventName} example`);
  }
  return example as Record<string, unknown>;
}

describe('GitHubAdapter', () => {
  it('is the GitHub adapter', () => {
    expect(adapter.provider).toBe(Provider.GitHub);
  });

  describe('verify', () => {
    it('accepts the published vector', () => {
      const webhook = incoming({ 'x-hub-signature-256': SIGNATURE });
      expect(adapter.verify(webhook, hmacSecrets(SECRET))).toEqual({ ok: true });
    });

    it('accepts a digest written in upper case', () => {
      const upper = 'sha256=' + SIGNATURE.slice('sha256='.length).toUpperCase();
      const webhook = incoming({ 'x-hub-signature-256': upper });
      expect(adapter.verify(webhook, hmacSecrets(SECRET))).toEqual({ ok: true });
    });

    it('accepts with the second secret of a rotation', () => {
      const webhook = incoming({ 'x-hub-signature-256': SIGNATURE });
      expect(adapter.verify(webhook, hmacSecrets('the old secret', SECRET))).toEqual({ ok: true });
    });

    it.each([[[]], [['']]])('fails closed with hmac secrets %p', (hmac) => {
      const webhook = incoming({ 'x-hub-signature-256': SIGNATURE });
      expect(
        adapter.verify(webhook, { hmac, token: [SECRET], signing: [], basic: [] }),
      ).toMatchObject({
        ok: false,
        reason: 'no_secret_configured',
      });
    });

    it('rejects a delivery without X-Hub-Signature-256, even with a SHA-1 signature', () => {
      const sha1Only = incoming({ 'x-hub-signature': 'sha1=' + '0'.repeat(40) });
      expect(adapter.verify(sha1Only, hmacSecrets(SECRET))).toMatchObject({
        ok: false,
        reason: 'missing_signature',
      });
      expect(
        adapter.verify(incoming({ 'x-hub-signature-256': '' }), hmacSecrets(SECRET)),
      ).toMatchObject({
        ok: false,
        reason: 'missing_signature',
      });
    });

    it.each([
      ['another algorithm', 'sha1=' + SIGNATURE.slice('sha256='.length)],
      ['a truncated digest', SIGNATURE.slice(0, -2)],
      ['a bare digest', SIGNATURE.slice('sha256='.length)],
      ['non-hex characters', 'sha256=' + 'z'.repeat(64)],
    ])('rejects %s as malformed', (_label, signature) => {
      const webhook = incoming({ 'x-hub-signature-256': signature });
      expect(adapter.verify(webhook, hmacSecrets(SECRET))).toMatchObject({
        ok: false,
        reason: 'malformed_signature',
      });
    });

    it('rejects a wrong signature or a changed body', () => {
      const wrongDigest = incoming({ 'x-hub-signature-256': 'sha256=' + '0'.repeat(64) });
      const changedBody = incoming(
        { 'x-hub-signature-256': SIGNATURE },
        undefined,
        Buffer.from('Hello, World?'),
      );
      for (const webhook of [wrongDigest, changedBody]) {
        expect(adapter.verify(webhook, hmacSecrets(SECRET))).toMatchObject({
          ok: false,
          reason: 'signature_mismatch',
        });
      }
    });

    it('never puts the secret or the expected signature in a message', () => {
      const result = adapter.verify(
        incoming({ 'x-hub-signature-256': 'sha256=' + '0'.repeat(64) }),
        hmacSecrets(SECRET),
      );
      expect(result.ok).toBe(false);
      const message = result.ok ? '' : result.message;
      expect(message).not.toContain(SECRET);
      expect(message).not.toContain(SIGNATURE.slice('sha256='.length));
    });
  });

  describe('identify', () => {
    const deliveryHeaders = {
      'x-github-event': 'push',
      'x-github-delivery': '72d3162e-cc78-11e3-81ab-4c9367dc0958',
      'x-github-hook-id': '292430182',
    };

    it('identifies a push from @octokit/webhooks-examples', () => {
      const push = firstExample('push');
      const rawBody = Buffer.from(JSON.stringify(push));
      const webhook = incoming(
        {
          ...deliveryHeaders,
          'x-hub-signature-256': 'sha256=' + hmacSha256('s3cret', rawBody).toString('hex'),
        },
        push,
        rawBody,
      );
      expect(adapter.verify(webhook, hmacSecrets('s3cret'))).toEqual({ ok: true });
      expect(adapter.identify(webhook)).toEqual({
        ok: true,
        identity: {
          deliveryId: '292430182:72d3162e-cc78-11e3-81ab-4c9367dc0958',
          event: 'push',
          action: undefined,
          repository: 'Codertocat/Hello-World',
        },
      });
    });

    it('reads the action of a pull_request example', () => {
      const webhook = incoming(
        { ...deliveryHeaders, 'x-github-event': 'pull_request' },
        firstExample('pull_request'),
      );
      expect(adapter.identify(webhook)).toMatchObject({
        ok: true,
        identity: { event: 'pull_request', action: 'opened', repository: 'Codertocat/Hello-World' },
      });
    });

    it('marks a ping as a ping', () => {
      const webhook = incoming(
        { ...deliveryHeaders, 'x-github-event': 'ping' },
        firstExample('ping'),
      );
      expect(adapter.identify(webhook)).toMatchObject({
        ok: true,
        identity: { event: 'ping' },
      });
    });

    it('uses the delivery GUID alone when there is no hook id', () => {
      const webhook = incoming({ ...deliveryHeaders, 'x-github-hook-id': undefined }, {});
      expect(adapter.identify(webhook)).toMatchObject({
        ok: true,
        identity: { deliveryId: '72d3162e-cc78-11e3-81ab-4c9367dc0958' },
      });
    });

    it.each([undefined, null, [], ['push'], 'push', { action: 5, repository: [] }])(
      'copes with a payload shaped like %p',
      (payload) => {
        expect(adapter.identify(incoming(deliveryHeaders, payload))).toMatchObject({
          ok: true,
          identity: { event: 'push', action: undefined, repository: undefined },
        });
      },
    );

    it('rejects a delivery without an event header', () => {
      const webhook = incoming({ ...deliveryHeaders, 'x-github-event': undefined }, {});
      expect(adapter.identify(webhook)).toMatchObject({
        ok: false,
        reason: 'missing_event_header',
      });
    });

    it('rejects a delivery without a delivery GUID, even with a hook id', () => {
      const webhook = incoming({ ...deliveryHeaders, 'x-github-delivery': ' ' }, {});
      expect(adapter.identify(webhook)).toMatchObject({ ok: false, reason: 'missing_delivery_id' });
    });
  });
});
