/** The tools whose output Hookyard reads. A stored problem names the one that reported it. */
export enum Tool {
  TypeScript = 'tsc',
  ESLint = 'eslint',
  Jest = 'jest',
  Vitest = 'vitest',
  Pytest = 'pytest',
  Go = 'go',
  Rust = 'rust',
  JUnit = 'junit',
  Gcc = 'gcc',
  Fallback = 'generic',
}

export type Severity = 'error' | 'warning';

/** What a parser finds, before the fingerprint is computed. Lines are 0-based log line indexes. */
export interface ProblemDraft {
  severity: Severity;
  code?: string;
  message: string;
  file?: string;
  line?: number;
  column?: number;
  testName?: string;
  /** The first and last line of the cleaned log that belong to this problem (the excerpt). */
  start: number;
  end: number;
}

export interface Problem extends ProblemDraft {
  tool: Tool;
  /** Stable across runs: no line numbers, timestamps, temporary paths, addresses or ids. */
  fingerprint: string;
}

/** One parser per tool: reads the cleaned log's lines, answers what that tool reported. */
export interface LogParser {
  readonly tool: Tool;
  parse(lines: readonly string[]): ProblemDraft[];
}
