import { LogParser, ProblemDraft, Tool } from './problem';

// "src/main.c:8:20: error: too few arguments to function ‘add’" (gcc and clang alike).
const DIAGNOSTIC =
  /^([^\s:][^:]*\.(?:c|cc|cpp|cxx|h|hh|hpp|hxx|m|mm)):(\d+):(?:(\d+):)? (fatal error|error): (.*?)(?: \[(-W[\w=-]+)\])?$/;
// The caret excerpt gcc prints below a diagnostic: "    8 |     printf(…)" and "      |    ^~~".
const EXCERPT = /^\s*\d*\s+\|/;

export const gccParser: LogParser = {
  tool: Tool.Gcc,
  parse(lines) {
    const problems: ProblemDraft[] = [];
    for (let i = 0; i < lines.length; i++) {
      // A diagnostic holds "error: ": the expression only runs on the few lines that do.
      if (!lines[i].includes('error: ')) continue;
      const match = DIAGNOSTIC.exec(lines[i]);
      if (!match) continue;
      const [, file, line, column, , message, flag] = match;
      let end = i;
      while (end + 1 < lines.length && EXCERPT.test(lines[end + 1])) end++;
      problems.push({
        severity: 'error',
        code: flag,
        message,
        file,
        line: Number(line),
        column: column === undefined ? undefined : Number(column),
        start: i,
        end,
      });
    }
    return problems;
  },
};
