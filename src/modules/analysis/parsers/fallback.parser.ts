import { LogParser, ProblemDraft, Tool } from './problem';

// "error: …", "Error: …", "ERROR: …", also after a tool's prefix ("npm error …" excluded below).
const ERROR_LINE =
  /^(?:\[[^\]]*\]\s*)?(?:[\w.-]+:\s+)?(?:error|Error|ERROR)(?:\[[^\]]*\])?:\s+(\S.*)$/;
// Lines that say a step failed rather than what failed in the code.
const NOT_A_CAUSE =
  /Process completed with exit code|exit (?:code|status) \d+|Command failed|ELIFECYCLE|Job failed|returned a non-zero|\bwarning\b|^\s*at\s/i;

/** Used only when no tool's parser recognised anything: every "error:" line, once. */
export const fallbackParser: LogParser = {
  tool: Tool.Fallback,
  parse(lines) {
    const problems: ProblemDraft[] = [];
    const seen = new Set<string>();
    lines.forEach((line, i) => {
      const match = ERROR_LINE.exec(line);
      if (!match || NOT_A_CAUSE.test(line)) return;
      const message = match[1].trim();
      if (seen.has(message)) return;
      seen.add(message);
      problems.push({ severity: 'error', message, start: i, end: i });
    });
    return problems;
  },
};
