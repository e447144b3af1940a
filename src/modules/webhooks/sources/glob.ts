/**
 * Repository filters: `*` matches any run of characters (also `/`), everything else itself,
 * case-insensitively. Matched without regular expressions or backtracking: the pattern is cut
 * at its stars, the first piece must start the name, the last must end it, and the pieces
 * between are found left to right, each at its leftmost place after the previous one (taking
 * the leftmost place never loses a match, so no choice is ever revisited). A regular
 * expression built from `a*-*-*-…-x` backtracks exponentially on a name of dashes; this costs
 * at most one scan of the name per piece.
 */
export interface GlobMatcher {
  test(name: string): boolean;
}

export function compileGlob(pattern: string): GlobMatcher {
  const pieces = pattern.toLowerCase().split('*');
  const first = pieces[0];
  const last = pieces[pieces.length - 1];
  const middle = pieces.slice(1, -1).filter((piece) => piece.length > 0);
  const exact = pieces.length === 1;
  return {
    test(value: string): boolean {
      const name = value.toLowerCase();
      if (exact) return name === first;
      if (name.length < first.length + last.length) return false;
      if (!name.startsWith(first) || !name.endsWith(last)) return false;
      let at = first.length;
      const end = name.length - last.length;
      for (const piece of middle) {
        const found = name.indexOf(piece, at);
        if (found === -1 || found + piece.length > end) return false;
        at = found + piece.length;
      }
      return true;
    },
  };
}

/** Any of several patterns; undefined (accept everything) when there are none. */
export function compileRepositoryFilter(
  patterns: readonly string[],
): ((repository: string | undefined) => boolean) | undefined {
  if (patterns.length === 0) return undefined;
  const matchers = patterns.map(compileGlob);
  return (repository) => repository !== undefined && matchers.some((m) => m.test(repository));
}
