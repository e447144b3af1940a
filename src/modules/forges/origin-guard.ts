import { ForgeEndpoints } from './forge-types';

export type OriginRefusal = 'unparsable' | 'scheme' | 'userinfo' | 'origin';

export type OriginVerdict = { allowed: true; url: URL } | { allowed: false; reason: OriginRefusal };

/** The origins a source's outbound calls may go to: its web base and its API base. */
export function allowedOrigins(endpoints: ForgeEndpoints): string[] {
  return [...new Set([new URL(endpoints.webUrl).origin, new URL(endpoints.apiUrl).origin])];
}

/**
 * Whether a URL (typically taken from an untrusted payload) may be fetched for a source: only
 * http(s), no embedded credentials, and exactly one of the source's configured origins
 * (scheme, host and port, as WHATWG URL parsing normalises them).
 */
export function checkOrigin(raw: string, origins: readonly string[]): OriginVerdict {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { allowed: false, reason: 'unparsable' };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return { allowed: false, reason: 'scheme' };
  }
  if (url.username !== '' || url.password !== '') return { allowed: false, reason: 'userinfo' };
  if (!origins.includes(url.origin)) return { allowed: false, reason: 'origin' };
  return { allowed: true, url };
}
