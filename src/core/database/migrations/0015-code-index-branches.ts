import { Migration } from '../migration';

/**
 * Branches indexed besides the default one, per repository: exact names or globs, owned by
 * the code index (changing them starts an index run, not a metrics recompute).
 *
 * Contents move from one row per blob to chunks of whole lines (about 4 KB each), which the
 * trigram index covers instead: a candidate is a chunk whose lines hold every trigram, not a
 * whole file that holds them somewhere, and rechecking it reads a few KB rather than the
 * file. The index is derived from git, so it is emptied here and each repository rebuilds in
 * full at its next run (a push, or the reindex trigger).
 */
export const codeIndexBranches: Migration = {
  id: '0015_code_index_branches',
  up: `
    CREATE TABLE code_index_settings (
      repository_id uuid PRIMARY KEY REFERENCES repositories (id) ON DELETE CASCADE,
      branches text[] NOT NULL DEFAULT '{}',
      updated_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT code_index_settings_branches_check CHECK (cardinality(branches) <= 50)
    );

    DELETE FROM code_index_refs;
    DELETE FROM code_blobs;
    UPDATE code_indexes SET options_hash = NULL, rebuild_requested = true;
    DROP INDEX code_blobs_content_trgm_idx;
    ALTER TABLE code_blobs DROP COLUMN content;
    CREATE TABLE code_chunks (
      blob_sha text NOT NULL REFERENCES code_blobs (sha) ON DELETE CASCADE,
      line integer NOT NULL,
      content text NOT NULL,
      PRIMARY KEY (blob_sha, line)
    );
    CREATE INDEX code_chunks_content_trgm_idx ON code_chunks USING gin (content gin_trgm_ops);
  `,
  down: `
    DROP TABLE code_chunks;
    DELETE FROM code_index_refs;
    DELETE FROM code_blobs;
    UPDATE code_indexes SET options_hash = NULL, rebuild_requested = true;
    ALTER TABLE code_blobs ADD COLUMN content text NOT NULL;
    CREATE INDEX code_blobs_content_trgm_idx ON code_blobs USING gin (content gin_trgm_ops);
    DROP TABLE code_index_settings;
  `,
};
