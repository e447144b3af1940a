import { globToRegexSource } from './path-glob';

/** Most branches one repository indexes besides its default one, however many globs match. */
export const MAX_EXTRA_BRANCHES = 20;

/**
 * Branch names or globs as an operator writes them (`develop`, `release/*`, `hotfix/**`):
 * `*` and `?` stay within one `/`-separated part, `**` spans parts, and a pattern always
 * matches the whole name (`release-*` does not match `team/release-1`).
 */
export class BranchPatterns {
  private readonly patterns: RegExp[];

  constructor(patterns: readonly string[]) {
    this.patterns = patterns.map((p) => new RegExp(globToRegexSource(p, false)));
  }

  get empty(): boolean {
    return this.patterns.length === 0;
  }

  matches(branch: string): boolean {
    return this.patterns.some((p) => p.test(branch));
  }

  /**
   * The branches to index among `available`: the default one, then the matching others in
   * name order, at most MAX_EXTRA_BRANCHES of them.
   */
  select(defaultBranch: string, available: readonly string[]): string[] {
    const extra = available
      .filter((b) => b !== defaultBranch && this.matches(b))
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
      .slice(0, MAX_EXTRA_BRANCHES);
    return [defaultBranch, ...extra];
  }
}

const FORBIDDEN_IN_BRANCH = new Set(['~', '^', ':', '[', '\\', ' ', '\u007f']);

/**
 * Whether git could have a branch this pattern matches: what `git check-ref-format` refuses
 * (control characters, space, `~^:[\`, `..`, `@{`, `//`, a leading or trailing `/`, a
 * trailing `.`) is refused; the wildcards `*` and `?`, which no branch name holds, are globs.
 */
export function isBranchPattern(pattern: string): boolean {
  if (pattern === '' || pattern.startsWith('/') || /[/.]$/.test(pattern)) return false;
  if (['..', '@{', '//'].some((s) => pattern.includes(s))) return false;
  for (const c of pattern) {
    if (c < ' ' || FORBIDDEN_IN_BRANCH.has(c)) return false;
  }
  return true;
}
