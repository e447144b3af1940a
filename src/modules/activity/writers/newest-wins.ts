import { sqlLiteral } from '../../../core/database/sql';

/**
 * The SQL of "newest state wins" for upserts (`INSERT … ON CONFLICT DO UPDATE`): records move
 * forward in the forge's own time (`updated_at`), so deliveries can arrive in any order.
 */

/** A state column whose states only move forward: `order` from first to furthest. */
export interface StateOrder {
  column: string;
  order: readonly [string, ...string[]];
}

export const PULL_REQUEST_STATES: StateOrder = {
  column: 'state',
  order: ['open', 'closed', 'merged'],
};
export const ISSUE_STATES: StateOrder = PULL_REQUEST_STATES;
export const CI_STATUSES: StateOrder = {
  column: 'status',
  order: ['queued', 'in_progress', 'completed'],
};

/** `CASE <expression> WHEN <furthest> THEN n … ELSE 0 END` */
function rank(expression: string, states: StateOrder): string {
  const whens = states.order
    .map((state, i) => ({ state, i }))
    .slice(1)
    .reverse()
    .map(({ state, i }) => `WHEN ${sqlLiteral(state)} THEN ${i}`);
  return `CASE ${expression} ${whens.join(' ')} ELSE 0 END`;
}

/**
 * True when the incoming row is newer than the stored one by the forge's clock; on a tie, the
 * further state wins (merged over closed over open), so any order converges.
 */
export function incomingIsNewer(table: string, states: StateOrder): string {
  const incoming = rank(`excluded.${states.column}`, states);
  const stored = rank(`${table}.${states.column}`, states);
  return `(excluded.updated_at > ${table}.updated_at OR (excluded.updated_at = ${table}.updated_at AND ${incoming} > ${stored}))`;
}

/** True when the incoming row is at least as new as the stored one (no state order). */
export function incomingIsAsNew(table: string): string {
  return `excluded.updated_at >= ${table}.updated_at`;
}

/** `column = <incoming if condition, else stored>` for each column. */
export function takeIfNewer(table: string, condition: string, columns: readonly string[]): string {
  return columns
    .map((c) => `${c} = CASE WHEN ${condition} THEN excluded.${c} ELSE ${table}.${c} END`)
    .join(',\n');
}

/**
 * A newer open snapshot clears closed_at (reopened); a newer closed one without a time (some
 * forges only send it on the closing event) keeps the one already stored.
 */
export function closedAt(table: string, condition: string): string {
  return `closed_at = CASE WHEN NOT ${condition} THEN ${table}.closed_at
                           WHEN excluded.state = 'open' THEN NULL
                           ELSE coalesce(excluded.closed_at, ${table}.closed_at) END`;
}
