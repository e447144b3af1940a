import { Injectable } from '@nestjs/common';
import { AppError, ErrorCode } from '../../core/http/app-error';
import { sqlStateOf } from '../../core/database/transient-errors';
import { CodeSearchRepository, ContentFilter, FileKey, SymbolKey } from './code-search.repository';
import { globToRegexSource } from './path-glob';
import { decodeCursor, encodeCursor } from './search-cursor';
import {
  CodeMatchView,
  CodeSearchQuery,
  CodeSearchView,
  DEFAULT_SEARCH_LIMIT,
  SymbolSearchQuery,
  SymbolSearchView,
} from './search.dto';
import { literalHasTrigram, regexHasTrigram } from './search-query';

const MAX_PREVIEW = 1000;
/** Longer lines are not searched by a regular expression line by line (bounds its run time). */
const MAX_REGEX_LINE = 10000;
const INVALID_REGULAR_EXPRESSION = '2201B';

const escapeLike = (text: string): string => text.replace(/[\\%_]/g, (c) => `\\${c}`);
const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** PostgreSQL's regular expressions call the word boundary \y; \b there is a backspace. */
const toPostgresRegex = (source: string): string =>
  source.replace(/\\\\|\\b/g, (m) => (m === '\\b' ? '\\y' : m));
const branchName = (ref: string): string => ref.replace(/^refs\/heads\//, '');

interface Match {
  line: number;
  ranges: Array<[number, number]>;
}

/** Code and symbol search over the index, with keyset pagination and a stable ranking. */
@Injectable()
export class CodeSearchService {
  constructor(private readonly search: CodeSearchRepository) {}

  async code(query: CodeSearchQuery): Promise<CodeSearchView> {
    const started = performance.now();
    const limit = query.limit ?? DEFAULT_SEARCH_LIMIT;
    const regex = query.regex ?? false;
    const caseSensitive = query.caseSensitive ?? false;
    const matcher = this.matcher(query.q, regex, caseSensitive);
    const filter: ContentFilter = regex
      ? {
          operator: caseSensitive ? '~' : '~*',
          pattern: toPostgresRegex(query.q),
          rankOperator: caseSensitive ? '~' : '~*',
          symbolPattern: `^(?:${toPostgresRegex(query.q)})$`,
          pathPattern: toPostgresRegex(query.q),
        }
      : {
          operator: caseSensitive ? 'LIKE' : 'ILIKE',
          pattern: `%${escapeLike(query.q)}%`,
          rankOperator: caseSensitive ? 'LIKE' : 'ILIKE',
          symbolPattern: escapeLike(query.q),
          pathPattern: `%${escapeLike(query.q)}%`,
        };
    filter.repository = query.repository;
    filter.pathRegex = query.path === undefined ? undefined : globToRegexSource(query.path);
    filter.language = query.language;
    filter.ref = query.ref === undefined ? undefined : branchName(query.ref);

    let after: FileKey | undefined;
    let afterLine = 0;
    if (query.cursor) {
      const [rank, repository, ref, path, line] = decodeCursor('code', query.cursor, [
        'number',
        'string',
        'string',
        'string',
        'number',
      ]);
      after = {
        rank: Number(rank),
        repository: String(repository),
        ref: String(ref),
        path: String(path),
      };
      afterLine = Number(line);
    }

    const files = await this.withRegexErrors(() =>
      this.search.matchingFiles(filter, after, limit + 1),
    );
    const contents = await this.search.contents([...new Set(files.map((f) => f.blob_sha))]);
    const items: CodeMatchView[] = [];
    let nextCursor: string | null = null;
    for (const [index, file] of files.entries()) {
      const content = contents.get(file.blob_sha);
      if (content === undefined) continue; // collected since the first query: nothing to show
      const sameAsCursor =
        after !== undefined &&
        file.rank === after.rank &&
        file.repository === after.repository &&
        file.ref === after.ref &&
        file.path === after.path;
      const lines = content.split('\n');
      const matches = this.matchLines(lines, matcher).filter(
        (m) => !sameAsCursor || m.line > afterLine,
      );
      const moreFiles = index < files.length - 1 || files.length > limit;
      for (const [i, match] of matches.entries()) {
        items.push(this.view(file, lines, match));
        if (items.length === limit) {
          if (i < matches.length - 1 || moreFiles) {
            nextCursor = encodeCursor('code', [
              file.rank,
              file.repository,
              file.ref,
              file.path,
              match.line,
            ]);
          }
          break;
        }
      }
      if (items.length === limit) break;
      if (index === files.length - 1 && files.length > limit) {
        // Every fetched file is used up without filling the page: go on after the last one.
        nextCursor = encodeCursor('code', [
          file.rank,
          file.repository,
          file.ref,
          file.path,
          Number.MAX_SAFE_INTEGER,
        ]);
      }
    }
    return { items, nextCursor, tookMs: Math.round((performance.now() - started) * 10) / 10 };
  }

  async symbols(query: SymbolSearchQuery): Promise<SymbolSearchView> {
    const limit = query.limit ?? DEFAULT_SEARCH_LIMIT;
    const lower = query.q.toLowerCase();
    let after: SymbolKey | undefined;
    if (query.cursor) {
      const [rank, name, repository, ref, path, line, kind] = decodeCursor(
        'symbols',
        query.cursor,
        ['number', 'string', 'string', 'string', 'string', 'number', 'string'],
      );
      after = {
        rank: Number(rank),
        name: String(name),
        repository: String(repository),
        ref: String(ref),
        path: String(path),
        line: Number(line),
        kind: String(kind),
      };
    }
    const rows = await this.search.symbols(
      {
        lowerQuery: lower,
        prefix: `${escapeLike(lower)}%`,
        // A substring needs a trigram to use the index; shorter names are searched by prefix.
        substring: [...lower].length >= 3 ? `%${escapeLike(lower)}%` : undefined,
        kind: query.kind,
        language: query.language,
        repository: query.repository,
        ref: query.ref === undefined ? undefined : branchName(query.ref),
      },
      after,
      limit + 1,
    );
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: page.map((r) => ({
        repository: r.repository,
        path: r.path,
        line: r.line,
        name: r.name,
        kind: r.kind,
        language: r.language,
        commitSha: r.commit_sha,
      })),
      nextCursor:
        rows.length > limit && last
          ? encodeCursor('symbols', [
              last.rank,
              last.name,
              last.repository,
              last.ref,
              last.path,
              last.line,
              last.kind,
            ])
          : null,
    };
  }

  private matcher(q: string, regex: boolean, caseSensitive: boolean): RegExp {
    if (!regex) {
      if (!literalHasTrigram(q)) {
        throw new AppError(
          ErrorCode.QueryTooBroad,
          'The query is too broad for the code index: it needs at least three letters, digits or underscores in a row (a trigram) so that it does not scan every file.',
          { q },
        );
      }
      return new RegExp(escapeRegExp(q), caseSensitive ? 'g' : 'gi');
    }
    let compiled: RegExp;
    try {
      compiled = new RegExp(q, caseSensitive ? 'g' : 'gi');
    } catch (error) {
      throw new AppError(
        ErrorCode.ValidationFailed,
        `q is not a valid regular expression: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    if (!regexHasTrigram(q)) {
      throw new AppError(
        ErrorCode.QueryTooBroad,
        'The regular expression is too broad for the code index: every match must contain three letters, digits or underscores written literally in a row (a trigram), outside optional parts and character classes, and every alternative needs its own.',
        { q },
      );
    }
    return compiled;
  }

  private matchLines(lines: string[], matcher: RegExp): Match[] {
    const matches: Match[] = [];
    for (const [index, text] of lines.entries()) {
      if (text.length > MAX_REGEX_LINE) continue;
      matcher.lastIndex = 0;
      const ranges: Array<[number, number]> = [];
      for (let m = matcher.exec(text); m !== null; m = matcher.exec(text)) {
        if (m[0].length === 0) {
          matcher.lastIndex++;
          continue;
        }
        ranges.push([m.index, m.index + m[0].length]);
      }
      if (ranges.length > 0) matches.push({ line: index + 1, ranges });
    }
    return matches;
  }

  private view(
    file: { repository: string; path: string; ref: string; commit_sha: string },
    lines: string[],
    match: Match,
  ): CodeMatchView {
    const at = match.line - 1;
    const cut = (text: string) => text.slice(0, MAX_PREVIEW).replace(/\r$/, '');
    return {
      repository: file.repository,
      path: file.path,
      ref: file.ref,
      commitSha: file.commit_sha,
      line: match.line,
      preview: {
        text: cut(lines[at]),
        before: at > 0 ? [cut(lines[at - 1])] : [],
        after: at + 1 < lines.length ? [cut(lines[at + 1])] : [],
      },
      ranges: match.ranges
        .filter(([start]) => start < MAX_PREVIEW)
        .map(([start, end]) => [start, Math.min(end, MAX_PREVIEW)]),
    };
  }

  private async withRegexErrors<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (sqlStateOf(error) === INVALID_REGULAR_EXPRESSION) {
        throw new AppError(
          ErrorCode.ValidationFailed,
          `q is not a regular expression PostgreSQL can read: ${error instanceof Error ? error.message : ''}`,
        );
      }
      throw error;
    }
  }
}
