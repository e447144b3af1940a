import { cleanLog } from '../parsers/clean-log';
import { finish } from '../parsers/normalize';
import { Problem, ProblemDraft, Tool } from '../parsers/problem';
import type { FailedTestCase } from './gitlab-test-report';

/**
 * Bump when what is read from a test report changes. Separate from the log parsers' version:
 * these problems do not come from a log, and a log parser upgrade leaves them as they are.
 */
export const TEST_REPORT_VERSION = 1;

/** A job's failed test cases as text (stored like a log) and the problems read from it. */
export interface RenderedTestReport {
  text: string;
  problems: Problem[];
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

// pytest's "E   ZeroDivisionError: …", else an exception or assertion line, else the first line.
const EXPLANATION = /^E\s+(\S.*)$/;
const ERROR_LINE = /\b(?:\w+(?:Error|Exception)\b|assert(?:ion)?\b|expected\b)/i;

/** The line of a failure's output that says what went wrong. */
export function failureMessage(output: string, status: string): string {
  const lines = output
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
  for (const line of lines) {
    const explanation = EXPLANATION.exec(line);
    if (explanation) return explanation[1].trim();
  }
  return lines.find((line) => ERROR_LINE.test(line)) ?? lines[0] ?? `test ${status}`;
}

/** "classname.name", the way the JUnit log parser names a test (jest-junit repeats the class). */
export function testNameOf(classname: string, name: string): string {
  if (classname === '' || name === classname || name.startsWith(`${classname} `)) return name;
  return `${classname}.${name}`;
}

/**
 * The test's source file when the report does not name it: the test class's JVM frame, else
 * "tests.test_calc" as a path and the first "path.ext:line" of the output under it.
 */
function locate(testCase: FailedTestCase): { file?: string; line?: number } {
  if (testCase.file !== undefined) return { file: testCase.file };
  // A JVM frame of the test class: "at demo.CalcTest.halves(CalcTest.java:14)".
  const frame = new RegExp(
    `^\\s*at ${escapeRegExp(testCase.classname)}\\.[\\w$<>]+\\(([\\w$]+\\.(?:java|kt|scala|groovy)):(\\d+)\\)`,
    'm',
  ).exec(testCase.output);
  if (frame && testCase.classname !== '') {
    const packagePath = testCase.classname.split('.').slice(0, -1).join('/');
    return {
      file: packagePath === '' ? frame[1] : `${packagePath}/${frame[1]}`,
      line: Number(frame[2]),
    };
  }
  const segments = testCase.classname.split('.').filter((s) => s !== '');
  for (let keep = segments.length; keep >= 1; keep -= 1) {
    const path = escapeRegExp(segments.slice(0, keep).join('/'));
    const found = new RegExp(`(?:^|[\\s(])((?:[\\w.-]+/)*${path}\\.\\w+):(\\d+)`, 'm').exec(
      testCase.output,
    );
    if (found) return { file: found[1], line: Number(found[2]) };
  }
  return {};
}

/**
 * Renders a job's failed cases as text, one block per case ("FAILED <test> [<suite>]" then its
 * output), and reads them into JUnit problems whose excerpt is the case's block. The same cases
 * render to the same text, so a failure repeated across pipelines is stored once.
 */
export function renderTestReport(cases: readonly FailedTestCase[]): RenderedTestReport {
  const lines: string[] = [];
  const problems: Problem[] = [];
  const seen = new Set<string>();
  for (const testCase of cases) {
    const testName = testNameOf(testCase.classname, testCase.name);
    const start = lines.length;
    // Cleaned as a log is, so that the stored text's lines are the ones excerpts count.
    const output = cleanLog(testCase.output.replace(/\r\n/g, '\n'));
    lines.push(`${testCase.status.toUpperCase()} ${testName} [${testCase.suite}]`, ...output);
    const draft: ProblemDraft = {
      severity: 'error',
      code: testCase.status === 'error' ? 'error' : undefined,
      message: failureMessage(output.join('\n'), testCase.status),
      testName,
      ...locate(testCase),
      start,
      end: lines.length - 1,
    };
    lines.push('');
    const problem = finish(Tool.JUnit, draft);
    if (seen.has(problem.fingerprint)) continue;
    seen.add(problem.fingerprint);
    problems.push(problem);
  }
  return { text: lines.join('\n'), problems };
}

const TEST_NAME_SEPARATORS = /\s*(?:›|>|::|\.|\/|#|\s)\s*/;

function testTokens(name: string): string[] {
  return name
    .toLowerCase()
    .split(TEST_NAME_SEPARATORS)
    .filter((token) => token !== '');
}

/**
 * Whether a log parser's test ("sum > adds large numbers", "TestMean::test_empty",
 * "demo.CalcTest.halves") and a report's ("sum adds large numbers",
 * "tests.test_calc.TestMean.test_empty") are the same test: the log's name, in words, ends the
 * report's (reports name the module or class that the log leaves out).
 */
export function sameTest(logTestName: string, reportTestName: string): boolean {
  const log = testTokens(logTestName);
  const report = testTokens(reportTestName);
  if (log.length === 0 || log.length > report.length) return false;
  const offset = report.length - log.length;
  return log.every((token, i) => report[offset + i] === token);
}

export interface ProblemIdentity {
  fingerprint: string;
  testName: string | null;
}

/** The report's problems that the job's log did not already show (same fingerprint or test). */
export function notInLog<T extends ProblemIdentity>(
  reportProblems: readonly T[],
  logProblems: readonly ProblemIdentity[],
): T[] {
  const fingerprints = new Set(logProblems.map((p) => p.fingerprint));
  const tests = logProblems.flatMap((p) => (p.testName === null ? [] : [p.testName]));
  return reportProblems.filter(
    (problem) =>
      !fingerprints.has(problem.fingerprint) &&
      !(problem.testName !== null && tests.some((name) => sameTest(name, problem.testName ?? ''))),
  );
}
