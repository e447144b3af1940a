/**
 * GitLab's pipeline test report (`GET /projects/:id/pipelines/:pipeline_id/test_report`):
 * `{ total_count, failed_count, error_count, …, test_suites: [{ name, suite_error,
 * test_cases: [{ status, name, classname, file, execution_time, system_output, stack_trace,
 * recent_failures, attachment_url }] }] }`. Only the failed and error cases are kept.
 */

export type FailedCaseStatus = 'failed' | 'error';

/** One failed (or error) test case of a suite, its output flattened to text. */
export interface FailedTestCase {
  suite: string;
  status: FailedCaseStatus;
  classname: string;
  name: string;
  file?: string;
  /** system_output then stack_trace, as text (GitLab sends either as string, object or array). */
  output: string;
}

export interface TestReportDigest {
  totalCount: number;
  failedCount: number;
  errorCount: number;
  /** Suites GitLab could not parse (their `suite_error`), by name. */
  suiteErrors: Array<{ suite: string; error: string }>;
  cases: FailedTestCase[];
}

/** A body that is not a test report: the forge answered something else. */
export class TestReportFormatError extends Error {
  constructor(what: string) {
    super(`not a GitLab test report: ${what}`);
    this.name = 'TestReportFormatError';
  }
}

type JsonObject = Record<string, unknown>;

const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const count = (value: unknown): number =>
  typeof value === 'number' && Number.isFinite(value) ? value : 0;

const textOf = (value: unknown): string | undefined =>
  typeof value === 'string' && value.trim() !== '' ? value : undefined;

/**
 * GitLab keeps the `<failure>` element as its JUnit reader made it: a string (the element's
 * text), an object (its attributes, the text under `__content__` or `content`), an array (several
 * elements) or null.
 */
export function outputText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value))
    return value
      .map(outputText)
      .filter((t) => t !== '')
      .join('\n');
  if (!isObject(value)) return '';
  return [value.message, value.__content__, value.content, value.system_out]
    .map((part) => (part === undefined ? '' : outputText(part)))
    .filter((t) => t.trim() !== '')
    .join('\n');
}

function failedCase(suite: string, raw: unknown): FailedTestCase | undefined {
  if (!isObject(raw)) return undefined;
  const status = raw.status;
  if (status !== 'failed' && status !== 'error') return undefined;
  const output = [outputText(raw.system_output), outputText(raw.stack_trace)]
    .filter((t) => t.trim() !== '')
    .join('\n');
  return {
    suite,
    status,
    classname: textOf(raw.classname)?.trim() ?? '',
    name: textOf(raw.name)?.trim() ?? '(No name)',
    file: textOf(raw.file)?.trim(),
    output,
  };
}

/** Reads a test report body; throws TestReportFormatError when it is not one. */
export function readGitLabTestReport(body: unknown): TestReportDigest {
  if (!isObject(body)) throw new TestReportFormatError('the body is not an object');
  const suites = body.test_suites ?? [];
  if (!Array.isArray(suites)) throw new TestReportFormatError('test_suites is not an array');
  const digest: TestReportDigest = {
    totalCount: count(body.total_count),
    failedCount: count(body.failed_count),
    errorCount: count(body.error_count),
    suiteErrors: [],
    cases: [],
  };
  for (const suite of suites) {
    if (!isObject(suite)) continue;
    const name = textOf(suite.name) ?? '';
    const suiteError = textOf(suite.suite_error);
    if (suiteError !== undefined) digest.suiteErrors.push({ suite: name, error: suiteError });
    const cases = Array.isArray(suite.test_cases) ? suite.test_cases : [];
    for (const raw of cases) {
      const found = failedCase(name, raw);
      if (found) digest.cases.push(found);
    }
  }
  return digest;
}

// "rspec 1/3" (parallel) and "test: [ruby, 3.3]" (parallel:matrix) report under "rspec"/"test".
const JOB_INDEX = /(?:\s+\d+\/\d+|:\s*\[[^\]]*\])$/;

/** GitLab names a job's suite after the job, without the index of a parallel job. */
export function suiteOfJob(jobName: string): string {
  return jobName.trim().replace(JOB_INDEX, '');
}
