import { GitLabAdapter } from './gitlab.adapter';
import { Provider, type IncomingWebhook, type SourceSecrets } from '../provider-adapter';

// Published Standard Webhooks vector (standardwebhooks.com).
const SIGNING_KEY = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const SIGNED_ID = 'msg_p5jXN8AQM9LWM0D4loKWxJek';
const SIGNED_TIMESTAMP = 1614265330;
const SIGNED_BODY = '{"test": 2432232314}';
const SIGNATURE = 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=';
const OTHER_SIGNING_KEY =
  'whsec_' + Buffer.from('a different signing key of 32 b.').toString('base64');

const TOKEN = 'gitlab-shared-token';

const adapter = new GitLabAdapter();

function secrets(overrides: Partial<SourceSecrets>): SourceSecrets {
  return { hmac: [], token: [], signing: [], basic: [], ...overrides };
}

function incoming(
  headers: Record<string, string | undefined>,
  payload: unknown = {},
  receivedAt: Date = new Date((SIGNED_TIMESTAMP + 30) * 1000),
): IncomingWebhook {
  return { headers, rawBody: Buffer.from(SIGNED_BODY), payload, receivedAt };
}

const signedHeaders = {
  'webhook-id': SIGNED_ID,
  'webhook-timestamp': String(SIGNED_TIMESTAMP),
  'webhook-signature': SIGNATURE,
};

describe('GitLabAdapter', () => {
  it('is the GitLab adapter', () => {
    expect(adapter.provider).toBe(Provider.GitLab);
  });

  describe('verify with X-Gitlab-Token', () => {
    it('accepts the configured token', () => {
      const webhook = incoming({ 'x-gitlab-token': TOKEN });
      expect(adapter.verify(webhook, secrets({ token: [TOKEN] }))).toEqual({ ok: true });
    });

    it('accepts the second token of a rotation', () => {
      const webhook = incoming({ 'x-gitlab-token': TOKEN });
      expect(adapter.verify(webhook, secrets({ token: ['old-token', TOKEN] }))).toEqual({
        ok: true,
      });
    });

    it.each([[[]], [['']]])('fails closed with tokens %p', (token) => {
      const webhook = incoming({ 'x-gitlab-token': TOKEN });
      expect(adapter.verify(webhook, secrets({ token, signing: [SIGNING_KEY] }))).toMatchObject({
        ok: false,
        reason: 'no_secret_configured',
      });
    });

    it('rejects a delivery without a token', () => {
      expect(adapter.verify(incoming({}), secrets({ token: [TOKEN] }))).toMatchObject({
        ok: false,
        reason: 'missing_signature',
      });
    });

    it.each([
      ['a different token', 'another-token'],
      ['a truncated token', TOKEN.slice(0, -1)],
      ['a longer token', TOKEN + 'x'],
    ])('rejects %s', (_label, presented) => {
      const result = adapter.verify(
        incoming({ 'x-gitlab-token': presented }),
        secrets({ token: [TOKEN] }),
      );
      expect(result).toMatchObject({ ok: false, reason: 'signature_mismatch' });
      expect(result.ok ? '' : result.message).not.toContain(TOKEN);
    });
  });

  describe('verify with Standard Webhooks (GitLab >= 19)', () => {
    it('accepts the published vector', () => {
      expect(adapter.verify(incoming(signedHeaders), secrets({ signing: [SIGNING_KEY] }))).toEqual({
        ok: true,
      });
    });

    it('accepts the second signing key of a rotation', () => {
      const webhook = incoming(signedHeaders);
      expect(
        adapter.verify(webhook, secrets({ signing: [OTHER_SIGNING_KEY, SIGNING_KEY] })),
      ).toEqual({ ok: true });
    });

    it('accepts when one of several space-separated signatures matches', () => {
      const webhook = incoming({
        ...signedHeaders,
        'webhook-signature': `v1,${Buffer.alloc(32, 1).toString('base64')} ${SIGNATURE}`,
      });
      expect(adapter.verify(webhook, secrets({ signing: [SIGNING_KEY] }))).toEqual({ ok: true });
    });

    it('fails closed when no signing key is configured, even with a valid token', () => {
      const webhook = incoming({ ...signedHeaders, 'x-gitlab-token': TOKEN });
      expect(adapter.verify(webhook, secrets({ token: [TOKEN] }))).toMatchObject({
        ok: false,
        reason: 'no_secret_configured',
      });
    });

    it('does not fall back to the token when the signature is wrong', () => {
      const webhook = incoming({
        ...signedHeaders,
        'webhook-signature': `v1,${Buffer.alloc(32).toString('base64')}`,
        'x-gitlab-token': TOKEN,
      });
      expect(
        adapter.verify(webhook, secrets({ token: [TOKEN], signing: [SIGNING_KEY] })),
      ).toMatchObject({ ok: false, reason: 'signature_mismatch' });
    });

    it('rejects a delivery received outside the 5-minute tolerance', () => {
      const late = incoming(signedHeaders, {}, new Date((SIGNED_TIMESTAMP + 301) * 1000));
      expect(adapter.verify(late, secrets({ signing: [SIGNING_KEY] }))).toMatchObject({
        ok: false,
        reason: 'timestamp_out_of_tolerance',
      });
    });
  });

  describe('identify', () => {
    const mergeRequest = {
      object_kind: 'merge_request',
      event_type: 'merge_request',
      project: { id: 7, path_with_namespace: 'platform/api-gateway' },
      object_attributes: { iid: 12, action: 'open', state: 'opened' },
    };

    it('identifies a merge request by its Idempotency-Key', () => {
      const webhook = incoming(
        {
          'x-gitlab-event': 'Merge Request Hook',
          'idempotency-key': 'c4c9a1d2-2f0e-4a53-9e57-1e1f0d8b2a10',
          'webhook-id': 'msg_ignored',
          'x-gitlab-event-uuid': 'ignored-event-uuid',
        },
        mergeRequest,
      );
      expect(adapter.identify(webhook)).toEqual({
        ok: true,
        identity: {
          deliveryId: 'c4c9a1d2-2f0e-4a53-9e57-1e1f0d8b2a10',
          event: 'Merge Request Hook',
          action: 'open',
          repository: 'platform/api-gateway',
        },
      });
    });

    it('identifies a Standard-Webhooks-signed delivery by its signed webhook-id, never the unsigned Idempotency-Key', () => {
      const signedHeaders = {
        'x-gitlab-event': 'Merge Request Hook',
        'webhook-id': 'msg_signed',
        'webhook-timestamp': '1614265330',
        'webhook-signature': 'v1,anything',
      };
      const replayed = incoming(
        { ...signedHeaders, 'idempotency-key': 'attacker-chosen-key' },
        mergeRequest,
      );
      expect(adapter.identify(replayed)).toMatchObject({
        ok: true,
        identity: { deliveryId: 'msg_signed' },
      });
      const { ['webhook-id']: _id, ...withoutId } = signedHeaders;
      expect(
        adapter.identify(incoming({ ...withoutId, 'idempotency-key': 'k' }, mergeRequest)),
      ).toMatchObject({ ok: false, reason: 'missing_delivery_id' });
    });

    it('falls back to webhook-id, then to X-Gitlab-Event-UUID', () => {
      const withWebhookId = incoming({
        'x-gitlab-event': 'Push Hook',
        'webhook-id': 'msg_2a',
        'x-gitlab-event-uuid': 'event-uuid-2a',
      });
      const withEventUuid = incoming({
        'x-gitlab-event': 'Push Hook',
        'x-gitlab-event-uuid': 'event-uuid-2b',
      });
      expect(adapter.identify(withWebhookId)).toMatchObject({
        ok: true,
        identity: { deliveryId: 'msg_2a' },
      });
      expect(adapter.identify(withEventUuid)).toMatchObject({
        ok: true,
        identity: { deliveryId: 'event-uuid-2b' },
      });
    });

    it('has no action for a push or a pipeline', () => {
      const push = { object_kind: 'push', project: { path_with_namespace: 'group/sub/repo' } };
      const pipeline = {
        object_kind: 'pipeline',
        object_attributes: { id: 31, status: 'success' },
        project: { path_with_namespace: 'group/sub/repo' },
      };
      for (const [event, payload] of [
        ['Push Hook', push],
        ['Pipeline Hook', pipeline],
      ] as const) {
        const webhook = incoming({ 'x-gitlab-event': event, 'idempotency-key': 'k' }, payload);
        expect(adapter.identify(webhook)).toEqual({
          ok: true,
          identity: {
            deliveryId: 'k',
            event,
            action: undefined,
            repository: 'group/sub/repo',
          },
        });
      }
    });

    it.each([undefined, null, [], [mergeRequest], { project: 'not an object' }])(
      'copes with a payload shaped like %p',
      (payload) => {
        const webhook = incoming(
          { 'x-gitlab-event': 'Push Hook', 'idempotency-key': 'k' },
          payload,
        );
        expect(adapter.identify(webhook)).toMatchObject({
          ok: true,
          identity: { action: undefined, repository: undefined },
        });
      },
    );

    it('rejects a delivery without an event header', () => {
      const webhook = incoming({ 'idempotency-key': 'k' }, mergeRequest);
      expect(adapter.identify(webhook)).toMatchObject({
        ok: false,
        reason: 'missing_event_header',
      });
    });

    it('rejects a delivery without any delivery id header', () => {
      const webhook = incoming({ 'x-gitlab-event': 'Push Hook', 'idempotency-key': '' }, {});
      expect(adapter.identify(webhook)).toMatchObject({ ok: false, reason: 'missing_delivery_id' });
    });
  });
});
