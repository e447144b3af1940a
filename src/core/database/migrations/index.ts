import { Migration } from '../migration';
import { deliveriesAndSources } from './0001-deliveries-and-sources';

/** Every migration, oldest first. Append only. */
export const MIGRATIONS: readonly Migration[] = [deliveriesAndSources];
