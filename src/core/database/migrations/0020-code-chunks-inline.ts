import { Migration } from '../migration';

/**
 * Chunk contents stay in the table's own pages (compressed there) instead of moving out of
 * line. With the default storage a ~4 KB chunk that compresses to more than ~2 KB went to the
 * TOAST table, so rechecking each candidate of the trigram index cost a TOAST index lookup and
 * several page reads: on the bench corpus that recheck was most of a selective query's time
 * (about 9 buffers per candidate, against 1-2 inline). Rows already written keep their
 * storage, so the derived index is emptied, as in 0015, and each repository rebuilds in full
 * (the scheduler queues those runs).
 */
export const codeChunksInline: Migration = {
  id: '0020_code_chunks_inline',
  up: `
    DELETE FROM code_index_refs;
    DELETE FROM code_blobs;
    UPDATE code_indexes SET options_hash = NULL, rebuild_requested = true;
    ALTER TABLE code_chunks ALTER COLUMN content SET STORAGE MAIN;
  `,
  down: `
    ALTER TABLE code_chunks ALTER COLUMN content SET STORAGE EXTENDED;
  `,
};
