import { BranchPatterns, isBranchPattern, MAX_EXTRA_BRANCHES } from './branch-patterns';

describe('BranchPatterns', () => {
  it('matches exact names and globs against the whole branch name', () => {
    const patterns = new BranchPatterns(['develop', 'release/*', 'hotfix/**', 'v?.x']);
    expect(patterns.matches('develop')).toBe(true);
    expect(patterns.matches('develop2')).toBe(false);
    expect(patterns.matches('team/develop')).toBe(false);
    expect(patterns.matches('release/1.2')).toBe(true);
    expect(patterns.matches('release/1.2/rc')).toBe(false);
    expect(patterns.matches('hotfix/a/b')).toBe(true);
    expect(patterns.matches('v2.x')).toBe(true);
    expect(patterns.matches('v2yx')).toBe(false);
    expect(new BranchPatterns([]).empty).toBe(true);
  });

  it('selects the default branch, then matching ones in name order, capped', () => {
    const patterns = new BranchPatterns(['release/*', 'main']);
    expect(patterns.select('main', ['release/b', 'feature/x', 'main', 'release/a'])).toEqual([
      'main',
      'release/a',
      'release/b',
    ]);
    const many = Array.from({ length: MAX_EXTRA_BRANCHES + 5 }, (_, i) => `release/${1000 + i}`);
    const selected = new BranchPatterns(['release/*']).select('main', many);
    expect(selected).toHaveLength(MAX_EXTRA_BRANCHES + 1);
    expect(selected[1]).toBe('release/1000');
  });
});

describe('isBranchPattern', () => {
  it('accepts what git could name a branch, with glob wildcards', () => {
    for (const ok of ['main', 'release/*', 'hotfix/**', 'v?.x', 'team/feature-1.2']) {
      expect(isBranchPattern(ok)).toBe(true);
    }
    for (const bad of [
      '',
      'a b',
      'a..b',
      '/x',
      'x/',
      'x.',
      'a//b',
      'x:y',
      'a~1',
      'a^',
      'a[1]',
      'a\\b',
      'a@{1}',
      'a\u0001',
    ]) {
      expect(isBranchPattern(bad)).toBe(false);
    }
  });
});
