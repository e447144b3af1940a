import { BitbucketClient } from './bitbucket.client';
import { ForgeClient } from './forge-client';
import { GiteaClient } from './gitea.client';
import { GitHubClient } from './github.client';
import { GitLabClient } from './gitlab.client';

const TOKEN = 't0ken-Zz9';
const repo = { fullName: 'acme/api' };
const neverFetch = (): Promise<Response> => Promise.reject(new Error('no request expected'));

/** user:password out of a `Basic …` header value. */
function decode(header: string): string {
  expect(header.startsWith('Basic ')).toBe(true);
  return Buffer.from(header.slice('Basic '.length), 'base64').toString('utf8');
}

describe('ForgeClient.gitAuthorization: the token as each forge documents it for git over HTTPS', () => {
  const clients: Array<[string, ForgeClient, string]> = [
    [
      'GitHub',
      new GitHubClient({
        apiUrl: 'https://api.github.com',
        fetch: neverFetch,
        auth: { token: TOKEN },
        throttleRetries: 0,
        retryAfterBaseMs: 1,
        writeSpacingMs: 0,
        renewTokenBeforeMs: 0,
      }),
      `x-access-token:${TOKEN}`,
    ],
    [
      'GitLab',
      new GitLabClient({ webUrl: 'https://gitlab.com', token: TOKEN, fetch: neverFetch }),
      `oauth2:${TOKEN}`,
    ],
    [
      'Gitea',
      new GiteaClient({ apiUrl: 'https://gitea.example/api/v1', token: TOKEN, fetch: neverFetch }),
      `hookyard:${TOKEN}`,
    ],
    [
      'Bitbucket',
      new BitbucketClient({
        apiUrl: 'https://api.bitbucket.org/2.0',
        webUrl: 'https://bitbucket.org',
        token: TOKEN,
        fetch: neverFetch,
      }),
      `x-token-auth:${TOKEN}`,
    ],
  ];

  it.each(clients)('%s', async (_name, client, expected) => {
    expect(decode(await client.gitAuthorization(repo))).toBe(expected);
  });
});
