import { LogParser, ProblemDraft, Tool } from './problem';

// "FAILED tests/test_calc.py::TestMean::test_empty - ZeroDivisionError: division..."
const SUMMARY = /^(FAILED|ERROR) ([^\s:]+\.py)(?:::(\S+))?(?: - (.*))?$/;
// "_____ TestMean.test_empty _____" opens a test's report in FAILURES or ERRORS.
const SECTION = /^_{3,} (.+?) _{3,}$/;
const BANNER = /^={3,} .* ={3,}$/;
// "tests/test_calc.py:13: AssertionError" or "tests/test_calc.py:9: in test_divide_by_zero"
const LOCATION = /^([^\s:]+\.py):(\d+): (.*)$/;
// "E   assert 2.0 == 3" (short) / "E       ZeroDivisionError: division by zero" (long)
const EXPLANATION = /^E\s+(.*)$/;

interface Section {
  start: number;
  end: number;
}

function sections(lines: readonly string[]): Map<string, Section> {
  const found = new Map<string, Section>();
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i].startsWith('___')) continue;
    const header = SECTION.exec(lines[i]);
    if (!header || header[1].includes('test session starts')) continue;
    let end = i;
    while (
      end + 1 < lines.length &&
      !SECTION.test(lines[end + 1]) &&
      !BANNER.test(lines[end + 1])
    ) {
      end++;
    }
    // "ERROR at setup of test_x" names the test the same way the summary does.
    found.set(header[1].replace(/^ERROR (?:at|collecting) (?:setup of |teardown of )?/, ''), {
      start: i,
      end,
    });
    i = end;
  }
  return found;
}

export const pytestParser: LogParser = {
  tool: Tool.Pytest,
  parse(lines) {
    const bySection = sections(lines);
    const problems: ProblemDraft[] = [];
    for (let i = 0; i < lines.length; i++) {
      if (!lines[i].startsWith('FAILED ') && !lines[i].startsWith('ERROR ')) continue;
      const summary = SUMMARY.exec(lines[i]);
      if (!summary) continue;
      const [, kind, file, testId, shortMessage] = summary;
      const sectionName = testId?.replace(/::/g, '.');
      const section =
        (sectionName === undefined ? undefined : bySection.get(sectionName)) ?? bySection.get(file);
      let line: number | undefined;
      let message = shortMessage?.replace(/(?:\.\.\.|…)$/, '').trim();
      if (section) {
        for (let j = section.start; j <= section.end; j++) {
          const location = LOCATION.exec(lines[j]);
          if (location && location[1] === file && line === undefined) line = Number(location[2]);
          const explanation = EXPLANATION.exec(lines[j]);
          if (explanation && (message === undefined || message.length < explanation[1].length)) {
            if (message === undefined || explanation[1].startsWith(message)) {
              message = explanation[1].trim();
            }
          }
        }
      }
      problems.push({
        severity: 'error',
        code: kind === 'ERROR' ? 'error' : undefined,
        message: message ?? `${kind.toLowerCase()} ${testId ?? file}`,
        file,
        line,
        testName: testId,
        start: section?.start ?? i,
        end: section?.end ?? i,
      });
    }
    return problems;
  },
};
