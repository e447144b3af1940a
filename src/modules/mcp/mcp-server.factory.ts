import { Injectable } from '@nestjs/common';
import { McpServer, ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult, ReadResourceResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { AuditService } from '../../core/audit/audit.service';
import { Principal } from '../../core/auth/principal';
import { AppError, ErrorCode } from '../../core/http/app-error';
import { canonicalUuid, isUuid } from '../../core/http/uuid';
import { JobName } from '../../core/jobs/job-catalogue';
import { JobsService } from '../../core/jobs/jobs.service';
import { QueueAdminService } from '../admin/queues/queue-admin.service';
import { CiRunsRepository } from '../activity/read/ci-runs.repository';
import { PullRequestsRepository } from '../activity/read/pull-requests.repository';
import { RepositoriesRepository } from '../activity/read/repositories.repository';
import { CodeSearchService } from '../indexing/code-search.service';
import { IndexingService } from '../indexing/indexing.service';
import { MetricsService } from '../metrics/metrics.service';
import { AnalysisQueryService } from '../analysis/api/analysis-query.service';
import { isTraceMode, TRACE_MODES } from '../analysis/api/analysis.dto';

const LISTED = 50;

function json(uri: string, value: unknown): ReadResourceResult {
  return {
    contents: [{ uri, mimeType: 'application/json', text: JSON.stringify(value, null, 2) }],
  };
}

function toolJson(value: unknown): CallToolResult {
  return { content: [{ type: 'text', text: JSON.stringify(value, null, 2) }] };
}

function toolRefusal(message: string): CallToolResult {
  return { content: [{ type: 'text', text: message }], isError: true };
}

/** One value of a URI template variable (the SDK gives string | string[]). */
function single(value: string | string[] | undefined, name: string): string {
  const text = Array.isArray(value) ? value.join('/') : value;
  if (text === undefined || text.length === 0) {
    throw new AppError(ErrorCode.ValidationFailed, `${name} is missing from the URI`);
  }
  return decodeURIComponent(text);
}

function uuidOf(value: string | string[] | undefined, name: string): string {
  const text = single(value, name);
  if (!isUuid(text)) throw new AppError(ErrorCode.ValidationFailed, `${name} must be a UUID`);
  return canonicalUuid(text);
}

const repositoryArgument = z.string().uuid().describe('Repository id (UUID)');

/**
 * Builds the MCP server that one request talks to: every resource reads through the same
 * repositories and services as the REST API, and nothing here calls a forge.
 */
@Injectable()
export class McpServerFactory {
  constructor(
    private readonly pullRequests: PullRequestsRepository,
    private readonly ciRuns: CiRunsRepository,
    private readonly repositories: RepositoriesRepository,
    private readonly metrics: MetricsService,
    private readonly jobs: JobsService,
    private readonly queues: QueueAdminService,
    private readonly audit: AuditService,
    private readonly search: CodeSearchService,
    private readonly indexing: IndexingService,
    private readonly analysis: AnalysisQueryService,
  ) {}

  create(principal: Principal): McpServer {
    const server = new McpServer(
      { name: 'hookyard', version: '0.1.0' },
      {
        instructions:
          'The engineering record Hookyard keeps from Git forge webhooks: pull requests with ' +
          'reviews and CI, DORA figures, CI failures. Reads never call a forge.',
      },
    );
    this.registerRecordResources(server);
    this.registerAnalysisResources(server);
    this.registerSearchTools(server);
    this.registerAnalysisTools(server);
    this.registerTriggers(server, principal);
    this.registerStatus(server);
    return server;
  }

  private registerRecordResources(server: McpServer): void {
    server.registerResource(
      'pull-request',
      new ResourceTemplate('hookyard://pull-requests/{id}', {
        list: async () => {
          const page = await this.pullRequests.page({}, LISTED);
          return {
            resources: page.items.map((pr) => ({
              uri: `hookyard://pull-requests/${pr.id}`,
              name: `${pr.repositoryFullName}#${pr.number}`,
              title: pr.title,
              mimeType: 'application/json',
            })),
          };
        },
      }),
      {
        title: 'Pull request',
        description: 'A pull request with its reviews, timeline, comments, CI runs and analysis',
        mimeType: 'application/json',
      },
      async (uri, variables) => {
        const detail = await this.pullRequests.detail(uuidOf(variables.id, 'id'));
        const ci =
          detail.headSha === null
            ? { items: [], nextCursor: null }
            : await this.ciRuns.page(
                { repositoryId: detail.repositoryId, headSha: detail.headSha },
                LISTED,
              );
        return json(uri.href, {
          ...detail,
          ci: { headSha: detail.headSha, state: ciState(ci.items), runs: ci.items },
          analysis: await this.analysis.problems(
            { repository: detail.repositoryId, pullRequest: detail.number },
            LISTED,
          ),
        });
      },
    );

    server.registerResource(
      'repository-dora',
      new ResourceTemplate('hookyard://repositories/{id}/dora', {
        list: async () => {
          const page = await this.repositories.page({}, LISTED);
          return {
            resources: page.items.map((repo) => ({
              uri: `hookyard://repositories/${repo.id}/dora`,
              name: `${repo.fullName} DORA`,
              mimeType: 'application/json',
            })),
          };
        },
      }),
      {
        title: 'DORA figures of a repository',
        description: 'The five DORA measures of the last 30 days, as GET /api/v1/metrics/dora',
        mimeType: 'application/json',
      },
      async (uri, variables) => {
        const id = uuidOf(variables.id, 'id');
        await this.repositories.detail(id);
        return json(uri.href, await this.metrics.dora({ repository: [id] }));
      },
    );
  }

  private registerAnalysisResources(server: McpServer): void {
    const resource = (
      name: string,
      template: string,
      description: string,
      read: (variables: Record<string, string | string[]>) => Promise<unknown>,
    ): void => {
      server.registerResource(
        name,
        new ResourceTemplate(template, { list: undefined }),
        { description, mimeType: 'application/json' },
        async (uri, variables) => json(uri.href, await read(variables)),
      );
    };
    const jobOf = (variables: Record<string, string | string[]>) =>
      this.analysis.ciJob(uuidOf(variables.job, 'job'), uuidOf(variables.repository, 'repository'));
    resource(
      'ci-job-problems',
      'hookyard://ci-jobs/{repository}/{job}/problems',
      "A CI job's analysis and its problems grouped by file (ids as in /api/v1/analysis)",
      async (variables) => {
        const job = await jobOf(variables);
        const files: Record<string, typeof job.problems> = {};
        for (const problem of job.problems) {
          const key = problem.file ?? '';
          files[key] = [...(files[key] ?? []), problem];
        }
        return { ...job, files };
      },
    );
    resource(
      'ci-file-errors',
      'hookyard://ci-jobs/{repository}/{job}/files/{path}/errors',
      "One file's errors in a CI job",
      async (variables) => {
        const path = single(variables.path, 'path');
        const job = await jobOf(variables);
        return {
          ciJobId: job.ciJobId,
          file: path,
          errors: job.problems.filter((p) => p.file === path && p.severity === 'error'),
        };
      },
    );
    resource(
      'problem-trace',
      'hookyard://ci-jobs/{repository}/{job}/problems/{problem}/trace/{mode}',
      "A problem's trace excerpt; mode is compact, balanced or full",
      async (variables) => {
        const mode = single(variables.mode, 'mode');
        if (!isTraceMode(mode)) {
          throw new AppError(
            ErrorCode.ValidationFailed,
            `mode must be one of ${TRACE_MODES.join(', ')}`,
          );
        }
        const job = await jobOf(variables);
        const problem = uuidOf(variables.problem, 'problem');
        if (!job.problems.some((p) => p.id === problem)) {
          throw new AppError(ErrorCode.NotFound, `problem ${problem} is not one of this job's`);
        }
        return this.analysis.trace(problem, mode);
      },
    );
    resource(
      'ci-run-failed-jobs',
      'hookyard://ci-runs/{repository}/{run}/failed-jobs',
      "A CI run's failed jobs with their analysis status",
      (variables) =>
        this.analysis.failedJobs(
          uuidOf(variables.run, 'run'),
          uuidOf(variables.repository, 'repository'),
        ),
    );
  }

  private registerSearchTools(server: McpServer): void {
    const search = {
      query: z.string().min(1).max(200),
      repository: z.string().min(1).max(255).optional().describe('Repository full name'),
      limit: z.number().int().min(1).max(100).optional(),
    };
    server.registerTool(
      'search_code',
      {
        description: 'Search the indexed code (literal, trigram index), as GET /api/v1/search/code',
        inputSchema: search,
      },
      async ({ query, repository, limit }) =>
        toolJson(await this.search.code({ q: query, repository, limit })),
    );
    server.registerTool(
      'search_symbols',
      {
        description: 'Symbol definitions by name, as GET /api/v1/search/symbols',
        inputSchema: search,
      },
      async ({ query, repository, limit }) =>
        toolJson(await this.search.symbols({ q: query, repository, limit })),
    );
  }

  private registerAnalysisTools(server: McpServer): void {
    server.registerTool(
      'list_failing_tests',
      {
        description:
          'The failing CI runs of a branch (newest first) and the failing tests the analysis ' +
          'found at the newest one',
        inputSchema: { repository: repositoryArgument, branch: z.string().min(1).max(255) },
      },
      async ({ repository, branch }) => {
        await this.repositories.detail(repository);
        const runs = await this.ciRuns.page(
          { repositoryId: repository, headBranch: branch, conclusion: 'failure' },
          LISTED,
        );
        const newest = runs.items[0];
        const problems =
          newest === undefined
            ? []
            : (await this.analysis.problems({ repository, sha: newest.headSha }, LISTED)).items;
        return toolJson({
          failedRuns: runs.items,
          tests: problems.filter((problem) => problem.testName !== null),
        });
      },
    );
  }

  private registerTriggers(server: McpServer, principal: Principal): void {
    const trigger = (name: string, job: JobName.AnalyzeCiFailure | JobName.IndexRepository) =>
      server.registerTool(
        name,
        {
          description:
            job === JobName.AnalyzeCiFailure
              ? "Analyse the repository's failed CI runs now (admin scope)"
              : "Rebuild the repository's code index in full now (admin scope)",
          inputSchema: { repository: repositoryArgument },
        },
        async ({ repository }) => {
          if (!principal.scopes.includes('admin')) {
            return toolRefusal(`${name} changes state: it needs a key with the "admin" scope`);
          }
          await this.repositories.detail(repository);
          if (job === JobName.IndexRepository) await this.indexing.requestFullRebuild(repository);
          const queued = await this.jobs.enqueue(job, { repositoryId: repository }, { delayMs: 0 });
          await this.audit.record({
            keyId: principal.keyId,
            keyName: principal.name,
            method: 'MCP',
            path: `/mcp tools/call ${name}`,
            action: `mcp.${name}`,
            target: repository,
            statusCode: 202,
            details: { repository },
          });
          return toolJson({ jobId: queued.id ?? '', job, status: 'queued' });
        },
      );
    trigger('trigger_analysis', JobName.AnalyzeCiFailure);
    trigger('trigger_reindex', JobName.IndexRepository);
  }

  private registerStatus(server: McpServer): void {
    server.registerTool(
      'get_cache_status',
      {
        description:
          'What is cached and indexed: the queues of pending work, the code index of a ' +
          'repository (as GET /api/v1/repositories/{id}/index) and the analysis cache',
        inputSchema: { repository: repositoryArgument.optional() },
      },
      async ({ repository }) =>
        toolJson({
          queues: await this.queues.overview(),
          index:
            repository === undefined
              ? 'give a repository for the state of its code index'
              : await this.indexing.status(repository),
          analysisCache: await this.analysis.cacheStatus(),
        }),
    );
  }
}

/** One word for the CI runs of a commit: failing wins, then running, then passing. */
function ciState(runs: readonly { status: string; conclusion: string | null }[]): string {
  if (runs.length === 0) return 'none';
  if (runs.some((r) => r.conclusion === 'failure' || r.conclusion === 'timed_out')) {
    return 'failing';
  }
  if (runs.some((r) => r.status !== 'completed')) return 'running';
  return runs.every((r) => r.conclusion === 'success' || r.conclusion === 'skipped')
    ? 'passing'
    : 'mixed';
}
