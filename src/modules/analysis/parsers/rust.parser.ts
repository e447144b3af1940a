import { LogParser, ProblemDraft, Tool } from './problem';

// rustc via cargo: "error[E0308]: mismatched types" then " --> src/main.rs:2:5"
const ERROR = /^error(?:\[(E\d{4})\])?: (.*)$/;
const ARROW = /^\s*--> ([^\s:]+):(\d+):(\d+)$/;
const NOT_A_PROBLEM = /^(?:could not compile|aborting due to|build failed|test failed)/;
// cargo test: "thread 'tests::unwraps' (24796) panicked at src/lib.rs:22:15:" (Rust ≥ 1.73),
// or "thread 'tests::unwraps' panicked at 'message', src/lib.rs:22:15" (older).
const PANIC = /^thread '([^']+)'(?: \(\d+\))? panicked at (?:'(.*)', )?([^\s:]+):(\d+):(\d+):?$/;
const PANIC_END = /^(?:stack backtrace:|note: |$)/;

export const rustParser: LogParser = {
  tool: Tool.Rust,
  parse(lines) {
    const problems: ProblemDraft[] = [];
    for (let i = 0; i < lines.length; i++) {
      // Both kinds of problem start their line with a fixed word: skip the rest cheaply.
      if (!lines[i].startsWith('error') && !lines[i].startsWith("thread '")) continue;
      const error = ERROR.exec(lines[i]);
      if (error && !NOT_A_PROBLEM.test(error[2])) {
        let end = i;
        let at: RegExpExecArray | null = null;
        while (
          end + 1 < lines.length &&
          /^\s*(?:-->|\||\d+ \||=|help:|note:)|^\s*$/.test(lines[end + 1])
        ) {
          end++;
          at ??= ARROW.exec(lines[end]);
          if (lines[end].trim() === '') break;
        }
        // "error: …" with neither a code nor a location is not rustc's (the fallback's, then).
        if (error[1] === undefined && at === null) continue;
        problems.push({
          severity: 'error',
          code: error[1],
          message: error[2],
          file: at?.[1],
          line: at ? Number(at[2]) : undefined,
          column: at ? Number(at[3]) : undefined,
          start: i,
          end,
        });
        continue;
      }
      const panic = PANIC.exec(lines[i]);
      if (!panic) continue;
      const [, testName, inlineMessage, file, line, column] = panic;
      let end = i;
      const messageLines: string[] = [];
      while (end + 1 < lines.length && !PANIC_END.test(lines[end + 1])) {
        end++;
        messageLines.push(lines[end]);
      }
      problems.push({
        severity: 'error',
        code: 'panic',
        message:
          inlineMessage ??
          (messageLines
            .map((l) => l.trim())
            .join(' ')
            .trim() ||
            'panicked'),
        file,
        line: Number(line),
        column: Number(column),
        testName: testName === 'main' ? undefined : testName,
        start: i,
        end,
      });
    }
    return problems;
  },
};
