export const MASK = '[masked]';

/** Shapes of credentials that must never reach a pull-request comment. */
const PATTERNS: readonly RegExp[] = [
  /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|$)/g,
  /\bgh[pousr]_[A-Za-z0-9]{20,}\b/g, // GitHub tokens
  /\bgithub_pat_[A-Za-z0-9_]{20,}\b/g,
  /\bglpat-[A-Za-z0-9_-]{16,}\b/g, // GitLab personal/project tokens
  /\bgl(?:dt|rt|cbt|ptt|ft|imt|agent|oas|soat)-[A-Za-z0-9_-]{16,}\b/g,
  /\bxox[abposr]-[A-Za-z0-9-]{10,}\b/g, // Slack
  /\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/g, // AWS access key ids
  /\bwhsec_[A-Za-z0-9+/=]{16,}/g,
  /\bsk_(?:live|test)_[A-Za-z0-9]{16,}\b/g,
  /\bnpm_[A-Za-z0-9]{30,}\b/g,
  /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\b/g, // JWTs
  /\b(?:ATBB|ATCTT3xFfGN0)[A-Za-z0-9_=-]{20,}\b/g, // Atlassian tokens
];

/** `password=…`, `token: …`, `Authorization: Bearer …`: keep the name, mask the value. */
const ASSIGNMENT =
  /\b((?:[A-Za-z0-9_-]*(?:password|passwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|credential)s?)\s*[:=]\s*["']?)([^\s"'`,;]{4,})/gi;
const BEARER = /\b(authorization\s*:\s*(?:bearer|token|basic)\s+)([^\s"'`]+)/gi;
const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:)([^@\s/]+)(@)/gi;

/**
 * Masks anything that looks like a credential, plus the given known secrets (the source's own
 * tokens), before text is posted to a forge. Errs towards masking.
 */
export function maskSecrets(text: string, known: readonly string[] = []): string {
  let masked = text;
  for (const secret of known) {
    if (secret.length >= 6) masked = masked.split(secret).join(MASK);
  }
  for (const pattern of PATTERNS) masked = masked.replace(pattern, MASK);
  masked = masked.replace(BEARER, (_m, name: string) => `${name}${MASK}`);
  masked = masked.replace(
    URL_CREDENTIALS,
    (_m, head: string, _p: string, at: string) => `${head}${MASK}${at}`,
  );
  masked = masked.replace(ASSIGNMENT, (_m, name: string, value: string) =>
    value === MASK ? `${name}${value}` : `${name}${MASK}`,
  );
  return masked;
}
