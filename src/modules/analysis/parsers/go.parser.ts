import { LogParser, ProblemDraft, Tool } from './problem';

// go build / go vet: "store/store.go:7:9: undefined: undefinedHelper" (vet: "./main.go:7:2: …")
const COMPILE = /^((?:\.{1,2}\/)?[\w@./-]+\.go):(\d+):(\d+): (.*)$/;
// go test: "--- FAIL: TestAbs (0.00s)" then "    calc_test.go:7: Abs(-1) = -1; want 1"
const TEST_FAIL = /^\s*--- FAIL: (\S+) \(/;
const TEST_MESSAGE = /^\s+([\w./-]+\.go):(\d+): (.*)$/;
const PANIC = /^panic: (.*?)(?: \[recovered\])?$/;
const FRAME = /^\t(\S+\.go):(\d+)(?: \+0x[0-9a-f]+)?$/;
const TOOLCHAIN_FRAME =
  /\/(?:src\/(?:runtime|testing|reflect|sync)\/|pkg\/mod\/)|^\/usr\/(?:lib|local)\/go/;
const PACKAGE_END = /^(?:FAIL|ok)\s+\S+|^(?:FAIL|PASS)$|^=== RUN\s/;

interface JsonEvent {
  Action?: unknown;
  Test?: unknown;
  Output?: unknown;
}

function panicLocation(
  lines: readonly string[],
  from: number,
): { file: string; line: number } | undefined {
  for (let i = from; i < lines.length && !PACKAGE_END.test(lines[i]); i++) {
    const frame = FRAME.exec(lines[i]);
    if (frame && !TOOLCHAIN_FRAME.test(frame[1])) return { file: frame[1], line: Number(frame[2]) };
  }
  return undefined;
}

/** `go test` text: one problem per failed test (its first message, or the panic it died of). */
function testFailures(lines: readonly string[], lineOf: (i: number) => number): ProblemDraft[] {
  const problems: ProblemDraft[] = [];
  // With -v, a test's messages come between its "=== RUN" and "--- FAIL" lines.
  const verbose = lines.some((line) => line.startsWith('=== RUN'));
  for (let i = 0; i < lines.length; i++) {
    const failed = TEST_FAIL.exec(lines[i]);
    if (!failed) continue;
    const testName = failed[1];
    // A test's t.Errorf lines come right after its "--- FAIL" line (or, with -v, before it).
    let message: RegExpExecArray | null = null;
    let end = i;
    for (let j = i + 1; j < lines.length && TEST_MESSAGE.test(lines[j]); j++) {
      message ??= TEST_MESSAGE.exec(lines[j]);
      end = j;
    }
    for (let j = i - 1; verbose && message === null && j >= 0 && TEST_MESSAGE.test(lines[j]); j--) {
      message = TEST_MESSAGE.exec(lines[j]);
    }
    if (message) {
      problems.push({
        severity: 'error',
        message: message[3],
        file: message[1],
        line: Number(message[2]),
        testName,
        start: lineOf(i),
        end: lineOf(end),
      });
      continue;
    }
    const panicAt = lines.findIndex((line, j) => j > i && PANIC.test(line));
    const panic = panicAt < 0 ? null : PANIC.exec(lines[panicAt]);
    if (panic) {
      let last = panicAt;
      while (last + 1 < lines.length && !PACKAGE_END.test(lines[last + 1])) last++;
      problems.push({
        severity: 'error',
        code: 'panic',
        message: `panic: ${panic[1]}`,
        ...panicLocation(lines, panicAt),
        testName,
        start: lineOf(i),
        end: lineOf(last),
      });
    }
  }
  return problems;
}

function compileErrors(lines: readonly string[]): ProblemDraft[] {
  const problems: ProblemDraft[] = [];
  lines.forEach((text, i) => {
    const match = COMPILE.exec(text);
    if (!match) return;
    problems.push({
      severity: 'error',
      message: match[4],
      file: match[1],
      line: Number(match[2]),
      column: Number(match[3]),
      start: i,
      end: i,
    });
  });
  return problems;
}

/** `go test -json`: the output events of each test, read as the text format would be. */
function jsonFailures(lines: readonly string[]): ProblemDraft[] | undefined {
  const output: string[] = [];
  const origin: number[] = [];
  let sawJson = false;
  lines.forEach((text, i) => {
    if (!text.startsWith('{"')) return;
    let event: JsonEvent;
    try {
      event = JSON.parse(text) as JsonEvent;
    } catch {
      return;
    }
    if (typeof event.Action !== 'string') return;
    sawJson = true;
    if (event.Action !== 'output' || typeof event.Output !== 'string') return;
    for (const piece of event.Output.replace(/\n$/, '').split('\n')) {
      output.push(piece);
      origin.push(i);
    }
  });
  if (!sawJson) return undefined;
  return [
    ...compileErrors(output).map((p) => ({ ...p, start: origin[p.start], end: origin[p.end] })),
    ...testFailures(output, (i) => origin[i]),
  ];
}

export const goParser: LogParser = {
  tool: Tool.Go,
  parse(lines) {
    const fromJson = jsonFailures(lines);
    if (fromJson) return fromJson;
    return [...compileErrors(lines), ...testFailures(lines, (i) => i)];
  },
};
