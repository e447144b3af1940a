import {
  STANDARD_WEBHOOKS_TOLERANCE_SECONDS,
  configuredSecrets,
  constantTimeEqual,
  constantTimeEqualsAny,
  headerValue,
  hmacSha256Base64,
  hmacSha256,
  payloadString,
  verifyStandardWebhook,
} from './signatures';

// Published vectors (docs.github.com "Validating webhook deliveries", standardwebhooks.com).
const GITHUB_SECRET = "It's a Secret to Everybody";
const GITHUB_BODY = Buffer.from('Hello, World!');
const GITHUB_HEX = '757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17';

const SW_KEY = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const SW_ID = 'msg_p5jXN8AQM9LWM0D4loKWxJek';
const SW_TIMESTAMP = 1614265330;
const SW_BODY = Buffer.from('{"test": 2432232314}');
const SW_SIGNATURE = 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=';
const OTHER_SW_KEY = 'whsec_' + Buffer.from('another signing key, 32 bytes!!!').toString('base64');

function atUnixSeconds(seconds: number): Date {
  return new Date(seconds * 1000);
}

function standardWebhook(
  overrides: {
    headers?: Record<string, string | undefined>;
    rawBody?: Buffer;
    receivedAt?: Date;
  } = {},
) {
  return {
    headers: {
      'webhook-id': SW_ID,
      'webhook-timestamp': String(SW_TIMESTAMP),
      'webhook-signature': SW_SIGNATURE,
      ...overrides.headers,
    },
    rawBody: overrides.rawBody ?? SW_BODY,
    receivedAt: overrides.receivedAt ?? atUnixSeconds(SW_TIMESTAMP + 10),
  };
}

describe('hmacSha256 / hmacSha256Base64', () => {
  it('matches the published GitHub vector', () => {
    expect(hmacSha256(GITHUB_SECRET, GITHUB_BODY).toString('hex')).toBe(GITHUB_HEX);
  });

  it('encodes the same digest as base64', () => {
    expect(hmacSha256Base64(GITHUB_SECRET, GITHUB_BODY)).toBe(
      Buffer.from(GITHUB_HEX, 'hex').toString('base64'),
    );
  });
});

describe('constantTimeEqual', () => {
  it('is true only for identical strings, whatever their lengths', () => {
    expect(constantTimeEqual('abc', 'abc')).toBe(true);
    expect(constantTimeEqual('abc', 'abd')).toBe(false);
    expect(constantTimeEqual('abc', 'abcd')).toBe(false);
    expect(constantTimeEqual('', 'a')).toBe(false);
    expect(constantTimeEqual('', '')).toBe(true);
  });

  it('matches any candidate in a rotation list', () => {
    expect(constantTimeEqualsAny('new', ['old', 'new'])).toBe(true);
    expect(constantTimeEqualsAny('other', ['old', 'new'])).toBe(false);
    expect(constantTimeEqualsAny('old', [])).toBe(false);
  });
});

describe('configuredSecrets', () => {
  it('drops empty entries so they never verify', () => {
    expect(configuredSecrets(['', 'a', ''])).toEqual(['a']);
  });
});

describe('headerValue', () => {
  it('trims, treats blank as absent and honours the preference order', () => {
    const headers = { a: '  ', b: ' second ', c: 'third' };
    expect(headerValue(headers, 'a')).toBeUndefined();
    expect(headerValue(headers, 'missing')).toBeUndefined();
    expect(headerValue(headers, 'a', 'b', 'c')).toBe('second');
    expect(headerValue(headers, 'c', 'b')).toBe('third');
  });
});

describe('payloadString', () => {
  it('reads nested strings', () => {
    expect(payloadString({ repository: { full_name: 'o/r' } }, 'repository', 'full_name')).toBe(
      'o/r',
    );
  });

  it.each([
    undefined,
    null,
    'text',
    42,
    [],
    [{ action: 'opened' }],
    { action: 7 },
    { action: null },
  ])('is undefined for a payload shaped like %p', (payload) => {
    expect(payloadString(payload, 'action')).toBeUndefined();
    expect(payloadString(payload, 'repository', 'full_name')).toBeUndefined();
  });
});

describe('verifyStandardWebhook', () => {
  it('accepts the published vector', () => {
    expect(verifyStandardWebhook(standardWebhook(), [SW_KEY])).toEqual({ ok: true });
  });

  it('recomputes the published signature', () => {
    const key = Buffer.from(SW_KEY.slice('whsec_'.length), 'base64');
    const content = Buffer.from(`${SW_ID}.${SW_TIMESTAMP}.${SW_BODY.toString()}`);
    expect(`v1,${hmacSha256Base64(key, content)}`).toBe(SW_SIGNATURE);
  });

  it.each([
    ['exactly at the timestamp', 0],
    ['at the edge of the tolerance, later', STANDARD_WEBHOOKS_TOLERANCE_SECONDS],
    ['at the edge of the tolerance, earlier', -STANDARD_WEBHOOKS_TOLERANCE_SECONDS],
  ])('accepts a delivery received %s', (_label, skewSeconds) => {
    const webhook = standardWebhook({ receivedAt: atUnixSeconds(SW_TIMESTAMP + skewSeconds) });
    expect(verifyStandardWebhook(webhook, [SW_KEY])).toEqual({ ok: true });
  });

  it.each([
    ['too late', STANDARD_WEBHOOKS_TOLERANCE_SECONDS + 1],
    ['too early', -(STANDARD_WEBHOOKS_TOLERANCE_SECONDS + 1)],
    ['a day late', 86_400],
  ])('rejects a delivery received %s', (_label, skewSeconds) => {
    const webhook = standardWebhook({ receivedAt: atUnixSeconds(SW_TIMESTAMP + skewSeconds) });
    expect(verifyStandardWebhook(webhook, [SW_KEY])).toMatchObject({
      ok: false,
      reason: 'timestamp_out_of_tolerance',
    });
  });

  it('accepts one matching v1 signature among several entries, ignoring non-v1 ones', () => {
    const wrongV1 = 'v1,' + Buffer.alloc(32, 7).toString('base64');
    const webhook = standardWebhook({
      headers: {
        'webhook-signature': `v1a,abc ${wrongV1} v2,${SW_SIGNATURE.slice(3)} ${SW_SIGNATURE}`,
      },
    });
    expect(verifyStandardWebhook(webhook, [SW_KEY])).toEqual({ ok: true });
  });

  it('does not accept a correct digest under a non-v1 label', () => {
    const webhook = standardWebhook({
      headers: { 'webhook-signature': `v1a,${SW_SIGNATURE.slice(3)}` },
    });
    expect(verifyStandardWebhook(webhook, [SW_KEY])).toMatchObject({
      ok: false,
      reason: 'malformed_signature',
    });
  });

  it('rejects when none of several signatures matches', () => {
    const webhook = standardWebhook({
      headers: { 'webhook-signature': 'v1,AAAA v1,' + Buffer.alloc(32).toString('base64') },
    });
    expect(verifyStandardWebhook(webhook, [SW_KEY])).toMatchObject({
      ok: false,
      reason: 'signature_mismatch',
    });
  });

  it('accepts with the second key of a rotation', () => {
    expect(verifyStandardWebhook(standardWebhook(), [OTHER_SW_KEY, SW_KEY])).toEqual({ ok: true });
    expect(verifyStandardWebhook(standardWebhook(), [OTHER_SW_KEY])).toMatchObject({
      ok: false,
      reason: 'signature_mismatch',
    });
  });

  it('rejects a changed body, id or timestamp', () => {
    const changes = [
      standardWebhook({ rawBody: Buffer.from('{"test": 2432232315}') }),
      standardWebhook({ headers: { 'webhook-id': 'msg_other' } }),
      standardWebhook({ headers: { 'webhook-timestamp': String(SW_TIMESTAMP + 1) } }),
    ];
    for (const webhook of changes) {
      expect(verifyStandardWebhook(webhook, [SW_KEY])).toMatchObject({
        ok: false,
        reason: 'signature_mismatch',
      });
    }
  });

  it.each([[[]], [['']], [['whsec_']]])('fails closed with signing keys %p', (keys) => {
    expect(verifyStandardWebhook(standardWebhook(), keys)).toMatchObject({
      ok: false,
      reason: 'no_secret_configured',
    });
  });

  it('rejects a delivery without a signature', () => {
    const webhook = standardWebhook({ headers: { 'webhook-signature': undefined } });
    expect(verifyStandardWebhook(webhook, [SW_KEY])).toMatchObject({
      ok: false,
      reason: 'missing_signature',
    });
  });

  it.each([
    ['no webhook-id', { 'webhook-id': undefined }],
    ['no webhook-timestamp', { 'webhook-timestamp': undefined }],
    ['a fractional timestamp', { 'webhook-timestamp': '1614265330.5' }],
    ['a non-numeric timestamp', { 'webhook-timestamp': 'yesterday' }],
  ])('rejects a delivery with %s as malformed', (_label, headers) => {
    expect(verifyStandardWebhook(standardWebhook({ headers }), [SW_KEY])).toMatchObject({
      ok: false,
      reason: 'malformed_signature',
    });
  });

  it('never puts the key or the expected signature in a message', () => {
    const failures = [
      verifyStandardWebhook(standardWebhook({ headers: { 'webhook-signature': 'v1,AAAA' } }), [
        SW_KEY,
      ]),
      verifyStandardWebhook(standardWebhook({ receivedAt: atUnixSeconds(0) }), [SW_KEY]),
    ];
    for (const result of failures) {
      expect(result.ok).toBe(false);
      const message = result.ok ? '' : result.message;
      expect(message).not.toContain(SW_KEY.slice('whsec_'.length));
      expect(message).not.toContain(SW_SIGNATURE.slice(3));
    }
  });
});
