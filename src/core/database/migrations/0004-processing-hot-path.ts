import { Migration } from '../migration';

/**
 * What the worker's write path needs to be one cheap statement per delivery.
 *
 * 1. `hookyard_require_rows(found, expected, message)` raises SQLSTATE HYK01 when `found` is
 *    below `expected`. A closing statement of units of work calls it on how many of its guards
 *    (the deliveries' claims) returned a row, so that every write sent with them in the same
 *    statement is rolled back when one guard found nothing. A function, not an expression, so
 *    the planner cannot fold the error into every plan. (Not `found`: plpgsql reserves it.)
 * 2. Commits, the largest table, lose their foreign keys: each inserted commit paid three
 *    lookups with row locks (about 40% of the insert), and every concurrent delivery share-locked
 *    the same repository and author rows. The worker writes only ids of committed rows, and
 *    nothing in the application deletes repositories or identities.
 * 3. The status index keeps only the statuses anyone looks for by index (the outbox, the sweep,
 *    failures and dead letters), so that finishing a delivery writes no entry to it.
 */
export const processingHotPath: Migration = {
  id: '0004_processing_hot_path',
  up: `
    CREATE FUNCTION hookyard_require_rows(rows_found bigint, expected bigint, message text)
    RETURNS bigint
    LANGUAGE plpgsql VOLATILE AS $fn$
    BEGIN
      IF rows_found < expected THEN
        RAISE EXCEPTION USING ERRCODE = 'HYK01', MESSAGE = message;
      END IF;
      RETURN rows_found;
    END
    $fn$;

    ALTER TABLE commits
      DROP CONSTRAINT commits_repository_id_fkey,
      DROP CONSTRAINT commits_author_identity_id_fkey,
      DROP CONSTRAINT commits_committer_identity_id_fkey;

    DROP INDEX deliveries_status_idx;
    CREATE INDEX deliveries_status_idx ON deliveries (status, received_at DESC)
      WHERE status IN ('received', 'queued', 'processing', 'failed', 'dead');
  `,
  down: `
    DROP INDEX deliveries_status_idx;
    CREATE INDEX deliveries_status_idx ON deliveries (status, received_at DESC);

    ALTER TABLE commits
      ADD CONSTRAINT commits_repository_id_fkey FOREIGN KEY (repository_id)
        REFERENCES repositories (id) ON DELETE CASCADE,
      ADD CONSTRAINT commits_author_identity_id_fkey FOREIGN KEY (author_identity_id)
        REFERENCES identities (id),
      ADD CONSTRAINT commits_committer_identity_id_fkey FOREIGN KEY (committer_identity_id)
        REFERENCES identities (id);

    DROP FUNCTION hookyard_require_rows(bigint, bigint, text);
  `,
};
