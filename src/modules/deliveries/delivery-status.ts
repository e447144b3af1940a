import { sqlList } from '../../core/database/sql';

export enum DeliveryStatus {
  Received = 'received',
  Queued = 'queued',
  Processing = 'processing',
  Processed = 'processed',
  Ignored = 'ignored',
  Failed = 'failed',
  Dead = 'dead',
  Cancelled = 'cancelled',
}

export const ALL_DELIVERY_STATUSES: readonly DeliveryStatus[] = Object.values(DeliveryStatus);

/** Statuses after which the worker never touches the delivery again (unless replayed). */
export const FINAL_STATUSES: readonly DeliveryStatus[] = [
  DeliveryStatus.Processed,
  DeliveryStatus.Ignored,
  DeliveryStatus.Dead,
  DeliveryStatus.Cancelled,
];

/** FINAL_STATUSES as a SQL list, for `status NOT IN (…)` conditions. */
export const FINAL_STATUSES_SQL = sqlList(FINAL_STATUSES);
