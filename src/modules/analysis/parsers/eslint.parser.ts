import { LogParser, ProblemDraft, Tool } from './problem';

// stylish: a file's path on a line of its own, then "  12:5  error  Message  rule-id".
const FILE_HEADER =
  /^(?:\/|[A-Za-z]:\\|\.{0,2}\/?[\w@.-]+\/)\S*\.(?:[cm]?[jt]sx?|vue|svelte|astro|json|md|ya?ml|html)$/;
const PROBLEM = /^ {2}(\d+):(\d+)\s+(error|warning)\s+(.+?)(?: {2,}(@?[\w-]+(?:\/[\w-]+)*))?\s*$/;
const SUMMARY = /^✖ \d+ problems? \(/;

export const eslintParser: LogParser = {
  tool: Tool.ESLint,
  parse(lines) {
    const problems: ProblemDraft[] = [];
    let file: string | undefined;
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i];
      // A file header has no space in it; a summary starts with "✖ " (cheap checks first).
      if (!line.includes(' ') && FILE_HEADER.test(line)) {
        file = line;
        continue;
      }
      if (line === '' || (line.startsWith('✖ ') && SUMMARY.test(line))) {
        if (line !== '') file = undefined;
        continue;
      }
      const match = file === undefined ? null : PROBLEM.exec(line);
      if (!match) {
        file = undefined;
        continue;
      }
      const [, row, column, severity, message, rule] = match;
      problems.push({
        severity: severity === 'error' ? 'error' : 'warning',
        code: rule,
        message: message.trim(),
        file,
        line: Number(row),
        column: Number(column),
        start: i,
        end: i,
      });
    }
    return problems;
  },
};
