import { cleanLog } from './clean-log';
import { eslintParser } from './eslint.parser';
import { fallbackParser } from './fallback.parser';
import { gccParser } from './gcc.parser';
import { goParser } from './go.parser';
import { jestParser, vitestParser } from './jest.parser';
import { junitParser } from './junit.parser';
import { finish } from './normalize';
import { LogParser, Problem } from './problem';
import { pytestParser } from './pytest.parser';
import { rustParser } from './rust.parser';
import { tscParser } from './tsc.parser';

/**
 * Bump when a parser changes what it finds: stored logs are parsed again in the background and
 * results of older versions are cleaned up.
 */
export const PARSER_VERSION = 1;

export const TOOL_PARSERS: readonly LogParser[] = [
  tscParser,
  eslintParser,
  jestParser,
  vitestParser,
  pytestParser,
  goParser,
  rustParser,
  junitParser,
  gccParser,
];

export interface ParsedLog {
  /** The cleaned log, whose line indexes the problems' start and end refer to. */
  lines: string[];
  problems: Problem[];
}

/** Every problem the tools reported in a CI log, in log order, each once. */
export function parseLog(raw: string): ParsedLog {
  const lines = cleanLog(raw);
  let problems = TOOL_PARSERS.flatMap((parser) =>
    parser.parse(lines).map((draft) => finish(parser.tool, draft)),
  );
  if (problems.length === 0) {
    problems = fallbackParser.parse(lines).map((draft) => finish(fallbackParser.tool, draft));
  }
  const seen = new Set<string>();
  return {
    lines,
    problems: problems
      .filter((problem) => {
        const key = `${problem.fingerprint}:${problem.line ?? ''}:${problem.column ?? ''}`;
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      })
      .sort((a, b) => a.start - b.start),
  };
}

export { cleanLog } from './clean-log';
export type { Problem } from './problem';
