import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

/** A chunk of a file whose content matched, with the file's rank (0 symbol definition, 1 path, 2 content). */
export interface MatchedChunk {
  rank: number;
  repository: string;
  ref: string;
  path: string;
  commit_sha: string;
  blob_sha: string;
  /** First line of the chunk. */
  chunk_line: number;
  content: string;
}

export interface ChunkKey {
  rank: number;
  repository: string;
  ref: string;
  path: string;
  chunkLine: number;
}

/** The chunk holding a line of a blob (the last chunk when the line is past the end). */
export interface ChunkAtLine {
  blob_sha: string;
  line: number;
  chunk_line: number;
  content: string;
}

export interface ContentFilter {
  /** SQL operator for the content: LIKE, ILIKE, ~ or ~*. */
  operator: 'LIKE' | 'ILIKE' | '~' | '~*';
  pattern: string;
  /** The operator and patterns that rank a file: a symbol named like the query, or its path. */
  rankOperator: 'LIKE' | 'ILIKE' | '~' | '~*';
  symbolPattern: string;
  pathPattern: string;
  repository?: string;
  pathRegex?: string;
  language?: string;
  ref?: string;
}

export interface SymbolRow {
  rank: number;
  name: string;
  kind: string;
  language: string;
  line: number;
  path: string;
  ref: string;
  repository: string;
  commit_sha: string;
}

export interface SymbolFilter {
  lowerQuery: string;
  prefix: string;
  substring?: string;
  kind?: string;
  language?: string;
  repository?: string;
  ref?: string;
}

export interface SymbolKey {
  rank: number;
  name: string;
  repository: string;
  ref: string;
  path: string;
  line: number;
  kind: string;
}

export interface IndexStatusRow {
  status: string | null;
  last_error: string | null;
  last_run_full: boolean | null;
  last_run_changed_files: number | null;
  last_run_blobs_read: number | null;
  last_run_took_ms: number | null;
  ref: string | null;
  commit_sha: string | null;
  indexed_at: Date | null;
  files: number | null;
  bytes: string | null;
  skipped: number | null;
}

export interface IndexedFileRow {
  repository: string;
  ref: string;
  commit_sha: string;
  path: string;
  language: string | null;
  bytes: string;
  content: string | null;
  skipped_reason: string | null;
}

/** Reads of the code index: content and symbol search, a repository's index, one file. */
@Injectable()
export class CodeSearchRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Matching chunks in rank, file and line order from `after` on, at most `limit`. */
  async matchingChunks(
    filter: ContentFilter,
    after: ChunkKey | undefined,
    limit: number,
  ): Promise<MatchedChunk[]> {
    const params: unknown[] = [filter.pattern, filter.symbolPattern, filter.pathPattern];
    const p = (value: unknown): string => {
      params.push(value);
      return `$${params.length}`;
    };
    const where: string[] = [`c.content ${filter.operator} $1`];
    if (filter.repository)
      where.push(`(r.full_name = ${p(filter.repository)} OR r.id::text = $${params.length})`);
    if (filter.pathRegex) where.push(`f.path ~ ${p(filter.pathRegex)}`);
    if (filter.language) where.push(`f.language = ${p(filter.language)}`);
    where.push(filter.ref ? `f.ref = ${p(filter.ref)}` : 'f.ref = r.default_branch');
    const cursor = after
      ? `WHERE (m.rank, m.repository, m.ref, m.path, m.chunk_line) >= (${p(after.rank)}::int, ${p(after.repository)}::text, ${p(after.ref)}::text, ${p(after.path)}::text, ${p(after.chunkLine)}::int)`
      : '';
    // A chunk is rechecked from its own few KB, but the planner still guesses trigram
    // selectivity badly and may prefer to read every chunk: a sequential scan is never right.
    return this.dataSource.transaction(async (manager) => {
      await manager.query('SET LOCAL enable_seqscan = off');
      return manager.query<MatchedChunk[]>(
        `SELECT * FROM (
         SELECT CASE
                  WHEN EXISTS (SELECT 1 FROM code_symbols s
                               WHERE s.blob_sha = f.blob_sha AND s.name ${filter.rankOperator} $2) THEN 0
                  WHEN f.path ${filter.rankOperator} $3 THEN 1
                  ELSE 2
                END AS rank,
                r.full_name AS repository, f.ref, f.path, x.commit_sha, f.blob_sha,
                c.line AS chunk_line, c.content
         FROM code_chunks c
         JOIN code_index_files f ON f.blob_sha = c.blob_sha
         JOIN code_index_refs x ON x.repository_id = f.repository_id AND x.ref = f.ref
         JOIN repositories r ON r.id = f.repository_id
         WHERE ${where.join(' AND ')}
       ) m
       ${cursor}
       ORDER BY m.rank, m.repository, m.ref, m.path, m.chunk_line
       LIMIT ${p(limit)}`,
        params,
      );
    });
  }

  /** For each (blob, line), the chunk that holds the line (for context beyond a chunk's edge). */
  async chunksAt(wanted: ReadonlyArray<{ blobSha: string; line: number }>): Promise<ChunkAtLine[]> {
    if (wanted.length === 0) return [];
    return this.dataSource.query<ChunkAtLine[]>(
      `SELECT q.blob_sha, q.line, c.line AS chunk_line, c.content
       FROM unnest($1::text[], $2::int[]) AS q (blob_sha, line)
       JOIN LATERAL (
         SELECT line, content FROM code_chunks c
         WHERE c.blob_sha = q.blob_sha AND c.line <= q.line
         ORDER BY c.line DESC LIMIT 1
       ) c ON true`,
      [wanted.map((w) => w.blobSha), wanted.map((w) => w.line)],
    );
  }

  async symbols(
    filter: SymbolFilter,
    after: SymbolKey | undefined,
    limit: number,
  ): Promise<SymbolRow[]> {
    const params: unknown[] = [filter.lowerQuery, filter.prefix];
    const p = (value: unknown): string => {
      params.push(value);
      return `$${params.length}`;
    };
    const match = filter.substring
      ? `(lower(s.name) LIKE $2 OR lower(s.name) LIKE ${p(filter.substring)})`
      : 'lower(s.name) LIKE $2';
    const where = [match];
    if (filter.kind) where.push(`s.kind = ${p(filter.kind)}`);
    if (filter.language) where.push(`s.language = ${p(filter.language)}`);
    if (filter.repository)
      where.push(`(r.full_name = ${p(filter.repository)} OR r.id::text = $${params.length})`);
    where.push(filter.ref ? `f.ref = ${p(filter.ref)}` : 'f.ref = r.default_branch');
    const cursor = after
      ? `WHERE (m.rank, m.name, m.repository, m.ref, m.path, m.line, m.kind) > (${p(after.rank)}::int, ${p(after.name)}::text, ${p(after.repository)}::text, ${p(after.ref)}::text, ${p(after.path)}::text, ${p(after.line)}::int, ${p(after.kind)}::text)`
      : '';
    return this.dataSource.query<SymbolRow[]>(
      `SELECT * FROM (
         SELECT CASE WHEN lower(s.name) = $1 THEN 0 WHEN lower(s.name) LIKE $2 THEN 1 ELSE 2 END AS rank,
                s.name, s.kind, s.language, s.line, f.path, f.ref, r.full_name AS repository, x.commit_sha
         FROM code_symbols s
         JOIN code_index_files f ON f.blob_sha = s.blob_sha
         JOIN code_index_refs x ON x.repository_id = f.repository_id AND x.ref = f.ref
         JOIN repositories r ON r.id = f.repository_id
         WHERE ${where.join(' AND ')}
       ) m
       ${cursor}
       ORDER BY m.rank, m.name, m.repository, m.ref, m.path, m.line, m.kind
       LIMIT ${p(limit)}`,
      params,
    );
  }

  /** The repository's indexed refs, the default branch first. */
  async refs(
    repositoryId: string,
  ): Promise<
    Array<{ ref: string; commit_sha: string; indexed_at: Date; files: number; skipped: number }>
  > {
    return this.dataSource.query(
      `SELECT x.ref, x.commit_sha, x.indexed_at, x.files, x.skipped
       FROM code_index_refs x JOIN repositories r ON r.id = x.repository_id
       WHERE x.repository_id = $1
       ORDER BY (x.ref = r.default_branch) DESC, x.ref`,
      [repositoryId],
    );
  }

  /** The repository's index and its default branch's ref; undefined for an unknown repository. */
  async status(repositoryId: string): Promise<IndexStatusRow | undefined> {
    const [row] = await this.dataSource.query<IndexStatusRow[]>(
      `SELECT i.status, i.last_error, i.last_run_full, i.last_run_changed_files,
              i.last_run_blobs_read, i.last_run_took_ms,
              x.ref, x.commit_sha, x.indexed_at, x.files, x.bytes, x.skipped
       FROM repositories r
       LEFT JOIN code_indexes i ON i.repository_id = r.id
       LEFT JOIN LATERAL (
         SELECT * FROM code_index_refs x
         WHERE x.repository_id = r.id
         ORDER BY (x.ref = r.default_branch) DESC, x.ref
         LIMIT 1
       ) x ON true
       WHERE r.id = $1`,
      [repositoryId],
    );
    return row;
  }

  async file(
    repositoryId: string,
    path: string,
    ref: string | undefined,
  ): Promise<IndexedFileRow | undefined> {
    const [row] = await this.dataSource.query<IndexedFileRow[]>(
      `SELECT r.full_name AS repository, f.ref, x.commit_sha, f.path, f.language, f.bytes,
              (SELECT string_agg(c.content, '' ORDER BY c.line) FROM code_chunks c
               WHERE c.blob_sha = f.blob_sha) AS content,
              f.skipped_reason
       FROM repositories r
       JOIN code_index_files f ON f.repository_id = r.id AND f.path = $2
         AND f.ref = coalesce($3, r.default_branch)
       JOIN code_index_refs x ON x.repository_id = f.repository_id AND x.ref = f.ref
       WHERE r.id = $1`,
      [repositoryId, path, ref ?? null],
    );
    return row;
  }
}
