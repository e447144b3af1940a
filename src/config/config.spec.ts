import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigValidationError, loadConfig } from './config';

function problemsOf(env: Record<string, string>): string {
  try {
    loadConfig(env);
    return '';
  } catch (error) {
    return (error as ConfigValidationError).problems.join('\n');
  }
}

describe('loadConfig', () => {
  it('gives working defaults with no environment at all', () => {
    const config = loadConfig({});
    expect(config.port).toBe(3000);
    expect(config.role).toBe('all');
    expect(config.databaseUrl).toBeUndefined();
    expect(config.redisUrl).toBe('redis://127.0.0.1:6379');
    expect(config.maxBodyBytes).toBe(25 * 1024 * 1024);
    expect(config.jobAttempts).toBe(5);
    expect(config.servesHttp && config.runsWorkers && config.runsScheduler).toBe(true);
  });

  it('reads webhook rate ceilings of default sources (WEBHOOK_RATE_LIMITS), none by default', () => {
    expect(loadConfig({}).rateLimit.webhookDefaults).toEqual({});
    const config = loadConfig({ WEBHOOK_RATE_LIMITS: 'github=600, azure-devops = 5' });
    expect(config.rateLimit.webhookDefaults).toEqual({ github: 600, 'azure-devops': 5 });
    const problems = problemsOf({ WEBHOOK_RATE_LIMITS: 'github=0,forgejo=5,gitlab' });
    expect(problems).toContain('"github=0": the ceiling must be from 1 to 1000000');
    expect(problems).toContain('"forgejo=5" must be provider=perMinute');
    expect(problems).toContain('"gitlab" must be provider=perMinute');
  });

  it('splits comma-separated secrets for rotation', () => {
    const config = loadConfig({ GITHUB_WEBHOOK_SECRET: 'one, two ,', GITLAB_WEBHOOK_TOKEN: 'tok' });
    expect(config.secrets.github.hmac).toEqual(['one', 'two']);
    expect(config.secrets.gitlab.token).toEqual(['tok']);
    expect(config.secrets.gitea.hmac).toEqual([]);
  });

  it("reads every provider's default-source secrets by the variables its adapter declares", () => {
    const config = loadConfig({
      BITBUCKET_SERVER_WEBHOOK_SECRET: 'dc-secret',
      AZURE_DEVOPS_WEBHOOK_USERNAME: 'hookyard',
      AZURE_DEVOPS_WEBHOOK_PASSWORD: 'old-pass,new-pass',
    });
    expect(config.secrets['bitbucket-server']).toEqual({
      hmac: ['dc-secret'],
      token: [],
      signing: [],
      basic: [],
    });
    expect(config.secrets['azure-devops'].basic).toEqual([
      'hookyard:old-pass',
      'hookyard:new-pass',
    ]);
    expect(config.secrets.github).toEqual({ hmac: [], token: [], signing: [], basic: [] });
  });

  it('refuses half of the Azure DevOps credentials, without echoing them', () => {
    let error: unknown;
    try {
      loadConfig({ AZURE_DEVOPS_WEBHOOK_PASSWORD: 'lonely-password' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigValidationError);
    const problems = (error as ConfigValidationError).problems;
    expect(problems).toEqual([
      'AZURE_DEVOPS_WEBHOOK_PASSWORD is set, so AZURE_DEVOPS_WEBHOOK_USERNAME must be set too',
    ]);
  });

  it('reads forge origins and the code index settings', () => {
    const defaults = loadConfig({ DATA_DIR: '/srv/hookyard' });
    expect([
      defaults.githubUrl,
      defaults.gitlabUrl,
      defaults.giteaUrl,
      defaults.bitbucketUrl,
    ]).toEqual(['https://github.com', 'https://gitlab.com', undefined, 'https://bitbucket.org']);
    expect(defaults.indexing.dir).toBe('/srv/hookyard/index');
    expect(defaults.indexing.maxFileBytes).toBe(1024 * 1024);
    expect(defaults.indexing.excludePaths).toContain('**/package-lock.json');
    const set = loadConfig({
      GITEA_URL: 'https://git.example.com/forge',
      INDEX_DIR: '/mirrors',
      INDEX_MAX_FILE_BYTES: '2048',
      INDEX_EXCLUDE_PATHS: 'third_party/**, *.min.js',
    });
    expect(set.giteaUrl).toBe('https://git.example.com/forge');
    expect(set.indexing).toEqual({
      dir: '/mirrors',
      maxFileBytes: 2048,
      excludePaths: ['third_party/**', '*.min.js'],
    });
    expect(() =>
      loadConfig({ GITHUB_URL: 'ftp://example.com', INDEX_MAX_FILE_BYTES: '0' }),
    ).toThrow(/GITHUB_URL[\s\S]*INDEX_MAX_FILE_BYTES/);
  });

  it('decides roles', () => {
    const api = loadConfig({ ROLE: 'api' });
    expect([api.servesHttp, api.runsWorkers, api.runsScheduler]).toEqual([true, false, false]);
    const worker = loadConfig({ ROLE: 'WORKER' });
    expect([worker.servesHttp, worker.runsWorkers, worker.runsScheduler]).toEqual([
      false,
      true,
      true,
    ]);
  });

  it('reports every bad value, one line each, without echoing secrets', () => {
    let error: unknown;
    try {
      loadConfig({
        PORT: 'abc',
        ROLE: 'boss',
        DATABASE_URL: 'mysql://x',
        REDIS_URL: 'not a url',
        ADMIN_TOKEN: 'short',
        GITLAB_WEBHOOK_SIGNING_TOKEN: 'plain-secret-value',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigValidationError);
    const problems = (error as ConfigValidationError).problems;
    expect(problems).toHaveLength(6);
    expect(problems.join('\n')).toMatch(/PORT="abc" must be a whole number/);
    expect(problems.join('\n')).toMatch(/ROLE="boss" must be one of: all, api, worker/);
    expect(problems.join('\n')).toMatch(/GITLAB_WEBHOOK_SIGNING_TOKEN entry 1: must be a whsec_/);
    expect(problems.join('\n')).not.toContain('plain-secret-value');
    expect(problems.join('\n')).not.toContain('short"');
  });

  it('reads outbound forge access: defaults, FEEDBACK, an App key inline or from a file', () => {
    const defaults = loadConfig({});
    expect(defaults.githubUrl).toBe('https://github.com');
    expect(defaults.gitlabUrl).toBe('https://gitlab.com');
    expect(defaults.giteaUrl).toBeUndefined();
    expect(defaults.bitbucketUrl).toBe('https://bitbucket.org');
    expect(defaults.forgeApi).toMatchObject({
      githubApiUrl: 'https://api.github.com',
      bitbucketApiUrl: 'https://api.bitbucket.org/2.0',
      githubToken: undefined,
      githubApp: undefined,
      feedback: ['comment', 'status'],
    });
    expect(loadConfig({ FEEDBACK: 'none' }).forgeApi.feedback).toEqual([]);
    expect(loadConfig({ FEEDBACK: 'Status' }).forgeApi.feedback).toEqual(['status']);
    const pem = '-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----';
    const inline = loadConfig({
      GITHUB_APP_ID: '12',
      GITHUB_APP_PRIVATE_KEY: pem.replaceAll('\n', '\\n'),
    });
    expect(inline.forgeApi.githubApp).toEqual({ appId: '12', privateKey: pem });
    const file = join(mkdtempSync(join(tmpdir(), 'hookyard-config-')), 'app.pem');
    writeFileSync(file, `${pem}\n`);
    expect(
      loadConfig({ GITHUB_APP_ID: '12', GITHUB_APP_PRIVATE_KEY: file }).forgeApi.githubApp,
    ).toEqual({ appId: '12', privateKey: pem });
  });

  it('reports bad outbound forge settings', () => {
    expect(problemsOf({ FEEDBACK: 'comment,emails' })).toMatch(/FEEDBACK must be none/);
    expect(problemsOf({ GITHUB_APP_ID: '12' })).toMatch(/must be set together/);
    expect(
      problemsOf({ GITHUB_APP_ID: 'x', GITHUB_APP_PRIVATE_KEY: '/nonexistent/key.pem' }),
    ).toMatch(/GITHUB_APP_PRIVATE_KEY is neither/);
    expect(problemsOf({ GITLAB_URL: 'gopher://gitlab.example.com' })).toMatch(/GITLAB_URL must be/);
    expect(problemsOf({ GITHUB_TOKEN: 'ghp_secretvalue123' })).toBe('');
  });
});
