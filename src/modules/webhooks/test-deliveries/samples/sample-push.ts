import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import type { SourceSecrets } from '../../providers/provider-adapter';
import { configuredSecrets } from '../../providers/signatures';

/**
 * The repository every test delivery pushes to. Its id is a name no forge gives a repository
 * (they use numbers, GUIDs or `{uuid}`s), so test records never mix with a real repository's.
 */
export const SAMPLE_REPOSITORY = {
  externalId: 'hookyard-test-delivery',
  owner: 'hookyard',
  name: 'test-delivery',
  defaultBranch: 'main',
} as const;

/** A branch of its own, never the default one: a test push asks for no indexing. */
export const SAMPLE_BRANCH = 'hookyard-test-delivery';

/** One test push: fresh shas and delivery id each time, so every test is a new delivery. */
export interface SamplePush {
  deliveryId: string;
  /** The Unix time the sample is signed at (Standard Webhooks checks it). */
  now: Date;
  before: string;
  after: string;
  message: string;
  author: { name: string; email: string; username: string };
}

export function newSamplePush(now = new Date()): SamplePush {
  return {
    deliveryId: randomUUID(),
    now,
    before: randomBytes(20).toString('hex'),
    after: randomBytes(20).toString('hex'),
    message: 'Hookyard test delivery\n\nSent by POST /api/v1/admin/sources/…/test.',
    author: {
      name: 'Hookyard test delivery',
      email: 'test-delivery@hookyard.invalid',
      username: 'hookyard-test-delivery',
    },
  };
}

/** A forge's sample request: headers without the signature, and the exact body bytes. */
export interface SampleRequest {
  event: string;
  headers: Record<string, string>;
  body: Buffer;
}

export type Signed = { headers: Record<string, string> } | { problem: string };

/** How one forge builds its push and signs it with a source's own secret (the first listed). */
export interface ForgeSample {
  build(push: SamplePush): SampleRequest;
  sign(request: SampleRequest, push: SamplePush, secrets: SourceSecrets): Signed;
}

export function jsonBody(payload: unknown): Buffer {
  return Buffer.from(JSON.stringify(payload), 'utf8');
}

/** The first configured entry of a rotation list (the one a forge would be given). */
export function firstSecret(secrets: readonly string[]): string | undefined {
  return configuredSecrets(secrets)[0];
}

export function hmacHex(secret: string, body: Buffer): string {
  return createHmac('sha256', secret).update(body).digest('hex');
}

export const NO_HMAC_SECRET =
  'this source has no webhook secret, so it cannot sign a test delivery (and refuses every real one): add a secret first';
