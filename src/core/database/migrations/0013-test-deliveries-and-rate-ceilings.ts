import { Migration } from '../migration';

/**
 * Test deliveries (POST /api/v1/admin/sources/…/test) are stored like any other and marked, so
 * that they are told apart in listings and queue no follow-up work; a named source may set a
 * ceiling on the webhooks it accepts per minute (NULL: none, the default).
 */
export const testDeliveriesAndRateCeilings: Migration = {
  id: '0013_test_deliveries_and_rate_ceilings',
  up: `
    ALTER TABLE deliveries ADD COLUMN test boolean NOT NULL DEFAULT false;
    ALTER TABLE webhook_sources ADD COLUMN rate_limit_per_minute integer
      CONSTRAINT webhook_sources_rate_limit_per_minute_check
      CHECK (rate_limit_per_minute BETWEEN 1 AND 1000000);`,
  down: `
    ALTER TABLE webhook_sources DROP COLUMN rate_limit_per_minute;
    ALTER TABLE deliveries DROP COLUMN test;`,
};
