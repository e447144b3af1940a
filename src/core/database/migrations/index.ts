import { Migration } from '../migration';
import { deliveriesAndSources } from './0001-deliveries-and-sources';
import { activity } from './0002-activity';
import { apiKeysAndAudit } from './0003-api-keys-and-audit';
import { processingHotPath } from './0004-processing-hot-path';
import { outboxCheckedAt } from './0005-outbox-checked-at';
import { forgeAccess } from './0009-forge-access';

/** Every migration, oldest first. Append only. */
export const MIGRATIONS: readonly Migration[] = [
  deliveriesAndSources,
  activity,
  apiKeysAndAudit,
  processingHotPath,
  outboxCheckedAt,
  forgeAccess,
];
