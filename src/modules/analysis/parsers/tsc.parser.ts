import { LogParser, ProblemDraft, Tool } from './problem';

// tsc --pretty false: "src/index.ts(5,7): error TS2322: Type 'number' is not assignable …"
const PLAIN = /^(.+?)\((\d+),(\d+)\): error (TS\d+): (.*)$/;
// tsc --pretty (colours stripped): "src/index.ts:5:7 - error TS2322: Type 'number' is …"
const PRETTY = /^(.+?):(\d+):(\d+) - error (TS\d+): (.*)$/;
// A message continues on indented lines (elaboration of a type error) in the plain format.
const CONTINUATION = /^ {2}\S/;

export const tscParser: LogParser = {
  tool: Tool.TypeScript,
  parse(lines) {
    const problems: ProblemDraft[] = [];
    for (let i = 0; i < lines.length; i++) {
      // Both forms hold "error TS": the expressions only run on the few lines that do.
      if (!lines[i].includes('error TS')) continue;
      const match = PLAIN.exec(lines[i]) ?? PRETTY.exec(lines[i]);
      if (!match) continue;
      const [, file, line, column, code, message] = match;
      let end = i;
      while (end + 1 < lines.length && CONTINUATION.test(lines[end + 1])) end++;
      problems.push({
        severity: 'error',
        code,
        message,
        file,
        line: Number(line),
        column: Number(column),
        start: i,
        end,
      });
    }
    return problems;
  },
};
