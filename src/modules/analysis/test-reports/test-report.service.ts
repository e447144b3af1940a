import { Injectable, Logger } from '@nestjs/common';
import { messageOf } from '../../../core/errors/message-of';
import { ForgeClient } from '../../forges/clients/forge-client';
import { RepositoryForgeAccess } from '../../forges/forges.service';
import { AnalysisJobsRepository, ClaimedJob } from '../analysis-jobs.repository';
import { compressLog, decompressLog, traceHashOf } from '../log-archive';
import { LogStoreRepository } from '../log-store.repository';
import {
  FailedTestCase,
  readGitLabTestReport,
  suiteOfJob,
  TestReportDigest,
} from './gitlab-test-report';
import { notInLog, renderTestReport, TEST_REPORT_VERSION } from './test-report-problems';
import {
  CachedTestReport,
  JobPipeline,
  PipelineJob,
  TestReportRepository,
  TestReportRow,
} from './test-report.repository';

type ReportClient = ForgeClient & Required<Pick<ForgeClient, 'fetchTestReport'>>;

const hasTestReports = (client: ForgeClient): client is ReportClient =>
  typeof client.fetchTestReport === 'function';

/**
 * GitLab's pipeline test report in a job's analysis. The report is fetched once per pipeline
 * (again only for a job that finished after the last fetch: the report grows as jobs finish),
 * the job's failed cases are stored as text and read into problems once, and the job's findings
 * get those the log did not show already. No report, an empty one, or a forge error never fails
 * the analysis: the job's test-report status says what happened.
 */
@Injectable()
export class TestReportService {
  private readonly logger = new Logger(TestReportService.name);

  constructor(
    private readonly reports: TestReportRepository,
    private readonly logs: LogStoreRepository,
    private readonly jobs: AnalysisJobsRepository,
  ) {}

  /** Takes the job's failed cases from its pipeline's test report (where the forge has one). */
  async prepare(job: ClaimedJob, access: RepositoryForgeAccess): Promise<void> {
    const client = access.client();
    if (!hasTestReports(client)) return;
    const pipeline = await this.reports.pipelineOf(job.id);
    if (pipeline === undefined) return;
    if (access.api.status !== 'available') {
      await this.reports.setJobReport(job.id, null, 'unavailable', access.api.message);
      return;
    }
    const report = await this.reportOf(access, client, pipeline);
    const where = `the test report of pipeline ${pipeline.pipelineId}`;
    switch (report.status) {
      case 'not_found':
        await this.reports.setJobReport(
          job.id,
          null,
          'not_found',
          `GitLab has no test report for pipeline ${pipeline.pipelineId}`,
        );
        return;
      case 'empty':
        await this.reports.setJobReport(job.id, null, 'empty', `${where} has no test cases`);
        return;
      case 'failed':
        await this.reports.setJobReport(job.id, null, 'failed', report.reason);
        return;
      case 'read':
        await this.takeCases(job, report, where);
        return;
    }
  }

  /** The ids of the job's test-report problems that its log's parse did not find already. */
  async problemsBesides(
    job: ClaimedJob,
    traceHash: string,
    parserVersion: number,
  ): Promise<string[]> {
    const reportHash = await this.reports.jobReportHash(job.id);
    if (reportHash === undefined) return [];
    const fromReport = await this.reports.problemsOf(reportHash, TEST_REPORT_VERSION);
    if (fromReport.length === 0) return [];
    // Parallel jobs share a suite: its cases go with the first job only, and what a sibling's
    // log showed is not repeated either.
    const siblings = await this.siblings(job);
    if (siblings.length > 0 && siblings[0].id !== job.id) return [];
    const fromLogs = await this.reports.problemsOf(traceHash, parserVersion);
    for (const sibling of siblings) {
      if (sibling.id === job.id || sibling.traceHash === null || sibling.parserVersion === null) {
        continue;
      }
      fromLogs.push(...(await this.reports.problemsOf(sibling.traceHash, sibling.parserVersion)));
    }
    return notInLog(fromReport, fromLogs).map((problem) => problem.id);
  }

  /**
   * After a parallel job other than its suite's first was analysed, the first one takes its
   * cases again (from the pipeline's report as last fetched) so that its findings can be
   * written again against this job's log too. Answers the first job and the log it reads, when
   * it was analysed.
   */
  async suiteFirstToRewrite(
    job: ClaimedJob,
    access: RepositoryForgeAccess,
  ): Promise<{ first: ClaimedJob; traceHash: string } | undefined> {
    const [sibling] = await this.siblings(job);
    if (sibling === undefined || sibling.id === job.id || sibling.traceHash === null) {
      return undefined;
    }
    const [first] = await this.jobs.jobs([sibling.id]);
    if (first === undefined) return undefined;
    await this.prepare(first, access);
    return { first, traceHash: sibling.traceHash };
  }

  /** The pipeline's failed jobs that report under this job's suite, first job first. */
  private async siblings(job: ClaimedJob): Promise<PipelineJob[]> {
    const suite = suiteOfJob(job.name);
    const jobs = await this.reports.failedJobsBeside(job.id);
    return jobs
      .filter((other) => suiteOfJob(other.name) === suite)
      .sort((a, b) => Number(a.externalId) - Number(b.externalId) || a.id.localeCompare(b.id));
  }

  private async takeCases(job: ClaimedJob, report: CachedTestReport, where: string) {
    const all =
      report.failedCases === null
        ? []
        : (JSON.parse(await decompressLog(report.failedCases)) as FailedTestCase[]);
    const suite = suiteOfJob(job.name);
    // GitLab says nothing of which parallel job ran which case: the first job takes them all.
    const owner = (await this.siblings(job))[0];
    if (owner !== undefined && owner.id !== job.id) {
      const reason = `the failed cases of suite "${suite}" go with job ${owner.name} (${owner.externalId})`;
      await this.reports.setJobReport(job.id, null, 'no_failures', reason);
      return;
    }
    const cases = all.filter((c) => c.suite === suite || c.suite === job.name);
    if (cases.length === 0) {
      const reason = [`no failed test case of suite "${suite}" in ${where}`, report.reason]
        .filter((part) => part !== null)
        .join('; ');
      await this.reports.setJobReport(job.id, null, 'no_failures', reason);
      return;
    }
    const rendered = renderTestReport(cases);
    const hash = traceHashOf(rendered.text);
    await this.logs.store(
      hash,
      await compressLog(rendered.text),
      Buffer.byteLength(rendered.text, 'utf8'),
    );
    if (!(await this.logs.isParsed(hash, TEST_REPORT_VERSION))) {
      await this.logs.recordParse(hash, TEST_REPORT_VERSION, rendered.problems, 'test-report');
    }
    const reason = `${cases.length} failed test case(s) of suite "${suite}" in ${where}`;
    await this.reports.setJobReport(job.id, hash, 'read', reason);
  }

  /** The pipeline's report: cached, unless this job finished after it was fetched. */
  private async reportOf(
    access: RepositoryForgeAccess,
    client: ReportClient,
    pipeline: JobPipeline,
  ): Promise<CachedTestReport> {
    const cached = await this.reports.cached(access.repositoryId, pipeline.pipelineId);
    const fresh =
      cached !== undefined &&
      cached.status !== 'failed' &&
      (pipeline.completedAt === null || cached.fetchedAt >= pipeline.completedAt);
    if (fresh) return cached;
    const row = await this.fetch(access, client, pipeline.pipelineId);
    await this.reports.save(access.repositoryId, pipeline.pipelineId, row);
    return { ...row, fetchedAt: new Date() };
  }

  private async fetch(
    access: RepositoryForgeAccess,
    client: ReportClient,
    pipelineId: string,
  ): Promise<TestReportRow> {
    const none = { totalCount: 0, failedCount: 0, errorCount: 0, failedCases: null };
    let digest: TestReportDigest;
    try {
      const body = await client.fetchTestReport(access.repository, pipelineId);
      if (body === undefined) return { ...none, status: 'not_found', reason: null };
      digest = readGitLabTestReport(body);
    } catch (error) {
      const reason = `the test report of pipeline ${pipelineId} could not be read: ${messageOf(error)}`;
      this.logger.warn(reason);
      return { ...none, status: 'failed', reason: reason.slice(0, 1000) };
    }
    const suiteErrors = digest.suiteErrors.map((e) => `${e.suite}: ${e.error}`).join('; ');
    return {
      status:
        digest.totalCount === 0 && digest.cases.length === 0 && suiteErrors === ''
          ? 'empty'
          : 'read',
      reason: suiteErrors === '' ? null : suiteErrors.slice(0, 1000),
      totalCount: digest.totalCount,
      failedCount: digest.failedCount,
      errorCount: digest.errorCount,
      failedCases: await compressLog(JSON.stringify(digest.cases)),
    };
  }
}
