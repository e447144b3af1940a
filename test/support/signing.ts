import { createHmac, randomUUID } from 'node:crypto';
import { GITHUB_SECRET } from './test-app';

/**
 * How each forge signs a delivery, written once for every spec (and the chaos suite). Each
 * helper signs exactly the bytes it is given: a spec that tampers with a body signs the
 * original and sends the changed one.
 */

/** Hex HMAC of `body`: Gitea, Forgejo and Gogs send it bare in X-Gitea-Signature & co. */
export function hmacHex(
  secret: string | Buffer,
  body: string | Buffer,
  algorithm = 'sha256',
): string {
  return createHmac(algorithm, secret).update(body).digest('hex');
}

/** `sha256=<hex>`: GitHub's X-Hub-Signature-256, Bitbucket Cloud's and Data Center's X-Hub-Signature. */
export function hubSignature(body: string | Buffer, secret: string): string {
  return `sha256=${hmacHex(secret, body)}`;
}

/** GitHub's X-Hub-Signature-256 with the test app's GitHub secret unless told otherwise. */
export function githubSignature(body: string | Buffer, secret = GITHUB_SECRET): string {
  return hubSignature(body, secret);
}

/** Headers of a signed GitHub delivery. */
export function githubHeaders(
  body: string | Buffer,
  event = 'push',
  deliveryId: string = randomUUID(),
  secret = GITHUB_SECRET,
): Record<string, string> {
  return {
    'content-type': 'application/json',
    'x-github-event': event,
    'x-github-delivery': deliveryId,
    'x-github-hook-id': '4242',
    'x-hub-signature-256': githubSignature(body, secret),
  };
}

/**
 * Standard Webhooks (GitLab >= 19 with a signing token): `v1,<base64>` of `id.timestamp.body`
 * under the base64 key that follows `whsec_`.
 */
export function standardWebhookSignature(
  signingKey: string,
  id: string,
  timestamp: string,
  body: string,
): string {
  const key = Buffer.from(signingKey.slice('whsec_'.length), 'base64');
  return `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
}
