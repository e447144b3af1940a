import examples from '@octokit/webhooks-examples/api.github.com/index.json';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FakeForge } from '../support/fake-forge/fake-forge';
import { FORGE_TOKEN, forgeEnv } from '../support/fake-forge/forge-test-app';
import { githubHeaders } from '../support/signing';
import { startIsolatedApp } from '../support/isolated-app';
import { ADMIN_TOKEN, eventually, TestApp } from '../support/test-app';

type Json = Record<string, unknown>;

const tag = randomBytes(4).toString('hex');
const REPO = `mcp-${tag}/api`;
const numericId = (text: string) =>
  parseInt(createHash('sha1').update(text).digest('hex').slice(0, 7), 16);

/** A real GitHub payload (@octokit/webhooks-examples) of `event`, moved to REPO. */
function githubPayload(event: string, index = 0): Json {
  const all = examples as unknown as { name: string; examples: Json[] }[];
  const example = all.find((e) => e.name === event)?.examples[index];
  if (!example) throw new Error(`@octokit/webhooks-examples has no ${event} example`);
  const payload = structuredClone(example);
  const [owner, name] = REPO.split('/');
  payload.repository = {
    ...(payload.repository as Json),
    id: numericId(REPO),
    full_name: REPO,
    name,
    owner: { ...((payload.repository as Json).owner as Json), login: owner },
  };
  return payload;
}

function textOf(result: { contents: Array<{ text: string } | { blob: string }> }): Json {
  const first = result.contents[0];
  if (!first || !('text' in first)) throw new Error('resource without text content');
  return JSON.parse(first.text) as Json;
}

function toolText(result: unknown): string {
  const content = (result as { content: Array<{ type: string; text?: string }> }).content;
  return content.map((c) => c.text ?? '').join('\n');
}

describe('MCP endpoint (SDK client over real HTTP)', () => {
  let t: TestApp;
  let closeApp: (() => Promise<void>) | undefined;
  let readKey: string;
  let repositoryId: string;
  let pullRequestId: string;
  let headSha: string;
  let headBranch: string;
  let ciJobId: string;
  let ciRunId: string;
  let fake: FakeForge;
  const clients: Client[] = [];

  async function connect(token: string | null): Promise<Client> {
    const client = new Client({ name: 'hookyard-e2e', version: '1.0.0' });
    const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
    const transport = new StreamableHTTPClientTransport(new URL(`${t.baseUrl}/mcp`), {
      requestInit: { headers },
    });
    await client.connect(transport);
    clients.push(client);
    return client;
  }

  async function deliver(event: string, payload: Json): Promise<void> {
    const body = JSON.stringify(payload);
    const response = await t.request('POST', '/webhooks/github', {
      body,
      headers: githubHeaders(body, event),
      token: null,
    });
    expect(response.status).toBe(202);
  }

  beforeAll(async () => {
    fake = await new FakeForge().start();
    fake.tokens.set(FORGE_TOKEN, 'hookyard-bot');
    // A database of its own: the resource listing shows the newest pull requests, and other
    // suites' ones would push this spec's out of it.
    ({ app: t, close: closeApp } = await startIsolatedApp(
      forgeEnv(fake, { GITHUB_TOKEN: FORGE_TOKEN, FEEDBACK: 'none' }),
    ));
    const created = await t.request('POST', '/api/v1/admin/api-keys', {
      json: { name: `mcp-read-${tag}`, scopes: ['read'] },
    });
    expect(created.status).toBe(201);
    readKey = created.json<{ key: string }>().key;

    const pr = githubPayload('pull_request');
    const pull = pr.pull_request as Json;
    headSha = (pull.head as Json).sha as string;
    headBranch = (pull.head as Json).ref as string;
    await deliver('pull_request', pr);
    const run = githubPayload('workflow_run');
    run.workflow_run = {
      ...(run.workflow_run as Json),
      status: 'completed',
      conclusion: 'failure',
      head_sha: headSha,
      head_branch: headBranch,
    };
    await deliver('workflow_run', run);
    // A failed job of that run, whose log (a real Jest failure) the fake forge serves.
    const runId = (run.workflow_run as Json).id as number;
    const jobExternalId = numericId(`${REPO}-job`);
    fake.jobLogs.set(
      String(jobExternalId),
      readFileSync(join(__dirname, '..', 'fixtures', 'logs', 'jest', 'failing.log'), 'utf8'),
    );
    const job = githubPayload('workflow_job');
    job.workflow_job = {
      ...(job.workflow_job as Json),
      id: jobExternalId,
      run_id: runId,
      status: 'completed',
      conclusion: 'failure',
      head_sha: headSha,
      head_branch: headBranch,
      completed_at: '2026-03-02T10:05:00Z',
    };
    await deliver('workflow_job', job);

    const found = await eventually(
      async () => {
        const prs = await t.request('GET', `/api/v1/pull-requests?state=${pull.state as string}`);
        const item = prs
          .json<{
            items: Array<{ id: string; repositoryId: string; repositoryFullName: string }>;
          }>()
          .items.find((p) => p.repositoryFullName === REPO);
        if (!item) return undefined;
        const runs = await t.request('GET', `/api/v1/ci-runs?repositoryId=${item.repositoryId}`);
        return runs.json<{ items: unknown[] }>().items.length > 0 ? item : undefined;
      },
      30000,
      'the pull request and its CI run in the record',
    );
    pullRequestId = found.id;
    repositoryId = found.repositoryId;
    const analysed = await eventually(
      async () => {
        const rows = await t.dataSource.query<{ ci_job_id: string; run_id: string }[]>(
          `SELECT a.ci_job_id, r.id AS run_id FROM analysis_jobs a
           JOIN ci_jobs j ON j.id = a.ci_job_id
           JOIN ci_runs r ON r.repository_id = j.repository_id AND r.external_id = j.run_external_id
           WHERE a.repository_id = $1 AND a.status = 'analyzed'`,
          [repositoryId],
        );
        return rows[0];
      },
      30000,
      'the failed job analysed',
    );
    ciJobId = analysed.ci_job_id;
    ciRunId = analysed.run_id;
  });

  afterAll(async () => {
    for (const client of clients) await client.close();
    await closeApp?.();
    await fake?.close();
  });

  it('refuses a client without a key, or with a wrong one', async () => {
    await expect(connect(null)).rejects.toThrow(/401|Missing API key/);
    await expect(connect('hy_not-a-key')).rejects.toThrow(/401|Invalid API key/);
    const raw = await t.request('POST', '/mcp', {
      token: null,
      json: { jsonrpc: '2.0', id: 1, method: 'tools/list' },
    });
    expect(raw.status).toBe(401);
    expect(raw.json()).toMatchObject({ code: 'UNAUTHORIZED' });
  });

  it('lists the resources, resource templates and tools to a read key', async () => {
    const client = await connect(readKey);
    const templates = await client.listResourceTemplates();
    expect(templates.resourceTemplates.map((r) => r.uriTemplate).sort()).toEqual([
      'hookyard://ci-jobs/{repository}/{job}/files/{path}/errors',
      'hookyard://ci-jobs/{repository}/{job}/problems',
      'hookyard://ci-jobs/{repository}/{job}/problems/{problem}/trace/{mode}',
      'hookyard://ci-runs/{repository}/{run}/failed-jobs',
      'hookyard://pull-requests/{id}',
      'hookyard://repositories/{id}/dora',
    ]);
    const resources = await client.listResources();
    const uris = resources.resources.map((r) => r.uri);
    expect(uris).toContain(`hookyard://pull-requests/${pullRequestId}`);
    expect(uris).toContain(`hookyard://repositories/${repositoryId}/dora`);
    const tools = await client.listTools();
    expect(tools.tools.map((tool) => tool.name).sort()).toEqual([
      'get_cache_status',
      'list_failing_tests',
      'search_code',
      'search_symbols',
      'trigger_analysis',
      'trigger_reindex',
    ]);
  });

  it('reads a pull request as the REST API does, with its reviews, CI state and analysis', async () => {
    const client = await connect(readKey);
    const pr = textOf(
      await client.readResource({ uri: `hookyard://pull-requests/${pullRequestId}` }),
    );
    const rest = (await t.request('GET', `/api/v1/pull-requests/${pullRequestId}`)).json();
    expect(pr).toMatchObject(rest);
    expect(pr.reviews).toEqual(rest.reviews);
    expect(pr.ci).toMatchObject({ headSha, state: 'failing' });
    expect((pr.ci as { runs: Array<{ conclusion: string }> }).runs).toEqual([
      expect.objectContaining({ conclusion: 'failure', headSha }),
    ]);
    const number = (rest as { number: number }).number;
    const analysis = await t.request(
      'GET',
      `/api/v1/analysis/problems?repository=${repositoryId}&pullRequest=${number}&limit=50`,
    );
    expect(pr.analysis).toEqual(analysis.json());

    await expect(
      client.readResource({ uri: 'hookyard://pull-requests/00000000-0000-4000-8000-000000000000' }),
    ).rejects.toThrow(/does not exist/);
    await expect(client.readResource({ uri: 'hookyard://pull-requests/nope' })).rejects.toThrow(
      /must be a UUID/,
    );
  });

  it("reads a repository's DORA figures as GET /api/v1/metrics/dora does", async () => {
    const client = await connect(readKey);
    const dora = textOf(
      await client.readResource({ uri: `hookyard://repositories/${repositoryId}/dora` }),
    );
    const rest = (
      await t.request('GET', `/api/v1/metrics/dora?repository=${repositoryId}`)
    ).json<Json>();
    // The window ends "now": compare everything but the window's bounds.
    const { window: _restWindow, ...restFigures } = rest;
    const { window: _mcpWindow, ...mcpFigures } = dora;
    expect(mcpFigures).toEqual(restFigures);
    expect(Object.keys(dora)).toEqual(expect.arrayContaining(Object.keys(rest)));
  });

  it('reads the analysis resources as the analysis API answers them', async () => {
    const client = await connect(readKey);
    const rest = (await t.request('GET', `/api/v1/analysis/ci-jobs/${ciJobId}`)).json<{
      status: string;
      problems: Array<{ id: string; file: string | null; severity: string }>;
    }>();
    expect(rest.status).toBe('analyzed');
    expect(rest.problems.length).toBeGreaterThan(0);
    const problems = textOf(
      await client.readResource({ uri: `hookyard://ci-jobs/${repositoryId}/${ciJobId}/problems` }),
    );
    const { files, ...job } = problems as Json & { files: Record<string, unknown[]> };
    expect(job).toEqual(rest);
    expect(Object.values(files).flat()).toHaveLength(rest.problems.length);

    const withFile = rest.problems.find((p) => p.file !== null && p.severity === 'error');
    expect(withFile).toBeDefined();
    const file = withFile?.file ?? '';
    const errors = textOf(
      await client.readResource({
        uri: `hookyard://ci-jobs/${repositoryId}/${ciJobId}/files/${encodeURIComponent(file)}/errors`,
      }),
    );
    expect(errors.errors).toEqual(
      rest.problems.filter((p) => p.file === file && p.severity === 'error'),
    );

    for (const mode of ['compact', 'full']) {
      const trace = textOf(
        await client.readResource({
          uri: `hookyard://ci-jobs/${repositoryId}/${ciJobId}/problems/${withFile?.id}/trace/${mode}`,
        }),
      );
      const restTrace = await t.request(
        'GET',
        `/api/v1/analysis/problems/${withFile?.id}/trace?mode=${mode}`,
      );
      expect(trace).toEqual(restTrace.json());
    }
    const failed = textOf(
      await client.readResource({
        uri: `hookyard://ci-runs/${repositoryId}/${ciRunId}/failed-jobs`,
      }),
    );
    expect(failed).toEqual(
      (await t.request('GET', `/api/v1/analysis/ci-runs/${ciRunId}/failed-jobs`)).json(),
    );

    await expect(
      client.readResource({
        uri: `hookyard://ci-jobs/${repositoryId}/${ciJobId}/problems/${withFile?.id}/trace/huge`,
      }),
    ).rejects.toThrow(/mode must be one of compact, balanced, full/);
    await expect(
      client.readResource({ uri: `hookyard://ci-jobs/${repositoryId}/123/problems` }),
    ).rejects.toThrow(/must be a UUID/);
    await expect(
      client.readResource({
        uri: `hookyard://ci-jobs/00000000-0000-4000-8000-000000000000/${ciJobId}/problems`,
      }),
    ).rejects.toThrow(/does not exist/);
  });

  it('calls each tool: code and symbol search as the REST API, failing tests, cache status', async () => {
    const client = await connect(readKey);
    for (const [name, route] of [
      ['search_code', 'code'],
      ['search_symbols', 'symbols'],
    ] as const) {
      const result = await client.callTool({
        name,
        arguments: { query: 'parseConfig', repository: REPO, limit: 5 },
      });
      expect(result.isError).toBeFalsy();
      const rest = await t.request(
        'GET',
        `/api/v1/search/${route}?q=parseConfig&repository=${encodeURIComponent(REPO)}&limit=5`,
      );
      expect(rest.status).toBe(200);
      const { tookMs: _mcpTook, ...mcpAnswer } = JSON.parse(toolText(result)) as Json;
      const { tookMs: _restTook, ...restAnswer } = rest.json<Json>();
      expect(mcpAnswer).toEqual(restAnswer);
    }
    const tooBroad = await client.callTool({ name: 'search_code', arguments: { query: 'ab' } });
    expect(tooBroad.isError).toBe(true);
    expect(toolText(tooBroad)).toMatch(/trigram|broad/i);
    const failing = await client.callTool({
      name: 'list_failing_tests',
      arguments: { repository: repositoryId, branch: headBranch },
    });
    expect(failing.isError).toBeFalsy();
    const listed = JSON.parse(toolText(failing)) as {
      failedRuns: Array<{ headSha: string; conclusion: string }>;
      tests: Array<{ testName: string; tool: string }>;
    };
    expect(listed.failedRuns).toEqual([
      expect.objectContaining({ headSha, conclusion: 'failure' }),
    ]);
    expect(listed.tests.length).toBeGreaterThan(0);
    expect(listed.tests.every((test) => test.tool === 'jest' && test.testName)).toBe(true);
    const otherBranch = await client.callTool({
      name: 'list_failing_tests',
      arguments: { repository: repositoryId, branch: `no-such-branch-${tag}` },
    });
    expect(JSON.parse(toolText(otherBranch))).toMatchObject({ failedRuns: [] });

    const status = await client.callTool({
      name: 'get_cache_status',
      arguments: { repository: repositoryId },
    });
    const parsed = JSON.parse(toolText(status)) as {
      queues: Array<{ name: string }>;
      index: Json;
      analysisCache: Json;
    };
    expect(parsed.queues.map((q) => q.name)).toContain('followups');
    const restIndex = await t.request('GET', `/api/v1/repositories/${repositoryId}/index`);
    expect(parsed.index).toEqual(restIndex.json());
    expect(parsed.analysisCache).toMatchObject({ parserVersion: 1, jobs: { analyzed: 1 } });
    expect(parsed.analysisCache.logs).toBeGreaterThanOrEqual(1);

    const invalid = await client.callTool({ name: 'search_code', arguments: { query: '' } });
    expect(invalid.isError).toBe(true);
  });

  it('runs the triggers for an admin key only, and audits them', async () => {
    const reader = await connect(readKey);
    for (const name of ['trigger_analysis', 'trigger_reindex']) {
      const refused = await reader.callTool({ name, arguments: { repository: repositoryId } });
      expect(refused.isError).toBe(true);
      expect(toolText(refused)).toMatch(/needs a key with the "admin" scope/);
    }
    const admin = await connect(ADMIN_TOKEN);
    const analysis = await admin.callTool({
      name: 'trigger_analysis',
      arguments: { repository: repositoryId },
    });
    const reindex = await admin.callTool({
      name: 'trigger_reindex',
      arguments: { repository: repositoryId },
    });
    for (const [result, job] of [
      [analysis, 'analysis.ci-failure'],
      [reindex, 'indexing.repository'],
    ] as const) {
      const answer = JSON.parse(toolText(result)) as { jobId: string; job: string };
      expect(answer).toMatchObject({ job, status: 'queued' });
      const queued = await t.request('GET', `/api/v1/admin/queues/followups/jobs/${answer.jobId}`);
      expect(queued.status).toBe(200);
      expect(queued.json()).toMatchObject({ name: job, data: { repositoryId } });
    }
    const audit = await t.request('GET', '/api/v1/admin/audit?limit=100');
    const actions = audit.json<{ items: Array<{ action: string; target: string }> }>().items;
    expect(actions).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ action: 'mcp.trigger_analysis', target: repositoryId }),
        expect.objectContaining({ action: 'mcp.trigger_reindex', target: repositoryId }),
      ]),
    );
  });
});
