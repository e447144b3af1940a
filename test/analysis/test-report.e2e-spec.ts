import type { CiJobAnalysisView, ProblemView } from '../../src/modules/analysis/api/analysis.dto';
import { LogParsingService } from '../../src/modules/analysis/log-parsing.service';
import { AnalysisUpkeepTask } from '../../src/modules/analysis/tasks/analysis-upkeep.task';
import { FakeForge } from '../support/fake-forge/fake-forge';
import { eventually, TestApp } from '../support/test-app';
import {
  asGitLabLog,
  ciJobIdOf,
  gitlabJobPayload,
  gitlabPipelinePayload,
  recordedLog,
  sendGitLab,
  sha,
  startAppWithFakeForge,
  uniqueNumber,
} from './analysis-support';
import { gitlabSuite, gitlabTestReport, recordedJUnit } from './test-report-fixture';

type ProblemItem = ProblemView;
type JobAnalysis = CiJobAnalysisView;

describe('analysis: GitLab pipeline test report → problems next to the log parsers', () => {
  let fake: FakeForge;
  let t: TestApp;
  let closeApp: () => Promise<void>;
  const projectId = uniqueNumber();
  const path = `group/reports-${projectId}`;
  const MR = 5;

  const ciJobId = (externalId: number): Promise<string> => ciJobIdOf(t, externalId);
  const analysed = (externalId: number) =>
    eventually(
      async () => {
        const rows = await t.dataSource.query<{ status: string }[]>(
          `SELECT a.status FROM analysis_jobs a JOIN ci_jobs j ON j.id = a.ci_job_id
           WHERE j.external_id = $1 AND a.status <> 'pending'`,
          [String(externalId)],
        );
        return rows[0];
      },
      60000,
      `analysis of job ${externalId}`,
    );
  const jobAnalysis = async (externalId: number): Promise<JobAnalysis> => {
    const response = await t.request(
      'GET',
      `/api/v1/analysis/ci-jobs/${await ciJobId(externalId)}`,
    );
    expect(response.status).toBe(200);
    return response.json<JobAnalysis>();
  };
  const problems = async (query: string): Promise<ProblemItem[]> => {
    const response = await t.request('GET', `/api/v1/analysis/problems?${query}&limit=100`);
    expect(response.status).toBe(200);
    return response.json<{ items: ProblemItem[] }>().items;
  };
  const reportRequests = (pipelineId: number) =>
    fake.requests.filter((r) => r.path.endsWith(`/pipelines/${pipelineId}/test_report`));
  const job = (id: number, pipelineId: number, head: string, name: string) =>
    gitlabJobPayload({
      projectId,
      path,
      id,
      pipelineId,
      name,
      sha: head,
      ref: 'feature',
      status: 'failed',
      allowFailure: false,
    });

  beforeAll(async () => {
    ({ fake, app: t, close: closeApp } = await startAppWithFakeForge());
  }, 60000);

  afterAll(async () => {
    await closeApp?.();
  });

  const head = sha();
  const PIPELINE = 7701;

  it('a failed pipeline: log and test-report problems, each test once, one report fetch, on the MR note', async () => {
    // "pytest" printed its failures (and wrote JUnit); "java" wrote its results only to JUnit.
    fake.jobLogs.set('7711', asGitLabLog(recordedLog('pytest/short.log')));
    fake.jobLogs.set('7712', asGitLabLog(''));
    fake.testReports.set(
      PIPELINE,
      gitlabTestReport([
        gitlabSuite('pytest', recordedJUnit('pytest')),
        gitlabSuite('java', recordedJUnit('surefire')),
      ]),
    );
    fake.pullsByCommit.set(`${projectId}@${head}`, [MR]);
    await Promise.all([
      sendGitLab(t, job(7711, PIPELINE, head, 'pytest')),
      sendGitLab(t, job(7712, PIPELINE, head, 'java')),
      sendGitLab(
        t,
        gitlabPipelinePayload({
          projectId,
          path,
          id: PIPELINE,
          sha: head,
          ref: 'feature',
          mergeRequest: MR,
        }),
        undefined,
        'Pipeline Hook',
      ),
    ]);
    expect((await analysed(7711)).status).toBe('analyzed');
    expect((await analysed(7712)).status).toBe('analyzed');

    const found = await problems(`sha=${head}`);
    // pytest: the three failures the log shows (the report's same three are not repeated);
    // java: the failure and the error that only the report has.
    expect(found.map((p) => [p.tool, p.testName ?? '']).sort()).toEqual(
      [
        ['pytest', 'TestMean::test_empty'],
        ['pytest', 'test_divide_by_zero'],
        ['pytest', 'test_mean'],
        ['junit', 'demo.CalcTest.halvesLarge'],
        ['junit', 'demo.CalcTest.throwsOnNull'],
      ].sort(),
    );
    const junit = found.filter((p) => p.tool === 'junit');
    expect(junit.every((p) => p.file === 'demo/CalcTest.java')).toBe(true);
    expect(junit.find((p) => p.testName === 'demo.CalcTest.halvesLarge')).toMatchObject({
      line: 14,
      code: null,
      message: 'org.opentest4j.AssertionFailedError: expected: <100> but was: <101>',
    });
    expect(junit.find((p) => p.testName === 'demo.CalcTest.throwsOnNull')?.code).toBe('error');
    expect(await problems(`sha=${head}&tool=junit`)).toHaveLength(2);

    const pytestJob = await jobAnalysis(7711);
    expect(pytestJob.testReport).toMatchObject({ status: 'read' });
    expect(pytestJob.problems.map((p) => p.tool)).toEqual(['pytest', 'pytest', 'pytest']);
    const javaJob = await jobAnalysis(7712);
    expect(javaJob.testReport?.status).toBe('read');
    expect(javaJob.testReport?.reason).toContain('2 failed test case(s) of suite "java"');
    expect(javaJob.problems).toHaveLength(2);

    // The excerpt of a report problem is its case's output.
    const halves = junit.find((p) => p.testName === 'demo.CalcTest.halvesLarge');
    const trace = await t.request(
      'GET',
      `/api/v1/analysis/problems/${halves?.id ?? ''}/trace?mode=compact`,
    );
    expect(trace.status).toBe(200);
    const lines = trace.json<{ lines: string[] }>().lines;
    expect(lines[0]).toBe('FAILED demo.CalcTest.halvesLarge [java]');
    expect(lines.join('\n')).toContain('at demo.CalcTest.halvesLarge(CalcTest.java:14)');

    // Two failed jobs (and the pipeline's own event), one fetch of the pipeline's report.
    expect(reportRequests(PIPELINE)).toHaveLength(1);

    const note = await eventually(
      () => {
        const notes = fake.commentsOn('gitlab', String(projectId), MR);
        const body = notes[notes.length - 1]?.body;
        return Promise.resolve(body?.includes('halvesLarge') ? body : undefined);
      },
      30000,
      'the merge request note with the test report',
    );
    expect(note).toContain('`demo.CalcTest.halvesLarge` org.opentest4j.AssertionFailedError');
    expect(note).toContain('**`demo/CalcTest.java`**');
    expect(note).toContain('(junit; new)');
    expect(note.match(/test_divide_by_zero/g)).toHaveLength(1);
  }, 120000);

  it('a parser-version bump re-parses the logs and keeps the test-report problems', async () => {
    const parsing = t.app.get(LogParsingService);
    parsing.useVersion(2);
    try {
      const result = await t.app.get(AnalysisUpkeepTask).run();
      expect(result.reparsedLogs).toBeGreaterThanOrEqual(1);
      expect(result.oldParsesDeleted).toBeGreaterThanOrEqual(1);
      const after = await problems(`sha=${head}`);
      expect(
        after
          .filter((p) => p.tool === 'junit')
          .map((p) => p.testName)
          .sort(),
      ).toEqual(['demo.CalcTest.halvesLarge', 'demo.CalcTest.throwsOnNull']);
      expect(after.filter((p) => p.tool === 'pytest')).toHaveLength(3);
      expect((await jobAnalysis(7711)).parserVersion).toBe(2);
      const parses = await t.dataSource.query<{ source: string; n: number }[]>(
        `SELECT source, count(*)::int AS n FROM analysis_parses GROUP BY 1 ORDER BY 1`,
      );
      expect(parses).toEqual(
        expect.arrayContaining([expect.objectContaining({ source: 'test-report' })]),
      );
      // Nothing was fetched again for it.
      expect(reportRequests(PIPELINE)).toHaveLength(1);
    } finally {
      parsing.useVersion(1);
    }
  }, 120000);

  it('parallel jobs share one suite: its cases go with the first job, checked against every sibling log', async () => {
    const pipeline = 7750;
    const commit = sha();
    fake.testReports.set(
      pipeline,
      gitlabTestReport([gitlabSuite('java', recordedJUnit('surefire'))]),
    );
    // "java 2/2" printed the Surefire failures; "java 1/2" printed none of them.
    fake.jobLogs.set('7752', asGitLabLog(recordedLog('maven/test.log')));
    fake.jobLogs.set('7751', asGitLabLog(''));
    await sendGitLab(t, job(7752, pipeline, commit, 'java 2/2'));
    expect((await analysed(7752)).status).toBe('analyzed');
    await sendGitLab(t, job(7751, pipeline, commit, 'java 1/2'));
    expect((await analysed(7751)).status).toBe('analyzed');

    const found = await problems(`sha=${commit}`);
    expect(found.map((p) => p.testName).sort()).toEqual([
      'demo.CalcTest.halvesLarge',
      'demo.CalcTest.throwsOnNull',
    ]);
    expect(found.every((p) => p.ciJobId === found[0].ciJobId)).toBe(true);
    expect((await jobAnalysis(7751)).testReport?.status).toBe('read');
    expect((await jobAnalysis(7751)).problems).toEqual([]);
    expect(reportRequests(pipeline)).toHaveLength(1);

    // The other order: the first job (quiet) takes the cases, then its sibling prints them.
    const later = 7760;
    const next = sha();
    fake.testReports.set(later, gitlabTestReport([gitlabSuite('java', recordedJUnit('surefire'))]));
    fake.jobLogs.set('7761', asGitLabLog(''));
    fake.jobLogs.set('7762', asGitLabLog(recordedLog('maven/test.log')));
    await sendGitLab(t, job(7761, later, next, 'java 1/2'));
    expect((await analysed(7761)).status).toBe('analyzed');
    expect((await jobAnalysis(7761)).problems).toHaveLength(2);
    await sendGitLab(t, job(7762, later, next, 'java 2/2'));
    expect((await analysed(7762)).status).toBe('analyzed');
    // The first job's findings are written again right after its sibling's.
    const both = await eventually(
      async () => {
        const listed = await problems(`sha=${next}`);
        return listed.length === 2 ? listed : undefined;
      },
      30000,
      'the first job rewritten',
    );
    expect(both.map((p) => p.testName).sort()).toEqual([
      'demo.CalcTest.halvesLarge',
      'demo.CalcTest.throwsOnNull',
    ]);
    expect((await jobAnalysis(7761)).problems).toEqual([]);
    expect(reportRequests(later)).toHaveLength(1);
  }, 120000);

  it('no report (404), an empty report, a failing forge: the job is analysed, its status says so', async () => {
    const cases = [
      { job: 7721, pipeline: 7720, setup: () => undefined, status: 'not_found' },
      {
        job: 7731,
        pipeline: 7730,
        setup: () => fake.testReports.set(7730, gitlabTestReport([])),
        status: 'empty',
      },
      {
        job: 7741,
        pipeline: 7740,
        setup: () =>
          fake.inject({
            method: 'GET',
            path: /\/pipelines\/7740\/test_report$/,
            status: 500,
            body: { message: '500 Internal Server Error' },
            times: 20,
          }),
        status: 'failed',
      },
    ];
    for (const c of cases) {
      c.setup();
      fake.jobLogs.set(String(c.job), asGitLabLog(recordedLog('pytest/short.log')));
      await sendGitLab(t, job(c.job, c.pipeline, sha(), 'pytest'));
    }
    for (const c of cases) {
      expect((await analysed(c.job)).status).toBe('analyzed');
      const analysis = await jobAnalysis(c.job);
      expect(analysis.testReport?.status).toBe(c.status);
      expect(analysis.testReport?.reason).toContain(String(c.pipeline));
      expect(analysis.problems.map((p) => p.tool)).toEqual(['pytest', 'pytest', 'pytest']);
    }
  }, 120000);
});
