import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanLog } from './clean-log';
import { parseLog } from './index';
import { repositoryPath, stableMessage } from './normalize';
import { Problem, Tool } from './problem';

/**
 * Every log here was printed by the real tool on broken code: see
 * test/fixtures/logs/COMMANDS.md and record.sh. Expectations were read off those logs.
 */
const LOGS = join(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'logs');
const log = (name: string) => readFileSync(join(LOGS, name), 'utf8');

type Seen = Pick<Problem, 'tool' | 'file' | 'line'> & Partial<Problem>;

function summary(problems: Problem[]): Seen[] {
  return problems.map((p) => ({
    tool: p.tool,
    file: p.file,
    line: p.line,
    ...(p.column === undefined ? {} : { column: p.column }),
    ...(p.code === undefined ? {} : { code: p.code }),
    ...(p.testName === undefined ? {} : { testName: p.testName }),
    message: p.message,
  }));
}

describe('parsers on logs of the real tools', () => {
  it('tsc, plain: every error with its file, position and code', () => {
    const { problems } = parseLog(log('tsc/plain.log'));
    expect(summary(problems)).toEqual([
      {
        tool: Tool.TypeScript,
        file: 'src/index.ts',
        line: 1,
        column: 25,
        code: 'TS2307',
        message: "Cannot find module './nowhere' or its corresponding type declarations.",
      },
      {
        tool: Tool.TypeScript,
        file: 'src/index.ts',
        line: 5,
        column: 7,
        code: 'TS2322',
        message: "Type 'number' is not assignable to type 'string'.",
      },
      {
        tool: Tool.TypeScript,
        file: 'src/index.ts',
        line: 6,
        column: 5,
        code: 'TS2345',
        message: "Argument of type 'string' is not assignable to parameter of type 'number'.",
      },
      {
        tool: Tool.TypeScript,
        file: 'src/util/strings.ts',
        line: 2,
        column: 29,
        code: 'TS2339',
        message: "Property 'unknownMethod' does not exist on type 'string'.",
      },
      {
        tool: Tool.TypeScript,
        file: 'src/util/strings.ts',
        line: 4,
        column: 14,
        code: 'TS2322',
        message: "Type 'undefined' is not assignable to type 'number'.",
      },
    ]);
  });

  it('tsc, pretty (coloured): the same problems as plain, with the same fingerprints', () => {
    const plain = parseLog(log('tsc/plain.log')).problems;
    const pretty = parseLog(log('tsc/pretty.log')).problems;
    expect(summary(pretty)).toEqual(summary(plain));
    expect(pretty.map((p) => p.fingerprint)).toEqual(plain.map((p) => p.fingerprint));
  });

  it('eslint, stylish: errors and warnings with their rule, paths relative to the checkout', () => {
    const { problems } = parseLog(log('eslint/stylish.log'));
    expect(problems.map((p) => [p.severity, p.file, p.line, p.column, p.code, p.message])).toEqual([
      [
        'error',
        'web/src/app.js',
        1,
        7,
        'no-unused-vars',
        "'unused' is assigned a value but never used",
      ],
      ['error', 'web/src/app.js', 3, 9, 'eqeqeq', "Expected '===' and instead saw '=='"],
      ['warning', 'web/src/app.js', 4, 5, 'no-console', 'Unexpected console statement'],
      ['error', 'web/src/app.js', 6, 10, 'no-undef', "'undefinedThing' is not defined"],
      [
        'error',
        'web/src/other.js',
        2,
        1,
        'no-unused-vars',
        "'x' is assigned a value but never used",
      ],
      [
        'error',
        'web/src/other.js',
        2,
        1,
        'no-useless-assignment',
        "The value assigned to 'x' is not used in subsequent statements",
      ],
      ['error', 'web/src/other.js', 2, 5, 'no-self-assign', "'x' is assigned to itself"],
      ['error', 'web/src/other.js', 3, 1, 'no-debugger', "Unexpected 'debugger' statement"],
    ]);
  });

  it('jest: each failed test with its assertion and the line in the test file', () => {
    const { problems } = parseLog(log('jest/failing.log'));
    expect(summary(problems)).toEqual([
      {
        tool: Tool.Jest,
        file: 'src/math.test.js',
        line: 7,
        column: 25,
        testName: 'sum > adds large numbers',
        message: 'expect(received).toBe(expected) // Object.is equality',
      },
      {
        tool: Tool.Jest,
        file: 'src/math.test.js',
        line: 12,
        column: 30,
        testName: 'parse > reads an object',
        message: 'expect(received).toEqual(expected) // deep equality',
      },
      {
        tool: Tool.Jest,
        file: 'src/math.test.js',
        line: 15,
        column: 12,
        testName: 'parse > survives bad input',
        message: "SyntaxError: Expected property name or '}' in JSON at position 1",
      },
    ]);
  });

  it('vitest: each failed test with its error', () => {
    const { problems } = parseLog(log('vitest/failing.log'));
    expect(problems.map((p) => [p.tool, p.file, p.testName, p.message])).toEqual([
      [
        Tool.Vitest,
        'src/cart.test.js',
        'cart > sums prices',
        'AssertionError: expected 5 to be 6 // Object.is equality',
      ],
      [
        Tool.Vitest,
        'src/cart.test.js',
        'cart > handles missing items',
        "TypeError: Cannot read properties of undefined (reading 'reduce')",
      ],
    ]);
  });

  it.each(['pytest/short.log', 'pytest/long.log'])(
    'pytest (%s): each failure with the line in the test and the full explanation',
    (name) => {
      const { problems } = parseLog(log(name));
      expect(summary(problems)).toEqual([
        {
          tool: Tool.Pytest,
          file: 'tests/test_calc.py',
          line: 9,
          testName: 'test_divide_by_zero',
          message: 'ZeroDivisionError: division by zero',
        },
        {
          tool: Tool.Pytest,
          file: 'tests/test_calc.py',
          line: 13,
          testName: 'test_mean',
          message: 'assert 2.0 == 3',
        },
        {
          tool: Tool.Pytest,
          file: 'tests/test_calc.py',
          line: 18,
          testName: 'TestMean::test_empty',
          message: 'ZeroDivisionError: division by zero',
        },
      ]);
    },
  );

  it('go build and go vet: compiler and vet findings with positions', () => {
    expect(summary(parseLog(log('go/build.log')).problems)).toEqual([
      {
        tool: Tool.Go,
        file: 'store/store.go',
        line: 3,
        column: 8,
        message: 'imported and not used: "fmt"',
      },
      {
        tool: Tool.Go,
        file: 'store/store.go',
        line: 6,
        column: 18,
        message: 'cannot use "zero" (untyped string constant) as int value in variable declaration',
      },
      {
        tool: Tool.Go,
        file: 'store/store.go',
        line: 7,
        column: 9,
        message: 'undefined: undefinedHelper',
      },
    ]);
    expect(summary(parseLog(log('go/vet.log')).problems)).toEqual([
      {
        tool: Tool.Go,
        file: 'main.go',
        line: 7,
        column: 2,
        message: 'fmt.Printf format %d has arg name of wrong type string',
      },
    ]);
  });

  it('go test, text and -json: a failed assertion and a panic, located in the workspace', () => {
    const text = summary(parseLog(log('go/test.log')).problems);
    const json = summary(parseLog(log('go/test-json.log')).problems);
    const expected = [
      {
        tool: Tool.Go,
        file: 'calc_test.go',
        line: 7,
        testName: 'TestAbs',
        message: 'Abs(-1) = -1; want 1',
      },
      {
        tool: Tool.Go,
        file: 'gotest/calc.go',
        line: 11,
        code: 'panic',
        testName: 'TestIndex',
        message: 'panic: runtime error: index out of range [5] with length 2',
      },
    ];
    expect(text).toEqual(expected);
    expect(json).toEqual(expected);
  });

  it('cargo build: rustc errors with their code and the --> location', () => {
    expect(summary(parseLog(log('rust/build.log')).problems)).toEqual([
      {
        tool: Tool.Rust,
        file: 'src/main.rs',
        line: 8,
        column: 28,
        code: 'E0425',
        message: 'cannot find value `missing_var` in this scope',
      },
      {
        tool: Tool.Rust,
        file: 'src/main.rs',
        line: 2,
        column: 5,
        code: 'E0308',
        message: 'mismatched types',
      },
    ]);
  });

  it('cargo test: each panicking test with its message and location', () => {
    expect(summary(parseLog(log('rust/test.log')).problems)).toEqual([
      {
        tool: Tool.Rust,
        file: 'src/lib.rs',
        line: 22,
        column: 15,
        code: 'panic',
        testName: 'tests::unwraps',
        message: 'value must be present',
      },
      {
        tool: Tool.Rust,
        file: 'src/lib.rs',
        line: 16,
        column: 9,
        code: 'panic',
        testName: 'tests::doubles_large',
        message: 'assertion `left == right` failed left: 41 right: 40',
      },
    ]);
  });

  it('JUnit XML from Maven Surefire, and Surefire console output, agree', () => {
    const expected = [
      {
        tool: Tool.JUnit,
        file: 'demo/CalcTest.java',
        line: 20,
        code: 'java.lang.NullPointerException',
        testName: 'demo.CalcTest.throwsOnNull',
        message: 'Cannot invoke "String.length()" because "text" is null',
      },
      {
        tool: Tool.JUnit,
        file: 'demo/CalcTest.java',
        line: 14,
        code: 'org.opentest4j.AssertionFailedError',
        testName: 'demo.CalcTest.halvesLarge',
        message: 'expected: <100> but was: <101>',
      },
    ];
    expect(summary(parseLog(log('junit/surefire.xml.log')).problems)).toEqual(expected);
    expect(summary(parseLog(log('maven/test.log')).problems)).toEqual(expected);
  });

  it('JUnit XML from pytest: failures located in the test module', () => {
    const { problems } = parseLog(log('junit/pytest.xml.log'));
    expect(problems.map((p) => [p.file, p.line, p.testName, p.message])).toEqual([
      [
        'tests/test_calc.py',
        9,
        'tests.test_calc.test_divide_by_zero',
        'ZeroDivisionError: division by zero',
      ],
      ['tests/test_calc.py', 13, 'tests.test_calc.test_mean', 'assert 2.0 == 3'],
      [
        'tests/test_calc.py',
        18,
        'tests.test_calc.TestMean.test_empty',
        'ZeroDivisionError: division by zero',
      ],
    ]);
  });

  it('gcc: errors and fatal errors, never the warnings between them', () => {
    const { problems } = parseLog(log('gcc/compile.log'));
    expect(summary(problems)).toEqual([
      {
        tool: Tool.Gcc,
        file: 'src/util.c',
        line: 4,
        column: 17,
        message: 'expected ‘;’ before ‘}’ token',
      },
      {
        tool: Tool.Gcc,
        file: 'src/main.c',
        line: 8,
        column: 20,
        message: 'too few arguments to function ‘add’',
      },
      {
        tool: Tool.Gcc,
        file: 'src/main.c',
        line: 9,
        column: 12,
        message: '‘undeclared_value’ undeclared (first use in this function)',
      },
      {
        tool: Tool.Gcc,
        file: 'src/config.c',
        line: 1,
        column: 10,
        message: 'missing.h: No such file or directory',
      },
    ]);
    expect(problems.every((p) => p.severity === 'error')).toBe(true);
  });
});

/** How GitHub Actions stores a step's output: a timestamp per line, groups, its exit line. */
function asGitHubLog(body: string): string {
  const stamp = (i: number) => `2026-11-30T10:00:${String(i % 60).padStart(2, '0')}.1234567Z `;
  const lines = [
    '##[group]Run npm test',
    'npm test',
    '##[endgroup]',
    ...body.split('\n'),
    '##[error]Process completed with exit code 1.',
  ];
  return lines.map((line, i) => `${stamp(i)}${line}`).join('\n');
}

/** How GitLab stores a job's trace: collapsible sections, CRLF and colour resets. */
function asGitLabTrace(body: string): string {
  const start = 'section_start:1764496800:step_script\r\u001b[0K';
  const end = 'section_end:1764496860:step_script\r\u001b[0K';
  return [
    `\u001b[0KRunning with gitlab-runner 17.5.0`,
    `${start}\u001b[0K\u001b[36;1mExecuting "step_script" stage\u001b[0;m`,
    ...body.split('\n'),
    `${end}\u001b[31;1mERROR: Job failed: exit code 1\u001b[0;m`,
  ].join('\r\n');
}

describe('logs as CI systems store them', () => {
  it.each([
    ['tsc/plain.log'],
    ['eslint/stylish.log'],
    ['jest/failing.log'],
    ['pytest/short.log'],
    ['go/test.log'],
    ['rust/build.log'],
    ['gcc/compile.log'],
  ])('%s gives the same problems wrapped by GitHub Actions and by GitLab', (name) => {
    const bare = summary(parseLog(log(name)).problems);
    expect(bare.length).toBeGreaterThan(0);
    expect(summary(parseLog(asGitHubLog(log(name))).problems)).toEqual(bare);
    expect(summary(parseLog(asGitLabTrace(log(name))).problems)).toEqual(bare);
  });

  it('strips timestamps, groups, ANSI codes and section markers', () => {
    expect(cleanLog(asGitHubLog('\u001b[31mred\u001b[0m text'))).toEqual(['npm test', 'red text']);
    expect(cleanLog(asGitLabTrace('plain'))).toEqual([
      'Running with gitlab-runner 17.5.0',
      'Executing "step_script" stage',
      'plain',
      'ERROR: Job failed: exit code 1',
    ]);
  });

  it('never blames the runner: an exit-code-only log has no problem', () => {
    const onlyExit = asGitHubLog('Error: Process completed with exit code 1.');
    expect(parseLog(onlyExit).problems).toEqual([]);
    expect(parseLog(asGitLabTrace('npm ERR! code ELIFECYCLE')).problems).toEqual([]);
  });

  it('falls back to "error:" lines when no tool is recognised, skipping warnings', () => {
    const body = [
      'Compiling the docs',
      'warning: theme is deprecated',
      'error: template "base.html" not found',
      'Error: build stopped after 1 error',
      'Error: build stopped after 1 error',
    ].join('\n');
    const { problems } = parseLog(asGitHubLog(body));
    expect(problems.map((p) => [p.tool, p.message])).toEqual([
      [Tool.Fallback, 'template "base.html" not found'],
      [Tool.Fallback, 'build stopped after 1 error'],
    ]);
  });
});

describe('fingerprints', () => {
  it('are stable when line numbers, durations, addresses and temp paths change', () => {
    const first = parseLog(log('pytest/short.log')).problems;
    const shifted = log('pytest/short.log')
      .replace(/tests\/test_calc\.py:13:/g, 'tests/test_calc.py:41:')
      .replace(/0x[0-9a-f]+/g, '0xdeadbeef')
      .replace(/in [\d.]+s/, 'in 9.99s');
    const second = parseLog(shifted).problems;
    expect(second.map((p) => p.line)).toEqual([9, 41, 18]);
    expect(second.map((p) => p.fingerprint)).toEqual(first.map((p) => p.fingerprint));
  });

  it('differ between problems', () => {
    const prints = parseLog(log('tsc/plain.log')).problems.map((p) => p.fingerprint);
    expect(new Set(prints).size).toBe(prints.length);
  });

  it('read paths as the repository knows them', () => {
    expect(repositoryPath('/home/runner/work/api/api/src/a.ts')).toBe('src/a.ts');
    expect(repositoryPath('/builds/acme/api/src/a.ts')).toBe('src/a.ts');
    expect(repositoryPath('./src/a.ts')).toBe('src/a.ts');
    expect(stableMessage('took (12ms) at 0x7f00 on 2026-11-30T10:00:00Z')).toBe(
      'took at 0x… on <time>',
    );
  });
});
