import fc from 'fast-check';
import { compileGlob, compileRepositoryFilter } from './glob';

/** The definition, by dynamic programming over (pattern position, name position). */
function reference(pattern: string, name: string): boolean {
  const p = pattern.toLowerCase();
  const s = name.toLowerCase();
  let row = new Array<boolean>(s.length + 1).fill(false);
  row[0] = true;
  for (const c of p) {
    const next = new Array<boolean>(s.length + 1).fill(false);
    if (c === '*') {
      next[0] = row[0];
      for (let j = 1; j <= s.length; j++) next[j] = next[j - 1] || row[j];
    } else {
      for (let j = 1; j <= s.length; j++) next[j] = row[j - 1] && s[j - 1] === c;
    }
    row = next;
  }
  return row[s.length];
}

describe('repository filter globs', () => {
  it.each([
    ['acme/*', 'acme/api', true],
    ['acme/*', 'ACME/Api', true],
    ['acme/*', 'other/api', false],
    ['*', '', true],
    ['*/api', 'group/sub/api', true],
    ['acme/api', 'acme/api', true],
    ['acme/api', 'acme/api2', false],
    ['a*a', 'a', false],
    ['a*a', 'aa', true],
    ['*-x', 'a-b-x', true],
    ['acme/*.js', 'acme/x.js', true],
    ['acme/(a|b)+', 'acme/(a|b)+', true],
    ['acme/(a|b)+', 'acme/aaa', false],
  ])('%s against %s is %s', (pattern, name, expected) => {
    expect(compileGlob(pattern).test(name)).toBe(expected);
  });

  it('agrees with the definition on random patterns and names', () => {
    const alphabet = fc.constantFrom('a', 'b', '-', '/', 'A');
    const text = fc.array(alphabet, { maxLength: 14 }).map((cs) => cs.join(''));
    const pattern = fc
      .array(fc.oneof(alphabet, fc.constant('*')), { maxLength: 10 })
      .map((cs) => cs.join(''));
    fc.assert(
      fc.property(pattern, text, (p, s) => compileGlob(p).test(s) === reference(p, s)),
      { numRuns: 5000 },
    );
  });

  it('decides the pattern a regular expression backtracks on, for names of any length', () => {
    // As a RegExp (^acme/.*-.*-…-x$) this takes C(n, 9) steps to refuse n dashes.
    const glob = compileGlob('acme/*-*-*-*-*-*-*-*-*-x');
    for (const n of [10, 1_000, 100_000]) {
      expect(glob.test(`acme/${'-'.repeat(n)}`)).toBe(false);
      expect(glob.test(`acme/${'-'.repeat(n)}x`)).toBe(true);
    }
  });

  it('no patterns accept everything; otherwise a repository must be named and match one', () => {
    expect(compileRepositoryFilter([])).toBeUndefined();
    const accepts = compileRepositoryFilter(['acme/*', 'other/one']);
    expect(accepts?.(undefined)).toBe(false);
    expect(accepts?.('other/one')).toBe(true);
    expect(accepts?.('other/two')).toBe(false);
  });
});
