import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingWebhook, VerifyResult } from './provider-adapter';

/** Standard Webhooks allows this much clock skew, either way, between sender and receiver. */
export const STANDARD_WEBHOOKS_TOLERANCE_SECONDS = 5 * 60;

const STANDARD_WEBHOOKS_KEY_PREFIX = 'whsec_';
const STANDARD_WEBHOOKS_V1_PREFIX = 'v1,';
const SHA256_HEX = /^[0-9a-f]{64}$/i;
const UNIX_SECONDS = /^\d{1,15}$/;

export function hmacSha256(key: string | Buffer, content: Buffer): Buffer {
  return createHmac('sha256', key).update(content).digest();
}

export function hmacSha256Base64(key: string | Buffer, content: Buffer): string {
  return createHmac('sha256', key).update(content).digest('base64');
}

/**
 * Compares two strings in time independent of where they differ. Both sides are hashed first so
 * that timingSafeEqual always sees equal lengths and the length of the expected value never leaks.
 */
export function constantTimeEqual(presented: string, expected: string): boolean {
  const presentedDigest = createHash('sha256').update(presented, 'utf8').digest();
  const expectedDigest = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(presentedDigest, expectedDigest);
}

/** True when `presented` equals any of the candidates; every candidate is compared. */
export function constantTimeEqualsAny(presented: string, candidates: readonly string[]): boolean {
  let matched = false;
  for (const candidate of candidates) {
    // Keep comparing after a match so the time taken does not reveal which secret matched.
    matched = constantTimeEqual(presented, candidate) || matched;
  }
  return matched;
}

/** True when the digest equals any candidate digest of the same length; every one is compared. */
function digestMatchesAny(presented: Buffer, candidates: readonly Buffer[]): boolean {
  let matched = false;
  for (const candidate of candidates) {
    matched =
      (candidate.length === presented.length && timingSafeEqual(candidate, presented)) || matched;
  }
  return matched;
}

/** Empty entries would be a secret everyone knows, so they never count as configured. */
export function configuredSecrets(secrets: readonly string[]): string[] {
  return secrets.filter((secret) => secret.length > 0);
}

/** The header's value, trimmed; undefined when absent or blank. Names must be lower case. */
export function headerValue(
  headers: IncomingWebhook['headers'],
  ...namesInPreferenceOrder: readonly string[]
): string | undefined {
  for (const name of namesInPreferenceOrder) {
    const value = headers[name]?.trim();
    if (value) return value;
  }
  return undefined;
}

/** The string at `path` inside an untrusted payload, or undefined for any other shape. */
export function payloadString(payload: unknown, ...path: readonly string[]): string | undefined {
  let current: unknown = payload;
  for (const key of path) {
    if (typeof current !== 'object' || current === null || Array.isArray(current)) {
      return undefined;
    }
    current = (current as Record<string, unknown>)[key];
  }
  return typeof current === 'string' ? current : undefined;
}

export interface HexHmacSignatureCheck {
  rawBody: Buffer;
  /** The header value as received, or undefined when the header is absent or blank. */
  signature: string | undefined;
  /** What precedes the hex digest, e.g. `sha256=`; empty for a bare digest. */
  prefix: string;
  /** Named in messages so the sender knows which header was wrong. */
  headerName: string;
  secrets: readonly string[];
}

/** Verifies a hex HMAC-SHA256 of the raw body (GitHub, Gitea, Bitbucket). Fails closed. */
export function verifyHexHmacSignature(check: HexHmacSignatureCheck): VerifyResult {
  const secrets = configuredSecrets(check.secrets);
  if (secrets.length === 0) {
    return {
      ok: false,
      reason: 'no_secret_configured',
      message: 'No webhook secret is configured for this source, so no delivery is accepted',
    };
  }
  if (check.signature === undefined) {
    return {
      ok: false,
      reason: 'missing_signature',
      message: `The ${check.headerName} header is missing or empty`,
    };
  }
  const expectedFormat = `${check.prefix}<64 hex digits>`;
  if (!check.signature.startsWith(check.prefix)) {
    return {
      ok: false,
      reason: 'malformed_signature',
      message: `The ${check.headerName} header must have the form ${expectedFormat}`,
    };
  }
  const presentedHex = check.signature.slice(check.prefix.length);
  if (!SHA256_HEX.test(presentedHex)) {
    return {
      ok: false,
      reason: 'malformed_signature',
      message: `The ${check.headerName} header must have the form ${expectedFormat}`,
    };
  }
  // Digests have one length, so they are compared as bytes without hashing them again.
  const expectedDigests = secrets.map((secret) => hmacSha256(secret, check.rawBody));
  if (!digestMatchesAny(Buffer.from(presentedHex, 'hex'), expectedDigests)) {
    return {
      ok: false,
      reason: 'signature_mismatch',
      message: `The ${check.headerName} signature does not match the body`,
    };
  }
  return { ok: true };
}

/** Decodes a `whsec_<base64>` signing key; undefined when it holds no key bytes. */
function standardWebhooksKeyBytes(signingKey: string): Buffer | undefined {
  const encoded = signingKey.startsWith(STANDARD_WEBHOOKS_KEY_PREFIX)
    ? signingKey.slice(STANDARD_WEBHOOKS_KEY_PREFIX.length)
    : signingKey;
  const keyBytes = Buffer.from(encoded, 'base64');
  return keyBytes.length > 0 ? keyBytes : undefined;
}

/**
 * Verifies a Standard Webhooks signature (`webhook-id`, `webhook-timestamp`, `webhook-signature`)
 * against any of the `whsec_` signing keys. Fails closed.
 */
export function verifyStandardWebhook(
  webhook: Pick<IncomingWebhook, 'headers' | 'rawBody' | 'receivedAt'>,
  signingKeys: readonly string[],
): VerifyResult {
  const keys = configuredSecrets(signingKeys)
    .map(standardWebhooksKeyBytes)
    .filter((key): key is Buffer => key !== undefined);
  if (keys.length === 0) {
    return {
      ok: false,
      reason: 'no_secret_configured',
      message: 'No webhook signing key is configured for this source, so no delivery is accepted',
    };
  }
  const signatureHeader = headerValue(webhook.headers, 'webhook-signature');
  if (signatureHeader === undefined) {
    return {
      ok: false,
      reason: 'missing_signature',
      message: 'The webhook-signature header is missing or empty',
    };
  }
  const messageId = headerValue(webhook.headers, 'webhook-id');
  const timestamp = headerValue(webhook.headers, 'webhook-timestamp');
  if (messageId === undefined || timestamp === undefined || !UNIX_SECONDS.test(timestamp)) {
    return {
      ok: false,
      reason: 'malformed_signature',
      message:
        'A signed delivery needs a webhook-id header and a webhook-timestamp in Unix seconds',
    };
  }
  const receivedAtSeconds = Math.floor(webhook.receivedAt.getTime() / 1000);
  if (Math.abs(receivedAtSeconds - Number(timestamp)) > STANDARD_WEBHOOKS_TOLERANCE_SECONDS) {
    return {
      ok: false,
      reason: 'timestamp_out_of_tolerance',
      message: `The webhook-timestamp is more than ${STANDARD_WEBHOOKS_TOLERANCE_SECONDS} s from the time of receipt`,
    };
  }
  const presentedSignatures = signatureHeader
    .split(/\s+/)
    .filter((entry) => entry.startsWith(STANDARD_WEBHOOKS_V1_PREFIX))
    .map((entry) => entry.slice(STANDARD_WEBHOOKS_V1_PREFIX.length));
  if (presentedSignatures.length === 0) {
    return {
      ok: false,
      reason: 'malformed_signature',
      message: 'The webhook-signature header holds no v1,<base64> entry',
    };
  }
  const signedContent = Buffer.concat([
    Buffer.from(`${messageId}.${timestamp}.`, 'utf8'),
    webhook.rawBody,
  ]);
  const expectedSignatures = keys.map((key) => hmacSha256Base64(key, signedContent));
  let matched = false;
  for (const presented of presentedSignatures) {
    matched = constantTimeEqualsAny(presented, expectedSignatures) || matched;
  }
  if (!matched) {
    return {
      ok: false,
      reason: 'signature_mismatch',
      message: 'No webhook-signature entry matches the body',
    };
  }
  return { ok: true };
}

const BASIC_SCHEME = /^Basic\s+([A-Za-z0-9+/]+={0,2})$/i;

/**
 * Verifies HTTP Basic credentials (`Authorization: Basic base64(username:password)`) against any
 * of the configured `username:password` pairs, in constant time. Fails closed.
 */
export function verifyBasicCredentials(
  headers: IncomingWebhook['headers'],
  credentials: readonly string[],
): VerifyResult {
  const configured = configuredSecrets(credentials);
  if (configured.length === 0) {
    return {
      ok: false,
      reason: 'no_secret_configured',
      message: 'No webhook credentials are configured for this source, so no delivery is accepted',
    };
  }
  const authorization = headerValue(headers, 'authorization');
  if (authorization === undefined) {
    return {
      ok: false,
      reason: 'missing_signature',
      message: 'The Authorization header is missing: set basic authentication on the webhook',
    };
  }
  const encoded = BASIC_SCHEME.exec(authorization)?.[1];
  const presented = encoded === undefined ? '' : Buffer.from(encoded, 'base64').toString('utf8');
  if (!presented.includes(':')) {
    return {
      ok: false,
      reason: 'malformed_signature',
      message: 'The Authorization header must have the form Basic base64(username:password)',
    };
  }
  if (!constantTimeEqualsAny(presented, configured)) {
    return {
      ok: false,
      reason: 'signature_mismatch',
      message: 'The Authorization credentials do not match the configured ones',
    };
  }
  return { ok: true };
}
