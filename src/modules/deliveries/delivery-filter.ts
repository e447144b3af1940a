import type { Provider } from '../webhooks/providers/provider-adapter';
import type { DeliveryStatus } from './delivery-status';

/** Which deliveries a listing or a bulk replay applies to. All fields narrow the set. */
export interface DeliveryFilter {
  provider?: Provider;
  source?: string;
  event?: string;
  status?: DeliveryStatus;
  repository?: string;
  /** ISO timestamps, inclusive lower bound and exclusive upper bound on received_at. */
  receivedFrom?: string;
  receivedTo?: string;
}
