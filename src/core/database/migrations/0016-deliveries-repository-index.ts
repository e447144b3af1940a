import { Migration } from '../migration';

/**
 * The source a repository's webhooks come through is looked up from its newest delivery
 * (ForgeAccessStore.repository, before every outbound call for the repository: analysis logs,
 * feedback, indexing, reconciliation). Without an index that walked deliveries_received_idx
 * from the newest row until one matched: the whole table for a quiet repository. Partial: a
 * delivery without a repository (pings, organisation events) is never looked up this way.
 */
export const deliveriesRepositoryIndex: Migration = {
  id: '0016_deliveries_repository_index',
  up: `
    CREATE INDEX deliveries_repository_idx ON deliveries (provider, repository, received_at DESC)
      WHERE repository IS NOT NULL;
  `,
  down: `
    DROP INDEX deliveries_repository_idx;
  `,
};
