/** A hand-written SQL migration. `up` and `down` run each in one transaction. */
export interface Migration {
  /** Sortable and unique, e.g. `0001_deliveries`. */
  readonly id: string;
  readonly up: string;
  readonly down: string;
}
