import { ForgeRequestError } from '../forge-errors';
import { Fetch } from '../outbound-policy';

/** A small typed JSON client for forges without a maintained SDK (Gitea, Bitbucket). */
export class JsonApi {
  constructor(
    private readonly forge: string,
    private readonly apiUrl: string,
    private readonly authorization: string,
    private readonly fetchFn: Fetch,
  ) {}

  url(path: string, query: Record<string, string | number> = {}): string {
    const url = new URL(`${this.apiUrl.replace(/\/+$/, '')}${path}`);
    for (const [key, value] of Object.entries(query)) url.searchParams.set(key, String(value));
    return url.href;
  }

  async send<T>(method: string, pathOrUrl: string, body?: unknown): Promise<T> {
    const url = pathOrUrl.startsWith('http') ? pathOrUrl : this.url(pathOrUrl);
    const headers: Record<string, string> = {
      accept: 'application/json',
      authorization: this.authorization,
      'user-agent': 'hookyard',
    };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await this.fetchFn(url, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) {
      throw new ForgeRequestError(
        `${this.forge} ${method} ${new URL(url).pathname} answered ${response.status}`,
        response.status,
        response.status === 429 || response.status >= 500,
      );
    }
    return (text === '' ? null : JSON.parse(text)) as T;
  }

  async text(pathOrUrl: string): Promise<string> {
    const response = await this.fetchFn(pathOrUrl, {
      headers: { authorization: this.authorization, 'user-agent': 'hookyard' },
    });
    const text = await response.text();
    if (!response.ok) {
      throw new ForgeRequestError(
        `${this.forge} GET answered ${response.status}`,
        response.status,
        response.status === 429 || response.status >= 500,
      );
    }
    return text;
  }
}
