import { Migration } from '../migration';
import { deliveriesAndSources } from './0001-deliveries-and-sources';
import { activity } from './0002-activity';

/** Every migration, oldest first. Append only. */
export const MIGRATIONS: readonly Migration[] = [deliveriesAndSources, activity];
