const KEY_STORAGE = 'hookyard.apiKey';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export function storedKey(): string | null {
  return sessionStorage.getItem(KEY_STORAGE);
}

export function storeKey(key: string | null): void {
  if (key === null) sessionStorage.removeItem(KEY_STORAGE);
  else sessionStorage.setItem(KEY_STORAGE, key);
}

type Query = Record<string, string | number | boolean | string[] | undefined>;

export function withQuery(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value === undefined || value === '') continue;
    for (const one of Array.isArray(value) ? value : [value]) params.append(name, String(one));
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

/** Calls the public API with the signed-in key; any non-2xx answer becomes an ApiError. */
export async function api<T>(
  method: 'GET' | 'POST',
  path: string,
  options: { query?: Query; body?: unknown; key?: string } = {},
): Promise<T> {
  const key = options.key ?? storedKey();
  const headers: Record<string, string> = { accept: 'application/json' };
  if (key) headers.authorization = `Bearer ${key}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(withQuery(path, options.query), {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
  } catch (error) {
    throw new ApiError(0, 'NETWORK', `Hookyard did not answer (${String(error)})`);
  }
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = null;
  }
  if (!response.ok) {
    const body = (parsed ?? {}) as { code?: string; message?: string | string[] };
    const message = Array.isArray(body.message) ? body.message.join('; ') : body.message;
    throw new ApiError(
      response.status,
      body.code ?? `HTTP_${response.status}`,
      `${response.status} ${message ?? response.statusText}`,
    );
  }
  return parsed as T;
}

export const get = <T>(path: string, query?: Query) => api<T>('GET', path, { query });
export const post = <T>(path: string, body: unknown) => api<T>('POST', path, { body });

/** Whether an API answers at all (a 404 on a list route = the capability is not built here). */
export async function available<T>(
  path: string,
  query?: Query,
): Promise<{ available: true; data: T } | { available: false }> {
  try {
    return { available: true, data: await get<T>(path, query) };
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return { available: false };
    throw error;
  }
}

export interface KeyInfo {
  keyId: string;
  name: string;
  scopes: string[];
}
