/**
 * Path globs as users write them (`src/**\/*.ts`, `*.go`, `node_modules/**`) turned into one
 * regular expression that both JavaScript and PostgreSQL (`~`) read the same way. `**` spans
 * directories, `*` and `?` stay within one segment; a glob without `/` matches the file name
 * in any directory. Only literal characters and these three wildcards exist, so the result
 * has no nested quantifiers and matches in linear time.
 */
export function globToRegexSource(glob: string, nameAnywhere = true): string {
  const anywhere = nameAnywhere && !glob.includes('/');
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*' && glob[i + 1] === '*') {
      if (glob[i + 2] === '/') {
        out += '(.*/)?';
        i += 2;
      } else {
        out += '.*';
        i += 1;
      }
    } else if (c === '*') {
      out += '[^/]*';
    } else if (c === '?') {
      out += '[^/]';
    } else {
      out += /[A-Za-z0-9_/-]/.test(c) ? c : `\\${c === '\\' ? '\\' : c}`;
    }
  }
  return anywhere ? `^(.*/)?${out}$` : `^${out}$`;
}

/** Compiles globs once and answers whether a path matches any of them. */
export class PathGlobs {
  private readonly patterns: RegExp[];

  constructor(globs: readonly string[]) {
    this.patterns = globs.map((g) => new RegExp(globToRegexSource(g)));
  }

  matches(path: string): boolean {
    return this.patterns.some((p) => p.test(path));
  }
}
