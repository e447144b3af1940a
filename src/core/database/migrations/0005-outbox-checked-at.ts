import { Migration } from '../migration';

/**
 * When the outbox sweep last looked for a delivery's job. The sweep used to move `queued_at`
 * forward to rotate its checks through a backlog, so `queued_at` stopped meaning "handed to the
 * queue". Not indexed, so that writing it is a HOT update.
 */
export const outboxCheckedAt: Migration = {
  id: '0005_outbox_checked_at',
  up: `ALTER TABLE deliveries ADD COLUMN checked_at timestamptz;`,
  down: `ALTER TABLE deliveries DROP COLUMN checked_at;`,
};
