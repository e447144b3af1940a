import { PathGlobs } from './path-glob';

describe('PathGlobs', () => {
  it.each([
    ['node_modules/**', 'node_modules/a/b.js', true],
    ['node_modules/**', 'src/node_modules/a.js', false],
    ['**/node_modules/**', 'src/node_modules/a.js', true],
    ['**/package-lock.json', 'package-lock.json', true],
    ['**/package-lock.json', 'web/package-lock.json', true],
    ['*.min.js', 'dist/app.min.js', true],
    ['*.min.js', 'dist/appXmin.js', false],
    ['src/*.ts', 'src/a.ts', true],
    ['src/*.ts', 'src/deep/a.ts', false],
    ['src/**/*.ts', 'src/deep/er/a.ts', true],
    ['src/**/*.ts', 'src/a.ts', true],
    ['file?.go', 'x/file1.go', true],
    ['(weird)+[name].ts', 'a/(weird)+[name].ts', true],
  ])('%s matches %s: %s', (glob, path, expected) => {
    expect(new PathGlobs([glob]).matches(path)).toBe(expected);
  });
});
