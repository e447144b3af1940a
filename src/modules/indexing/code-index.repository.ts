import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { rowsOf } from '../../core/database/rows';
import { chunkLines } from './chunks';
import type { ExtractedSymbol } from './symbol-extractor';

export interface IndexedRepository {
  id: string;
  provider: string;
  fullName: string;
  defaultBranch: string | null;
  url: string | null;
}

export interface IndexedRef {
  ref: string;
  commitSha: string;
}

/** A path as it will be after the switch: its blob, or why it is skipped. */
export interface FileRow {
  path: string;
  blobSha: string | null;
  language: string | null;
  bytes: number;
  skippedReason: string | null;
}

export interface BlobRow {
  sha: string;
  content: string;
  bytes: number;
  language: string | null;
  symbols: ExtractedSymbol[];
}

export interface RunSummary {
  full: boolean;
  changedFiles: number;
  blobsRead: number;
  tookMs: number;
}

/** Rows per statement when many files are written at once (arrays through unnest). */
const FILE_CHUNK = 5000;

/** The SQL of the code index: repositories to index, blobs, and the switch of a ref's files. */
@Injectable()
export class CodeIndexRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async repository(id: string): Promise<IndexedRepository | undefined> {
    const [row] = await this.dataSource.query<
      {
        id: string;
        provider: string;
        full_name: string;
        default_branch: string | null;
        url: string | null;
      }[]
    >('SELECT id, provider, full_name, default_branch, url FROM repositories WHERE id = $1', [id]);
    return row
      ? {
          id: row.id,
          provider: row.provider,
          fullName: row.full_name,
          defaultBranch: row.default_branch,
          url: row.url,
        }
      : undefined;
  }

  async exists(id: string): Promise<boolean> {
    const rows = await this.dataSource.query<unknown[]>(
      'SELECT 1 FROM repositories WHERE id = $1',
      [id],
    );
    return rows.length > 0;
  }

  /**
   * Repositories whose index was emptied by an upgrade (migration 0015 clears the options hash
   * and asks for a rebuild) and that no run has taken up since: not running, never failed since.
   */
  async rebuildsWaitingForARun(limit: number): Promise<string[]> {
    const rows = await this.dataSource.query<{ repository_id: string }[]>(
      `SELECT repository_id FROM code_indexes
        WHERE rebuild_requested AND options_hash IS NULL AND status <> 'indexing'
          AND last_error IS NULL
        ORDER BY repository_id LIMIT $1`,
      [limit],
    );
    return rows.map((r) => r.repository_id);
  }

  /** Asks for a full rebuild on the next run (the reindex trigger). */
  async requestRebuild(repositoryId: string): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO code_indexes (repository_id, status, rebuild_requested)
       VALUES ($1, 'indexing', true)
       ON CONFLICT (repository_id) DO UPDATE SET rebuild_requested = true, updated_at = now()`,
      [repositoryId],
    );
  }

  /**
   * Marks a run as started and takes the rebuild request (answering whether there was one),
   * with the options hash the current index was built with. Every part of the statement reads
   * the row as it was before it (FOR UPDATE would miss a row the same statement updates).
   */
  async start(
    repositoryId: string,
  ): Promise<{ rebuildRequested: boolean; optionsHash: string | null; firstRun: boolean }> {
    const rows = rowsOf(
      await this.dataSource.query<
        { rebuild_requested: boolean; options_hash: string | null; inserted: boolean }[]
      >(
        `WITH previous AS (
           SELECT rebuild_requested, options_hash FROM code_indexes WHERE repository_id = $1
         ), upserted AS (
           INSERT INTO code_indexes (repository_id, status, started_at)
           VALUES ($1, 'indexing', now())
           ON CONFLICT (repository_id) DO UPDATE
             SET status = 'indexing', rebuild_requested = false, started_at = now(), updated_at = now()
           RETURNING repository_id
         )
         SELECT coalesce((SELECT rebuild_requested FROM previous), false) AS rebuild_requested,
                (SELECT options_hash FROM previous) AS options_hash,
                NOT EXISTS (SELECT 1 FROM previous) AS inserted
         FROM upserted`,
        [repositoryId],
      ),
    );
    const row = rows[0];
    return {
      rebuildRequested: row.rebuild_requested,
      optionsHash: row.options_hash,
      firstRun: row.inserted,
    };
  }

  async finish(repositoryId: string, optionsHash: string, run: RunSummary): Promise<void> {
    await this.dataSource.query(
      `UPDATE code_indexes SET status = 'ready', options_hash = $2, last_error = NULL,
         last_run_full = $3, last_run_changed_files = $4, last_run_blobs_read = $5,
         last_run_took_ms = $6, updated_at = now()
       WHERE repository_id = $1`,
      [repositoryId, optionsHash, run.full, run.changedFiles, run.blobsRead, run.tookMs],
    );
  }

  /** Records a failed run; a rebuild that was asked for stays asked for. */
  async fail(repositoryId: string, message: string, rebuildRequested: boolean): Promise<void> {
    await this.dataSource.query(
      `UPDATE code_indexes SET status = 'failed', last_error = $2,
         rebuild_requested = rebuild_requested OR $3, updated_at = now()
       WHERE repository_id = $1`,
      [repositoryId, message.slice(0, 2000), rebuildRequested],
    );
  }

  async refs(repositoryId: string): Promise<IndexedRef[]> {
    const rows = await this.dataSource.query<{ ref: string; commit_sha: string }[]>(
      'SELECT ref, commit_sha FROM code_index_refs WHERE repository_id = $1',
      [repositoryId],
    );
    return rows.map((r) => ({ ref: r.ref, commitSha: r.commit_sha }));
  }

  /** The blobs of `shas` the index already holds. */
  async existingBlobs(shas: readonly string[]): Promise<Set<string>> {
    const found = new Set<string>();
    for (let i = 0; i < shas.length; i += FILE_CHUNK) {
      const rows = await this.dataSource.query<{ sha: string }[]>(
        'SELECT sha FROM code_blobs WHERE sha = ANY($1::text[])',
        [shas.slice(i, i + FILE_CHUNK)],
      );
      for (const row of rows) found.add(row.sha);
    }
    return found;
  }

  /**
   * Stores blobs (content-addressed, so a concurrent run storing the same blob is harmless)
   * and the chunks and symbols of those this statement inserted.
   */
  async storeBlobs(blobs: readonly BlobRow[]): Promise<void> {
    if (blobs.length === 0) return;
    await this.dataSource.transaction(async (manager) => {
      const inserted = await manager.query<{ sha: string }[]>(
        `INSERT INTO code_blobs (sha, bytes, language)
         SELECT * FROM unnest($1::text[], $2::int[], $3::text[])
         ON CONFLICT (sha) DO NOTHING
         RETURNING sha`,
        [blobs.map((b) => b.sha), blobs.map((b) => b.bytes), blobs.map((b) => b.language)],
      );
      const fresh = new Set(inserted.map((r) => r.sha));
      const chunks = blobs
        .filter((b) => fresh.has(b.sha))
        .flatMap((b) => chunkLines(b.content).map((c) => ({ ...c, sha: b.sha })));
      for (let i = 0; i < chunks.length; i += FILE_CHUNK) {
        const part = chunks.slice(i, i + FILE_CHUNK);
        await manager.query(
          `INSERT INTO code_chunks (blob_sha, line, content)
           SELECT * FROM unnest($1::text[], $2::int[], $3::text[])`,
          [part.map((c) => c.sha), part.map((c) => c.line), part.map((c) => c.content)],
        );
      }
      const symbols = blobs
        .filter((b) => fresh.has(b.sha) && b.language !== null)
        .flatMap((b) => b.symbols.map((s) => ({ ...s, sha: b.sha, language: b.language ?? '' })));
      for (let i = 0; i < symbols.length; i += FILE_CHUNK) {
        const chunk = symbols.slice(i, i + FILE_CHUNK);
        await manager.query(
          `INSERT INTO code_symbols (blob_sha, name, kind, language, line)
           SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int[])`,
          [
            chunk.map((s) => s.sha),
            chunk.map((s) => s.name),
            chunk.map((s) => s.kind),
            chunk.map((s) => s.language),
            chunk.map((s) => s.line),
          ],
        );
      }
    });
  }

  /**
   * The switch: in one transaction, the ref's files become those of `commitSha` (all of
   * `files` on a full run; `files` upserted and `removed` deleted on an incremental one) and
   * the ref points at the commit. Readers see the old commit's files or the new one's.
   */
  async switchRef(
    repositoryId: string,
    ref: string,
    commitSha: string,
    change: { full: boolean; files: readonly FileRow[]; removed: readonly string[] },
  ): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      await manager.query(
        `INSERT INTO code_index_refs (repository_id, ref, commit_sha, indexed_at, files, bytes, skipped)
         VALUES ($1, $2, $3, now(), 0, 0, 0)
         ON CONFLICT (repository_id, ref) DO UPDATE SET commit_sha = excluded.commit_sha, indexed_at = now()`,
        [repositoryId, ref, commitSha],
      );
      if (change.full) {
        await manager.query('DELETE FROM code_index_files WHERE repository_id = $1 AND ref = $2', [
          repositoryId,
          ref,
        ]);
      } else if (change.removed.length > 0) {
        await manager.query(
          'DELETE FROM code_index_files WHERE repository_id = $1 AND ref = $2 AND path = ANY($3::text[])',
          [repositoryId, ref, change.removed],
        );
      }
      for (let i = 0; i < change.files.length; i += FILE_CHUNK) {
        await this.upsertFiles(manager, repositoryId, ref, change.files.slice(i, i + FILE_CHUNK));
      }
      await manager.query(
        `UPDATE code_index_refs x SET
           files = t.files, bytes = t.bytes, skipped = t.skipped
         FROM (
           SELECT count(*) FILTER (WHERE blob_sha IS NOT NULL)::int AS files,
                  coalesce(sum(bytes) FILTER (WHERE blob_sha IS NOT NULL), 0) AS bytes,
                  count(*) FILTER (WHERE blob_sha IS NULL)::int AS skipped
           FROM code_index_files WHERE repository_id = $1 AND ref = $2
         ) t
         WHERE x.repository_id = $1 AND x.ref = $2`,
        [repositoryId, ref],
      );
    });
  }

  /**
   * Fresh statistics after a full run: a bulk load leaves the planner guessing (it then walks
   * every file of a ref to probe symbols, 14x slower on the bench corpus than with them).
   */
  async analyze(): Promise<void> {
    await this.dataSource.query('ANALYZE code_blobs, code_chunks, code_symbols, code_index_files');
  }

  /**
   * Moves the trigram indexes' pending entries into their main structure. Rows a run inserts
   * wait in a GIN index's pending list (fast inserts), which every search then reads in full
   * and rechecks: on the bench corpus ten pushes left 400 pending pages, most of a selective
   * query's reads. Merged once after a run, outside the switch readers wait for.
   */
  async mergePendingIndexEntries(): Promise<void> {
    await this.dataSource.query(
      `SELECT gin_clean_pending_list('code_chunks_content_trgm_idx'::regclass),
              gin_clean_pending_list('code_symbols_name_trgm_idx'::regclass)`,
    );
  }

  /** Refs no longer indexed go, with their files (cascade). */
  async dropRefsExcept(repositoryId: string, keep: readonly string[]): Promise<void> {
    await this.dataSource.query(
      'DELETE FROM code_index_refs WHERE repository_id = $1 AND NOT (ref = ANY($2::text[]))',
      [repositoryId, keep],
    );
  }

  private async upsertFiles(
    manager: EntityManager,
    repositoryId: string,
    ref: string,
    files: readonly FileRow[],
  ): Promise<void> {
    await manager.query(
      `INSERT INTO code_index_files (repository_id, ref, path, blob_sha, language, bytes, skipped_reason)
       SELECT $1, $2, * FROM unnest($3::text[], $4::text[], $5::text[], $6::bigint[], $7::text[])
       ON CONFLICT (repository_id, ref, path) DO UPDATE SET
         blob_sha = excluded.blob_sha, language = excluded.language, bytes = excluded.bytes,
         skipped_reason = excluded.skipped_reason`,
      [
        repositoryId,
        ref,
        files.map((f) => f.path),
        files.map((f) => f.blobSha),
        files.map((f) => f.language),
        files.map((f) => f.bytes),
        files.map((f) => f.skippedReason),
      ],
    );
  }

  /** Deletes up to `limit` blobs no indexed file refers to, older than `graceMs`; answers how many. */
  async deleteUnreferencedBlobs(graceMs: number, limit: number): Promise<number> {
    const deleted = rowsOf(
      await this.dataSource.query<{ sha: string }[]>(
        `DELETE FROM code_blobs WHERE sha IN (
           SELECT b.sha FROM code_blobs b
           WHERE b.created_at < now() - make_interval(secs => $1::double precision / 1000)
             AND NOT EXISTS (SELECT 1 FROM code_index_files f WHERE f.blob_sha = b.sha)
           LIMIT $2
         ) RETURNING sha`,
        [graceMs, limit],
      ),
    );
    return deleted.length;
  }

  /** Which of these repository ids still exist. */
  async existingRepositoryIds(ids: string[]): Promise<Set<string>> {
    const rows = await this.dataSource.query<{ id: string }[]>(
      'SELECT id::text AS id FROM repositories WHERE id = ANY($1::uuid[])',
      [ids],
    );
    return new Set(rows.map((r) => r.id));
  }
}
