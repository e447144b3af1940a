import { Migration } from '../migration';
import { deliveriesAndSources } from './0001-deliveries-and-sources';
import { activity } from './0002-activity';
import { apiKeysAndAudit } from './0003-api-keys-and-audit';
import { processingHotPath } from './0004-processing-hot-path';
import { outboxCheckedAt } from './0005-outbox-checked-at';
import { sourceProviders } from './0008-source-providers';
import { forgeAccess } from './0009-forge-access';
import { metrics } from './0010-metrics';
import { codeIndex } from './0011-code-index';
import { analysis } from './0012-analysis';
import { testDeliveriesAndRateCeilings } from './0013-test-deliveries-and-rate-ceilings';
import { metricsCiAndPercentiles } from './0014-metrics-ci-and-percentiles';
import { codeIndexBranches } from './0015-code-index-branches';
import { deliveriesRepositoryIndex } from './0016-deliveries-repository-index';

/** Every migration, oldest first. Append only. */
export const MIGRATIONS: readonly Migration[] = [
  deliveriesAndSources,
  activity,
  apiKeysAndAudit,
  processingHotPath,
  outboxCheckedAt,
  sourceProviders,
  forgeAccess,
  metrics,
  codeIndex,
  analysis,
  testDeliveriesAndRateCeilings,
  metricsCiAndPercentiles,
  codeIndexBranches,
  deliveriesRepositoryIndex,
];
