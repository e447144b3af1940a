import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

/** A value percentiles are taken over, counted per day and bin in metric_value_bins. */
export type BinnedMeasure =
  'lead' | 'coding' | 'pickup' | 'review' | 'deploy' | 'cycle' | 'size' | 'reviews';

interface FactColumn {
  table: string;
  column: string;
  /** The fact's time: it decides the window and the day of its bin. */
  time: string;
  integer: boolean;
}

const FACTS: Record<BinnedMeasure, FactColumn> = {
  lead: { table: 'metric_changes', column: 'lead_seconds', time: 'deployed_at', integer: false },
  coding: pr('coding_seconds'),
  pickup: pr('pickup_seconds'),
  review: pr('review_seconds'),
  deploy: pr('deploy_seconds'),
  cycle: pr('cycle_seconds'),
  size: { ...pr('size'), integer: true },
  reviews: { ...pr('reviews'), integer: true },
};

function pr(column: string): FactColumn {
  return { table: 'metric_pull_requests', column, time: 'merged_at', integer: false };
}

/** Exact statistics of one measure over one interval. */
export interface BinnedStats {
  count: number;
  /** Sum ÷ count; null without values. */
  mean: number | null;
  /** One per fraction asked for, with linear interpolation (as percentile_cont); null without values. */
  percentiles: (number | null)[];
}

const DAY_MS = 24 * 3600 * 1000;
const dayOf = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/**
 * The values of bin b of hookyard_metric_bin (migration 0014) lie between these bounds, widened
 * a little against rounding; the exact bin is checked beside them. They are double precision
 * (not numeric), so that the comparison can use the index on the value.
 */
const lowerBound = (b: string) =>
  `(CASE WHEN ${b} = 0 THEN -1 WHEN ${b} > 0 THEN exp((${b} - 1) / 50::float8)
         ELSE -exp(-${b} / 50::float8) END)`;
const upperBound = (b: string) =>
  `(CASE WHEN ${b} = 0 THEN 1 WHEN ${b} > 0 THEN exp(${b} / 50::float8)
         ELSE -exp((-${b} - 1) / 50::float8) END)`;

interface BinRow {
  i: string;
  bin: number;
  n: number;
  total: number;
  lo: number;
  hi: number;
}

interface Wanted {
  interval: number;
  rank: number;
  bin: number;
  offset: number;
}

/**
 * Exact percentiles without sorting every value of the window: the bins of the window's whole
 * days (and the facts of its partial first and last days) give how many values lie below each
 * bin, so the bin holding a rank is known; only that bin's values are then read, in order,
 * from the fact table's index on the value.
 */
@Injectable()
export class ValueBinsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async stats(
    measure: BinnedMeasure,
    intervals: Array<[number, number]>,
    fractions: number[],
  ): Promise<BinnedStats[]> {
    const bins = await this.binsOf(measure, intervals);
    const wanted: Wanted[] = [];
    const known = new Map<string, number>();
    const plans = intervals.map((_, interval) => {
      const rows = bins[interval];
      const count = rows.reduce((sum, r) => sum + r.n, 0);
      const total = rows.reduce((sum, r) => sum + r.total, 0);
      const ranks = fractions.map((p) => {
        const position = p * (count - 1);
        return { position, lo: Math.floor(position), hi: Math.ceil(position) };
      });
      if (count > 0) {
        for (const rank of new Set(ranks.flatMap((r) => [r.lo, r.hi]))) {
          let below = 0;
          for (const row of rows) {
            if (rank < below + row.n) {
              // A bin whose bounds meet holds that one value: nothing to read.
              if (row.lo === row.hi) known.set(`${interval}:${rank}`, row.lo);
              else wanted.push({ interval, rank, bin: row.bin, offset: rank - below });
              break;
            }
            below += row.n;
          }
        }
      }
      return { count, total, ranks };
    });
    const values = await this.valuesAt(measure, intervals, wanted);
    for (const [key, value] of known) values.set(key, value);
    return plans.map((plan, interval) => ({
      count: plan.count,
      mean: plan.count > 0 ? plan.total / plan.count : null,
      percentiles: plan.ranks.map(({ position, lo, hi }) => {
        if (plan.count === 0) return null;
        const low = values.get(`${interval}:${lo}`);
        const high = values.get(`${interval}:${hi}`);
        if (low === undefined || high === undefined) {
          throw new Error(`metric_value_bins disagree with ${FACTS[measure].table} (${measure})`);
        }
        // As PostgreSQL's percentile_cont interpolates.
        return low + (high - low) * (position - lo);
      }),
    }));
  }

  /** Per interval, the non-empty bins in ascending order with their counts and sums. */
  private async binsOf(
    measure: BinnedMeasure,
    intervals: Array<[number, number]>,
  ): Promise<BinRow[][]> {
    const fact = FACTS[measure];
    const days: Array<[number, string, string]> = [];
    const edges: Array<[number, string, string]> = [];
    intervals.forEach(([from, to], i) => {
      const firstDay = Math.ceil(from / DAY_MS) * DAY_MS;
      const endDay = Math.floor(to / DAY_MS) * DAY_MS;
      if (firstDay < endDay) {
        days.push([i + 1, dayOf(firstDay), dayOf(endDay)]);
        if (from < firstDay)
          edges.push([i + 1, new Date(from).toISOString(), new Date(firstDay).toISOString()]);
        if (endDay < to)
          edges.push([i + 1, new Date(endDay).toISOString(), new Date(to).toISOString()]);
      } else {
        edges.push([i + 1, new Date(from).toISOString(), new Date(to).toISOString()]);
      }
    });
    const rows = await this.dataSource.query<BinRow[]>(
      `SELECT i, bin, sum(n)::float8 AS n, sum(total)::float8 AS total, min(lo) AS lo, max(hi) AS hi
       FROM (
         SELECT d.i, v.bin, v.n, v.total, v.lo, v.hi
         FROM unnest($2::int[], $3::date[], $4::date[]) AS d(i, lo, hi)
         JOIN metric_value_bins v ON v.measure = $1 AND v.day >= d.lo AND v.day < d.hi
         UNION ALL
         SELECT e.i, hookyard_metric_bin(f.${fact.column}), 1, f.${fact.column}, f.${fact.column},
                f.${fact.column}
         FROM unnest($5::int[], $6::timestamptz[], $7::timestamptz[]) AS e(i, lo, hi)
         JOIN ${fact.table} f ON f.${fact.time} >= e.lo AND f.${fact.time} < e.hi
         WHERE f.${fact.column} IS NOT NULL
       ) x GROUP BY i, bin HAVING sum(n) <> 0 ORDER BY i, bin`,
      [
        measure,
        days.map((d) => d[0]),
        days.map((d) => d[1]),
        days.map((d) => d[2]),
        edges.map((e) => e[0]),
        edges.map((e) => e[1]),
        edges.map((e) => e[2]),
      ],
    );
    const out: BinRow[][] = intervals.map(() => []);
    for (const row of rows) out[Number(row.i) - 1].push(row);
    return out;
  }

  /** The value at each wanted rank: its offset within its bin, in the interval. */
  private async valuesAt(
    measure: BinnedMeasure,
    intervals: Array<[number, number]>,
    wanted: Wanted[],
  ): Promise<Map<string, number>> {
    if (wanted.length === 0) return new Map();
    const { table, column, time, integer } = FACTS[measure];
    const [lower, upper] = integer
      ? [`floor(${lowerBound('q.bin')})::integer`, `ceil(${upperBound('q.bin')})::integer`]
      : [
          `${lowerBound('q.bin')} - abs(${lowerBound('q.bin')}) * 1e-9 - 1e-9`,
          `${upperBound('q.bin')} + abs(${upperBound('q.bin')}) * 1e-9 + 1e-9`,
        ];
    const rows = await this.dataSource.query<{ k: string; value: number }[]>(
      `SELECT q.k, v.value::float8 AS value
       FROM unnest($1::timestamptz[], $2::timestamptz[], $3::int[], $4::int[])
         WITH ORDINALITY AS q(lo, hi, bin, off, k)
       CROSS JOIN LATERAL (
         SELECT f.${column} AS value FROM ${table} f
         WHERE f.${column} >= ${lower} AND f.${column} <= ${upper}
           AND hookyard_metric_bin(f.${column}) = q.bin AND f.${time} >= q.lo AND f.${time} < q.hi
         ORDER BY f.${column} OFFSET q.off LIMIT 1) v`,
      [
        wanted.map((w) => new Date(intervals[w.interval][0]).toISOString()),
        wanted.map((w) => new Date(intervals[w.interval][1]).toISOString()),
        wanted.map((w) => w.bin),
        wanted.map((w) => w.offset),
      ],
    );
    const out = new Map<string, number>();
    for (const row of rows) {
      const w = wanted[Number(row.k) - 1];
      out.set(`${w.interval}:${w.rank}`, row.value);
    }
    return out;
  }

  /**
   * Folds the rows of each (measure, day, bin) into one and drops empty ones. Rows appended
   * meanwhile by a refresh are not yet visible to the DELETE and stay as they are; two folds at
   * once each re-add only what their own DELETE removed.
   */
  async compact(): Promise<number> {
    const [row] = await this.dataSource.query<{ n: string }[]>(
      `WITH folded AS (
         SELECT measure, day, bin FROM metric_value_bins
         GROUP BY measure, day, bin HAVING count(*) > 1 OR sum(n) = 0
       ),
       gone AS (
         DELETE FROM metric_value_bins v USING folded f
         WHERE v.measure = f.measure AND v.day = f.day AND v.bin = f.bin
         RETURNING v.measure, v.day, v.bin, v.n, v.total, v.lo, v.hi
       ),
       added AS (
         INSERT INTO metric_value_bins (measure, day, bin, n, total, lo, hi)
         SELECT measure, day, bin, sum(n), sum(total), min(lo), max(hi) FROM gone
         GROUP BY measure, day, bin HAVING sum(n) <> 0
         RETURNING 1
       )
       SELECT (SELECT count(*) FROM gone) - (SELECT count(*) FROM added) AS n`,
    );
    return Number(row.n);
  }
}
