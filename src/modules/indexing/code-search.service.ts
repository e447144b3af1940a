import { Injectable } from '@nestjs/common';
import { AppError, ErrorCode } from '../../core/http/app-error';
import { sqlStateOf } from '../../core/database/transient-errors';
import {
  ChunkKey,
  CodeSearchRepository,
  ContentFilter,
  MatchedChunk,
  SymbolKey,
} from './code-search.repository';
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
/** The most chunks one read of matching chunks asks for when a page is not yet full. */
const MAX_CHUNK_BATCH = 1000;
/** Longer lines are not searched by a regular expression line by line (bounds its run time). */
const MAX_REGEX_LINE = 10000;
const INVALID_REGULAR_EXPRESSION = '2201B';

const escapeLike = (text: string): string => text.replace(/[\\%_]/g, (c) => `\\${c}`);
const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** PostgreSQL's regular expressions call the word boundary \y; \b there is a backspace. */
const toPostgresRegex = (source: string): string =>
  source.replace(/\\\\|\\b/g, (m) => (m === '\\b' ? '\\y' : m));
/** Index of a chunk's last line (its content ends with that line's newline, or the blob ends). */
const lastLineIndex = (content: string): number => {
  let newlines = 0;
  for (let at = content.indexOf('\n'); at >= 0; at = content.indexOf('\n', at + 1)) newlines++;
  return content.endsWith('\n') ? newlines - 1 : newlines;
};
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

    let after: ChunkKey | undefined;
    let afterLine = 0;
    if (query.cursor) {
      const [rank, repository, ref, path, chunkLine, line] = decodeCursor('code', query.cursor, [
        'number',
        'string',
        'string',
        'string',
        'number',
        'number',
      ]);
      after = {
        rank: Number(rank),
        repository: String(repository),
        ref: String(ref),
        path: String(path),
        chunkLine: Number(chunkLine),
      };
      afterLine = Number(line);
    }

    // One match more than the page is looked for, so that a cursor is handed out only when a
    // match follows: a chunk the index condition selects may hold no line that matches (a
    // regular expression across a line end, a line too long to search), so counting chunks
    // cannot tell. Chunks are read in batches until that match or the last chunk.
    const found: Array<{ chunk: MatchedChunk; lines: string[]; match: Match }> = [];
    let batch = limit + 1;
    for (;;) {
      const chunks = await this.withRegexErrors(() =>
        this.search.matchingChunks(filter, after, batch),
      );
      for (const chunk of chunks) {
        const sameFileAsCursor =
          after !== undefined &&
          chunk.rank === after.rank &&
          chunk.repository === after.repository &&
          chunk.ref === after.ref &&
          chunk.path === after.path;
        const lines = chunk.content.split('\n');
        for (const match of this.matchLines(lines, matcher, chunk.chunk_line)) {
          if (sameFileAsCursor && match.line <= afterLine) continue;
          found.push({ chunk, lines, match });
          if (found.length > limit) break;
        }
        if (found.length > limit) break;
      }
      const last = chunks[chunks.length - 1];
      if (found.length > limit || chunks.length < batch || last === undefined) break;
      // Every line of the batch's last chunk is read: go on after it.
      after = {
        rank: last.rank,
        repository: last.repository,
        ref: last.ref,
        path: last.path,
        chunkLine: last.chunk_line,
      };
      afterLine = last.chunk_line + lastLineIndex(last.content);
      batch = Math.min(batch * 2, MAX_CHUNK_BATCH);
    }
    const page = found.slice(0, limit);
    const lastOfPage = page[page.length - 1];
    const nextCursor =
      found.length > limit && lastOfPage
        ? encodeCursor('code', [
            lastOfPage.chunk.rank,
            lastOfPage.chunk.repository,
            lastOfPage.chunk.ref,
            lastOfPage.chunk.path,
            lastOfPage.chunk.chunk_line,
            lastOfPage.match.line,
          ])
        : null;
    const items = await this.views(page);
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

  /** Lines of a chunk that match, numbered in the blob (the chunk starts at `firstLine`). */
  private matchLines(lines: string[], matcher: RegExp, firstLine: number): Match[] {
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
      if (ranges.length > 0) matches.push({ line: firstLine + index, ranges });
    }
    return matches;
  }

  /**
   * The page's items, with the line before and after each match. Those lines are in the
   * matched chunk except at its edges: the chunks holding them are read in one query.
   */
  private async views(
    found: ReadonlyArray<{ chunk: MatchedChunk; lines: string[]; match: Match }>,
  ): Promise<CodeMatchView[]> {
    // A chunk that is not the blob's last ends with a newline: its last split part is empty
    // and belongs to no line, so a line at or past that part is read from the next chunk.
    const inChunk = (chunk: MatchedChunk, lines: string[], line: number): string | undefined => {
      const at = line - chunk.chunk_line;
      return at >= 0 && at < lines.length - 1 ? lines[at] : undefined;
    };
    const wanted: Array<{ blobSha: string; line: number }> = [];
    for (const { chunk, lines, match } of found) {
      for (const line of [match.line - 1, match.line + 1]) {
        if (line >= 1 && inChunk(chunk, lines, line) === undefined) {
          wanted.push({ blobSha: chunk.blob_sha, line });
        }
      }
    }
    const edges = new Map<string, string>();
    for (const row of await this.search.chunksAt(wanted)) {
      const text = row.content.split('\n')[row.line - row.chunk_line];
      if (text !== undefined) edges.set(`${row.blob_sha}:${row.line}`, text);
    }
    const lineOf = (chunk: MatchedChunk, lines: string[], line: number): string | undefined =>
      line < 1
        ? undefined
        : (inChunk(chunk, lines, line) ?? edges.get(`${chunk.blob_sha}:${line}`));
    const cut = (text: string) => text.slice(0, MAX_PREVIEW).replace(/\r$/, '');
    return found.map(({ chunk, lines, match }) => {
      const before = lineOf(chunk, lines, match.line - 1);
      const after = lineOf(chunk, lines, match.line + 1);
      return {
        repository: chunk.repository,
        path: chunk.path,
        ref: chunk.ref,
        commitSha: chunk.commit_sha,
        line: match.line,
        preview: {
          text: cut(lines[match.line - chunk.chunk_line]),
          before: before === undefined ? [] : [cut(before)],
          after: after === undefined ? [] : [cut(after)],
        },
        ranges: match.ranges
          .filter(([start]) => start < MAX_PREVIEW)
          .map(([start, end]) => [start, Math.min(end, MAX_PREVIEW)]),
      };
    });
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
