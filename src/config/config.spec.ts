import { ConfigValidationError, loadConfig } from './config';

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
});
