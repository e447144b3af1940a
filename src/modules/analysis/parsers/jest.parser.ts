import { LogParser, ProblemDraft, Tool } from './problem';

// Jest: "FAIL src/math.test.js" (with a project name: "FAIL e2e test/x.e2e-spec.ts").
const JEST_FAIL = /^\s*FAIL\s+(?:\S+\s+)?(\S+\.[cm]?[jt]sx?)(?:\s+\(.*\))?$/;
// Jest: "  ● sum › adds large numbers"
const JEST_TEST = /^ {2}● (.+)$/;
const JEST_END = /^(?:Test Suites:|Tests:|\s*(?:PASS|FAIL)\s+\S)/;
// Vitest: " FAIL  src/cart.test.js > cart > sums prices"
const VITEST_TEST = /^ ?FAIL {1,2}(\S+\.[cm]?[jt]sx?) > (.+)$/;
const VITEST_SEPARATOR = /^⎯{3,}/;
const VITEST_END = /^\s*Test Files\s/;
// A stack frame or Vitest's "❯ file:line:column".
const FRAME = /(?:\bat\s+(?:.*?\()?|❯\s+)([^\s()]+?):(\d+):(\d+)\)?\s*$/;

interface Location {
  file?: string;
  line?: number;
  column?: number;
}

/** The frame in the test file itself, else the first frame outside node_modules. */
function locate(lines: readonly string[], from: number, to: number, testFile?: string): Location {
  let fallback: Location | undefined;
  for (let i = from; i <= to; i++) {
    const frame = FRAME.exec(lines[i]);
    if (!frame || frame[1].includes('node_modules') || frame[1].startsWith('node:')) continue;
    const found = { file: frame[1], line: Number(frame[2]), column: Number(frame[3]) };
    if (
      testFile !== undefined &&
      (found.file.endsWith(testFile) || testFile.endsWith(found.file))
    ) {
      return found;
    }
    fallback ??= found;
  }
  return fallback ?? { file: testFile };
}

function firstText(lines: readonly string[], from: number, to: number): string | undefined {
  for (let i = from; i <= to; i++) {
    const text = lines[i].trim();
    if (text !== '') return text;
  }
  return undefined;
}

export const jestParser: LogParser = {
  tool: Tool.Jest,
  parse(lines) {
    const problems: ProblemDraft[] = [];
    let testFile: string | undefined;
    for (let i = 0; i < lines.length; i++) {
      // Only a "FAIL" line or a "  ● " line can start anything: skip the rest cheaply.
      if (!lines[i].includes('FAIL') && !lines[i].startsWith('  ● ')) continue;
      const failed = JEST_FAIL.exec(lines[i]);
      if (failed) {
        testFile = failed[1];
        continue;
      }
      const test = JEST_TEST.exec(lines[i]);
      if (!test || testFile === undefined) continue;
      let end = i;
      while (
        end + 1 < lines.length &&
        !JEST_TEST.test(lines[end + 1]) &&
        !JEST_END.test(lines[end + 1])
      ) {
        end++;
      }
      const suiteFailed = test[1] === 'Test suite failed to run';
      problems.push({
        severity: 'error',
        message: firstText(lines, i + 1, end) ?? test[1],
        testName: suiteFailed ? undefined : test[1].replace(/ › /g, ' > '),
        ...locate(lines, i + 1, end, testFile),
        start: i,
        end,
      });
      i = end;
    }
    return problems;
  },
};

export const vitestParser: LogParser = {
  tool: Tool.Vitest,
  parse(lines) {
    const problems: ProblemDraft[] = [];
    for (let i = 0; i < lines.length; i++) {
      if (!lines[i].includes('FAIL')) continue;
      const test = VITEST_TEST.exec(lines[i]);
      if (!test) continue;
      let end = i;
      while (
        end + 1 < lines.length &&
        !VITEST_SEPARATOR.test(lines[end + 1]) &&
        !VITEST_TEST.test(lines[end + 1]) &&
        !VITEST_END.test(lines[end + 1])
      ) {
        end++;
      }
      const [, testFile, testName] = test;
      problems.push({
        severity: 'error',
        message: firstText(lines, i + 1, end) ?? testName,
        testName,
        ...locate(lines, i + 1, end, testFile),
        start: i,
        end,
      });
      i = end;
    }
    return problems;
  },
};
