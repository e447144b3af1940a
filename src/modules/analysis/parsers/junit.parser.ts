import { XMLParser } from 'fast-xml-parser';
import { LogParser, ProblemDraft, Tool } from './problem';

const XML_START = /<\?xml[^>]*\?>|<testsuites?[\s>]/;
const XML_END = /<\/testsuites>|<\/testsuite>(?![\s\S]*<\/testsuite>)/;
// Surefire's console: "[ERROR] demo.CalcTest.halvesLarge -- Time elapsed: 0.023 s <<< FAILURE!"
// (Surefire 3.2+) or "[ERROR] halvesLarge(demo.CalcTest)  Time elapsed: 0.02 s  <<< FAILURE!".
const SUREFIRE_NEW = /^\[ERROR\] ([\w.$]+)\.([\w$]+) -- Time elapsed: .* <<< (FAILURE|ERROR)!$/;
const SUREFIRE_OLD = /^\[ERROR\] ([\w$]+)\(([\w.$]+)\)\s+Time elapsed: .* <<< (FAILURE|ERROR)!$/;
const JAVA_FRAME = /^\s*at ([\w.$]+)\.([\w$<>]+)\(([\w$]+\.(?:java|kt|scala|groovy)):(\d+)\)$/;

type Node = Record<string, unknown>;

const xml = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  textNodeName: '#text',
  isArray: (name) => ['testsuite', 'testcase', 'failure', 'error'].includes(name),
  processEntities: true,
  htmlEntities: true,
});

function asNodes(value: unknown): Node[] {
  return Array.isArray(value)
    ? value.filter((v): v is Node => typeof v === 'object' && v !== null)
    : [];
}

function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  return undefined;
}

/** The source file of a test class: "demo.CalcTest" → "demo/CalcTest.java" when the trace says so. */
function classFile(classname: string, trace: string): { file?: string; line?: number } {
  for (const frameLine of trace.split('\n')) {
    const frame = JAVA_FRAME.exec(frameLine);
    if (frame && frame[1] === classname) {
      const packagePath = classname.split('.').slice(0, -1).join('/');
      const file = packagePath === '' ? frame[3] : `${packagePath}/${frame[3]}`;
      return { file, line: Number(frame[4]) };
    }
  }
  // pytest writes "tests/test_calc.py:13: AssertionError" for "tests.test_calc".
  const module = `${classname.replace(/\.[A-Z]\w*$/, '').replace(/\./g, '/')}.py`;
  const pyLine = new RegExp(`^(${module.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}):(\\d+): `, 'm');
  const py = pyLine.exec(trace);
  if (py) return { file: py[1], line: Number(py[2]) };
  return {};
}

function lineOfTestcase(lines: readonly string[], from: number, name: string): number {
  const needle = `name="${name}"`;
  for (let i = from; i < lines.length; i++) if (lines[i].includes(needle)) return i;
  return from;
}

function fromXml(lines: readonly string[]): ProblemDraft[] {
  const start = lines.findIndex((line) => XML_START.test(line));
  if (start < 0) return [];
  let end = start;
  while (end + 1 < lines.length && !XML_END.test(lines[end])) end++;
  let document: Node;
  try {
    document = xml.parse(lines.slice(start, end + 1).join('\n')) as Node;
  } catch {
    return [];
  }
  const roots = asNodes((document.testsuites as Node | undefined)?.testsuite ?? document.testsuite);
  const problems: ProblemDraft[] = [];
  const visit = (suites: Node[]) => {
    for (const suite of suites) {
      visit(asNodes(suite.testsuite));
      for (const testcase of asNodes(suite.testcase)) {
        const outcome = [...asNodes(testcase.failure), ...asNodes(testcase.error)][0];
        if (!outcome) continue;
        const classname = text(testcase.classname) ?? text(suite.name) ?? '';
        const name = text(testcase.name) ?? 'unnamed';
        const trace = text(outcome['#text']) ?? '';
        const message =
          text(outcome.message)?.split('\n')[0] ?? trace.split('\n').find((l) => l.trim() !== '');
        const declared = text(testcase.file);
        const located = classFile(classname, trace);
        const at = lineOfTestcase(lines, start, name);
        problems.push({
          severity: 'error',
          code: text(outcome.type),
          message: message?.trim() ?? 'failed',
          file: declared ?? located.file,
          line: Number(text(testcase.line)) || located.line,
          testName: classname === '' ? name : `${classname}.${name}`,
          start: at,
          end: at,
        });
      }
    }
  };
  visit(roots);
  return problems;
}

function fromSurefireConsole(lines: readonly string[]): ProblemDraft[] {
  const problems: ProblemDraft[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i].startsWith('[ERROR] ')) continue;
    const modern = SUREFIRE_NEW.exec(lines[i]);
    const legacy = modern ? null : SUREFIRE_OLD.exec(lines[i]);
    if (!modern && !legacy) continue;
    const classname = modern ? modern[1] : (legacy?.[2] ?? '');
    const method = modern ? modern[2] : (legacy?.[1] ?? '');
    let end = i;
    while (
      end + 1 < lines.length &&
      lines[end + 1].trim() !== '' &&
      !lines[end + 1].startsWith('[')
    ) {
      end++;
    }
    const trace = lines.slice(i + 1, end + 1).join('\n');
    const [exception, ...rest] = (lines[i + 1] ?? '').split(': ');
    problems.push({
      severity: 'error',
      code: rest.length > 0 ? exception : undefined,
      message: rest.length > 0 ? rest.join(': ') : exception,
      ...classFile(classname, trace),
      testName: `${classname}.${method}`,
      start: i,
      end,
    });
  }
  return problems;
}

/** JUnit XML reports (Maven Surefire, Gradle, pytest --junitxml, …) and Surefire's console. */
export const junitParser: LogParser = {
  tool: Tool.JUnit,
  parse(lines) {
    return [...fromXml(lines), ...fromSurefireConsole(lines)];
  },
};
