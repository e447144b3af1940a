import { Migration } from '../migration';

/**
 * The code index. Blob contents are stored once by git blob SHA (`code_blobs`), with a trigram
 * index for literal and regular-expression search; `code_index_files` maps each indexed ref's
 * paths to blobs and is switched in one transaction per run, so readers see one commit or the
 * next, never a mix. Symbols belong to a blob, so they are extracted once per content.
 */
export const codeIndex: Migration = {
  id: '0011_code_index',
  up: `
    CREATE EXTENSION IF NOT EXISTS pg_trgm;

    CREATE TABLE code_blobs (
      sha text PRIMARY KEY,
      content text NOT NULL,
      bytes integer NOT NULL,
      language text,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX code_blobs_content_trgm_idx ON code_blobs USING gin (content gin_trgm_ops);

    CREATE TABLE code_symbols (
      id bigserial PRIMARY KEY,
      blob_sha text NOT NULL REFERENCES code_blobs (sha) ON DELETE CASCADE,
      name text NOT NULL,
      kind text NOT NULL,
      language text NOT NULL,
      line integer NOT NULL
    );
    CREATE INDEX code_symbols_blob_idx ON code_symbols (blob_sha);
    CREATE INDEX code_symbols_name_trgm_idx ON code_symbols USING gin (lower(name) gin_trgm_ops);
    CREATE INDEX code_symbols_name_prefix_idx ON code_symbols (lower(name) text_pattern_ops);

    CREATE TABLE code_indexes (
      repository_id uuid PRIMARY KEY REFERENCES repositories (id) ON DELETE CASCADE,
      status text NOT NULL CHECK (status IN ('indexing', 'ready', 'failed')),
      rebuild_requested boolean NOT NULL DEFAULT false,
      options_hash text,
      last_error text,
      last_run_full boolean,
      last_run_changed_files integer,
      last_run_blobs_read integer,
      last_run_took_ms integer,
      started_at timestamptz,
      updated_at timestamptz NOT NULL DEFAULT now()
    );

    CREATE TABLE code_index_refs (
      repository_id uuid NOT NULL REFERENCES repositories (id) ON DELETE CASCADE,
      ref text NOT NULL,
      commit_sha text NOT NULL,
      indexed_at timestamptz NOT NULL,
      files integer NOT NULL,
      bytes bigint NOT NULL,
      skipped integer NOT NULL,
      PRIMARY KEY (repository_id, ref)
    );

    CREATE TABLE code_index_files (
      repository_id uuid NOT NULL,
      ref text NOT NULL,
      path text NOT NULL,
      blob_sha text,
      language text,
      bytes bigint NOT NULL,
      skipped_reason text,
      PRIMARY KEY (repository_id, ref, path),
      FOREIGN KEY (repository_id, ref) REFERENCES code_index_refs (repository_id, ref) ON DELETE CASCADE,
      CHECK ((blob_sha IS NULL) = (skipped_reason IS NOT NULL))
    );
    CREATE INDEX code_index_files_blob_idx ON code_index_files (blob_sha) WHERE blob_sha IS NOT NULL;
  `,
  down: `
    DROP TABLE code_index_files;
    DROP TABLE code_index_refs;
    DROP TABLE code_indexes;
    DROP TABLE code_symbols;
    DROP TABLE code_blobs;
  `,
};
