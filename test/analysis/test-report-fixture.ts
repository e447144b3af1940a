import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';

/**
 * GitLab's pipeline test report (GET /projects/:id/pipelines/:pipeline_id/test_report) built
 * from JUnit XML that real tools wrote (test/fixtures/logs/junit), the way GitLab builds it:
 * one suite per job, named after the job; a case's status from its <failure>, <error> or
 * <skipped> element; `system_output` is that element's text (ActiveSupport's Hash.from_xml
 * keeps the text and drops the attributes), `stack_trace` stays null (GitLab's JUnit reader
 * never fills it), `file` only when the XML names one; counts summed over the suites.
 */

type Node = Record<string, unknown>;

const xml = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  textNodeName: '__content__',
  isArray: (name) => ['testsuite', 'testcase', 'failure', 'error', 'skipped'].includes(name),
  processEntities: true,
  htmlEntities: true,
  parseAttributeValue: false,
  trimValues: false,
});

const nodes = (value: unknown): Node[] =>
  Array.isArray(value) ? value.filter((v): v is Node => typeof v === 'object' && v !== null) : [];

/** What GitLab keeps of a <failure>/<error> element: its text, else its attributes. */
function elementOutput(elements: unknown[]): unknown {
  const values = elements.map((element) => {
    if (typeof element === 'string') return element.trim() === '' ? null : element;
    if (typeof element !== 'object' || element === null) return null;
    const content = (element as Node).__content__;
    if (typeof content === 'string' && content.trim() !== '') return content;
    const attributes = Object.fromEntries(
      Object.entries(element as Node).filter(([key]) => key !== '__content__'),
    );
    return Object.keys(attributes).length > 0 ? attributes : null;
  });
  return values.length === 1 ? values[0] : values;
}

export interface GitLabTestCase {
  status: 'success' | 'failed' | 'error' | 'skipped';
  name: string;
  classname: string;
  file: string | null;
  execution_time: number;
  system_output: unknown;
  stack_trace: string | null;
  recent_failures: { count: number; base_branch: string } | null;
}

interface GitLabTestCounts {
  total_time: number;
  total_count: number;
  success_count: number;
  failed_count: number;
  skipped_count: number;
  error_count: number;
}

export interface GitLabTestSuite extends GitLabTestCounts {
  name: string;
  suite_error: string | null;
  test_cases: GitLabTestCase[];
}

export interface GitLabTestReport extends GitLabTestCounts {
  test_suites: GitLabTestSuite[];
}

function testCases(document: Node): GitLabTestCase[] {
  const roots = nodes((document.testsuites as Node | undefined)?.testsuite ?? document.testsuite);
  const cases: GitLabTestCase[] = [];
  const visit = (suites: Node[]) => {
    for (const suite of suites) {
      visit(nodes(suite.testsuite));
      for (const testcase of nodes(suite.testcase)) {
        const elements = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
        const failure = elements(testcase.failure);
        const error = elements(testcase.error);
        const skipped = elements(testcase.skipped);
        const status =
          failure.length > 0
            ? 'failed'
            : error.length > 0
              ? 'error'
              : skipped.length > 0
                ? 'skipped'
                : 'success';
        const output =
          status === 'failed'
            ? elementOutput(failure)
            : status === 'error'
              ? elementOutput(error)
              : status === 'skipped'
                ? elementOutput(skipped)
                : null;
        cases.push({
          status,
          name: typeof testcase.name === 'string' ? testcase.name : '(No name)',
          classname: typeof testcase.classname === 'string' ? testcase.classname : '',
          file: typeof testcase.file === 'string' ? testcase.file : null,
          execution_time: Number(testcase.time ?? 0),
          system_output: output,
          stack_trace: null,
          recent_failures: null,
        });
      }
    }
  };
  visit(roots);
  return cases;
}

/** A suite (one job's JUnit reports) as GitLab serves it. */
export function gitlabSuite(jobName: string, junitXml: string): GitLabTestSuite {
  const cases = testCases(xml.parse(junitXml) as Node);
  const countOf = (status: GitLabTestCase['status']) =>
    cases.filter((c) => c.status === status).length;
  return {
    name: jobName,
    total_time: cases.reduce((sum, c) => sum + c.execution_time, 0),
    total_count: cases.length,
    success_count: countOf('success'),
    failed_count: countOf('failed'),
    skipped_count: countOf('skipped'),
    error_count: countOf('error'),
    suite_error: null,
    test_cases: cases,
  };
}

export function gitlabTestReport(suites: GitLabTestSuite[]): GitLabTestReport {
  const sum = (key: keyof GitLabTestCounts) =>
    suites.reduce((total, suite) => total + suite[key], 0);
  return {
    total_time: sum('total_time'),
    total_count: sum('total_count'),
    success_count: sum('success_count'),
    failed_count: sum('failed_count'),
    skipped_count: sum('skipped_count'),
    error_count: sum('error_count'),
    test_suites: suites,
  };
}

/** A JUnit report recorded from a real run (test/fixtures/logs/junit, see COMMANDS.md). */
export function recordedJUnit(name: 'pytest' | 'surefire'): string {
  return readFileSync(
    join(__dirname, '..', 'fixtures', 'logs', 'junit', `${name}.xml.log`),
    'utf8',
  );
}
