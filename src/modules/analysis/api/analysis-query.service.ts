import { Injectable } from '@nestjs/common';
import { AppError, ErrorCode } from '../../../core/http/app-error';
import { maskSecrets } from '../../forges/feedback/mask-secrets';
import { decompressLog } from '../log-archive';
import { cleanLog } from '../parsers';
import { LogParsingService } from '../log-parsing.service';
import {
  AnalysisCacheView,
  CiJobAnalysisView,
  FailedJobsView,
  ProblemPageView,
  TraceMode,
  TraceView,
} from './analysis.dto';
import { AnalysisReadRepository, ProblemListFilter } from './analysis-read.repository';
import { excerptRange } from './trace-excerpt';

/**
 * What the analysis knows, read from the database only (never from a forge): the REST API and
 * the MCP resources both answer through this.
 */
@Injectable()
export class AnalysisQueryService {
  constructor(
    private readonly read: AnalysisReadRepository,
    private readonly parsing: LogParsingService,
  ) {}

  problems(filter: ProblemListFilter, limit: number): Promise<ProblemPageView> {
    return this.read.problems(filter, limit);
  }

  /** `repositoryId`: answer 404 unless the job belongs to that repository. */
  async ciJob(ciJobId: string, repositoryId?: string): Promise<CiJobAnalysisView> {
    const row = await this.read.jobAnalysis(ciJobId);
    if (!row || (repositoryId !== undefined && row.repository_id !== repositoryId)) {
      throw new AppError(ErrorCode.NotFound, `CI job ${ciJobId} does not exist`);
    }
    if (row.status === null) {
      const failed =
        row.job_status === 'completed' &&
        ['failure', 'timed_out', 'cancelled'].includes(row.conclusion ?? '');
      return {
        ciJobId,
        status: failed ? 'pending' : 'skipped',
        reason: failed ? null : 'the job did not fail',
        traceHash: null,
        parserVersion: null,
        problems: [],
        testReport: null,
      };
    }
    return {
      ciJobId,
      status: row.status,
      reason: row.reason,
      traceHash: row.trace_hash,
      parserVersion: row.parser_version,
      problems: await this.read.jobProblems(ciJobId),
      testReport:
        row.test_report_status === null
          ? null
          : { status: row.test_report_status, reason: row.test_report_reason },
    };
  }

  async failedJobs(ciRunId: string, repositoryId?: string): Promise<FailedJobsView> {
    const items = await this.read.failedJobs(ciRunId, repositoryId);
    if (!items) throw new AppError(ErrorCode.NotFound, `CI run ${ciRunId} does not exist`);
    return { ciRunId, items };
  }

  async cacheStatus(): Promise<AnalysisCacheView> {
    return { ...(await this.read.cacheStatus()), parserVersion: this.parsing.version };
  }

  async trace(problemId: string, mode: TraceMode): Promise<TraceView> {
    const row = await this.read.trace(problemId);
    if (!row) {
      throw new AppError(
        ErrorCode.NotFound,
        `problem ${problemId} does not exist or its log expired`,
      );
    }
    const lines = cleanLog(await decompressLog(row.content));
    const { first, last } = excerptRange(mode, row.start_line, row.end_line, lines.length);
    return {
      problemId,
      mode,
      traceHash: row.trace_hash,
      firstLine: first + 1,
      lines: lines.slice(first, last + 1).map((line) => maskSecrets(line)),
    };
  }
}
