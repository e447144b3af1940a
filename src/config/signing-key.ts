/** Standard Webhooks signing keys: `whsec_` then the key in base64. */
export const SIGNING_KEY_PREFIX = 'whsec_';

/** The spec asks for 24 to 64 bytes; anything under 16 is no key at all. */
const MIN_KEY_BYTES = 16;
const BASE64 =
  /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{2,3})?$/;

/**
 * Why a `whsec_` signing key would never verify anything, or undefined when it is usable.
 * Never includes the key.
 */
export function signingKeyProblem(key: string): string | undefined {
  if (!key.startsWith(SIGNING_KEY_PREFIX)) return 'must start with whsec_';
  const encoded = key.slice(SIGNING_KEY_PREFIX.length);
  if (!BASE64.test(encoded)) return 'must be whsec_ followed by base64';
  const bytes = Buffer.from(encoded, 'base64').length;
  if (bytes < MIN_KEY_BYTES) {
    return `must hold at least ${MIN_KEY_BYTES} key bytes after whsec_ (it holds ${bytes})`;
  }
  return undefined;
}
