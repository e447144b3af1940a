import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  gitlabSuite,
  gitlabTestReport,
  recordedJUnit,
} from '../../../../test/analysis/test-report-fixture';
import { parseLog } from '../parsers';
import {
  outputText,
  readGitLabTestReport,
  suiteOfJob,
  TestReportFormatError,
} from './gitlab-test-report';
import {
  failureMessage,
  notInLog,
  renderTestReport,
  sameTest,
  testNameOf,
} from './test-report-problems';
import { cleanLog } from '../parsers';

const recordedLog = (path: string) =>
  readFileSync(join(__dirname, '../../../../test/fixtures/logs', path), 'utf8');

describe('GitLab pipeline test report', () => {
  // Built the way GitLab builds it from the JUnit XML pytest and Surefire wrote (real runs).
  const report = gitlabTestReport([
    gitlabSuite('pytest', recordedJUnit('pytest')),
    gitlabSuite('java', recordedJUnit('surefire')),
  ]);

  it('keeps the failed and error cases with their suite, and the counts', () => {
    const digest = readGitLabTestReport(report);
    expect(digest).toMatchObject({ totalCount: 7, failedCount: 4, errorCount: 1 });
    expect(digest.cases.map((c) => [c.suite, c.status, c.classname, c.name])).toEqual([
      ['pytest', 'failed', 'tests.test_calc', 'test_divide_by_zero'],
      ['pytest', 'failed', 'tests.test_calc', 'test_mean'],
      ['pytest', 'failed', 'tests.test_calc.TestMean', 'test_empty'],
      ['java', 'error', 'demo.CalcTest', 'throwsOnNull'],
      ['java', 'failed', 'demo.CalcTest', 'halvesLarge'],
    ]);
  });

  it('reads pytest failures into JUnit problems: test, file, line, the E line as message', () => {
    const cases = readGitLabTestReport(report).cases.filter((c) => c.suite === 'pytest');
    const { text, problems } = renderTestReport(cases);
    expect(
      problems.map((p) => [p.tool, p.severity, p.testName, p.file, p.line, p.message]),
    ).toEqual([
      [
        'junit',
        'error',
        'tests.test_calc.test_divide_by_zero',
        'tests/test_calc.py',
        9,
        'ZeroDivisionError: division by zero',
      ],
      ['junit', 'error', 'tests.test_calc.test_mean', 'tests/test_calc.py', 13, 'assert 2.0 == 3'],
      [
        'junit',
        'error',
        'tests.test_calc.TestMean.test_empty',
        'tests/test_calc.py',
        18,
        'ZeroDivisionError: division by zero',
      ],
    ]);
    // Each problem's excerpt is its case's block of the stored text, counted as logs are.
    const lines = cleanLog(text);
    for (const problem of problems) {
      expect(lines[problem.start]).toBe(`FAILED ${problem.testName} [pytest]`);
      expect(lines.slice(problem.start, problem.end + 1).join('\n')).toContain(problem.message);
    }
  });

  it('reads Surefire failures and errors (exception line as message, error as code)', () => {
    const cases = readGitLabTestReport(report).cases.filter((c) => c.suite === 'java');
    const { problems } = renderTestReport(cases);
    expect(problems.map((p) => [p.testName, p.code, p.file, p.line, p.message])).toEqual([
      [
        'demo.CalcTest.throwsOnNull',
        'error',
        'demo/CalcTest.java',
        20,
        'java.lang.NullPointerException: Cannot invoke "String.length()" because "text" is null',
      ],
      [
        'demo.CalcTest.halvesLarge',
        undefined,
        'demo/CalcTest.java',
        14,
        'org.opentest4j.AssertionFailedError: expected: <100> but was: <101>',
      ],
    ]);
  });

  it('gives the same fingerprints to the same failures of another run (no ids, times, lines)', () => {
    const cases = readGitLabTestReport(report).cases;
    const again = cases.map((c) => ({
      ...c,
      output: c.output
        .replace(/0x[0-9a-f]+/g, '0xdeadbeef')
        .replace(/\.py:(\d+)/g, (_m, n: string) => `.py:${Number(n) + 3}`),
    }));
    expect(renderTestReport(again).problems.map((p) => p.fingerprint)).toEqual(
      renderTestReport(cases).problems.map((p) => p.fingerprint),
    );
  });

  it('does not repeat what the job log already showed (pytest, Surefire console, Jest names)', () => {
    const digest = readGitLabTestReport(report);
    const pytestReport = renderTestReport(digest.cases.filter((c) => c.suite === 'pytest'));
    const pytestLog = parseLog(recordedLog('pytest/short.log')).problems;
    const identity = (p: { fingerprint: string; testName?: string }) => ({
      fingerprint: p.fingerprint,
      testName: p.testName ?? null,
    });
    expect(notInLog(pytestReport.problems.map(identity), pytestLog.map(identity))).toEqual([]);

    const javaReport = renderTestReport(digest.cases.filter((c) => c.suite === 'java'));
    const mavenLog = parseLog(recordedLog('maven/test.log')).problems;
    expect(mavenLog.length).toBeGreaterThan(0);
    expect(notInLog(javaReport.problems.map(identity), mavenLog.map(identity))).toEqual([]);
    // A log of another tool leaves the report's problems in.
    expect(
      notInLog(javaReport.problems.map(identity), pytestLog.map(identity)).map((p) => p.testName),
    ).toEqual(['demo.CalcTest.throwsOnNull', 'demo.CalcTest.halvesLarge']);
  });

  it('matches test names across tools by their trailing words', () => {
    // jest-junit repeats the describe blocks in classname and name.
    const jestJunit = testNameOf('sum adds large numbers', 'sum adds large numbers');
    expect(jestJunit).toBe('sum adds large numbers');
    const jestLog = parseLog(recordedLog('jest/failing.log')).problems.map((p) => p.testName);
    expect(jestLog).toContain('sum > adds large numbers');
    expect(sameTest('sum > adds large numbers', jestJunit)).toBe(true);
    expect(sameTest('TestMean::test_empty', 'tests.test_calc.TestMean.test_empty')).toBe(true);
    expect(sameTest('test_empty', 'tests.test_calc.TestMean.test_mean')).toBe(false);
    expect(sameTest('a.b.c.d', 'c.d')).toBe(false);
  });

  it('reads system_output in each shape GitLab sends: string, attributes, several, null', () => {
    expect(outputText('boom')).toBe('boom');
    expect(outputText({ message: 'expected 1', type: 'AssertionError' })).toBe('expected 1');
    expect(outputText([{ message: 'first' }, 'second'])).toBe('first\nsecond');
    expect(outputText(null)).toBe('');
    expect(failureMessage('', 'error')).toBe('test error');
  });

  it('names the suite of a parallel or matrix job like GitLab does', () => {
    expect(suiteOfJob('rspec 2/3')).toBe('rspec');
    expect(suiteOfJob('test: [ruby, 3.3]')).toBe('test');
    expect(suiteOfJob('pytest')).toBe('pytest');
  });

  it('refuses a body that is not a report, and reads an empty one as empty', () => {
    expect(() => readGitLabTestReport('<html>')).toThrow(TestReportFormatError);
    expect(() => readGitLabTestReport({ test_suites: 'x' })).toThrow(TestReportFormatError);
    const empty = readGitLabTestReport(gitlabTestReport([]));
    expect(empty).toEqual({
      totalCount: 0,
      failedCount: 0,
      errorCount: 0,
      suiteErrors: [],
      cases: [],
    });
  });
});
