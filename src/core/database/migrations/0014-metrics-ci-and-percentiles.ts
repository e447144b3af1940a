import { Migration } from '../migration';

/** The measures metric_value_bins counts (kept in step with metrics/value-bins.ts). */
const MEASURES = ['lead', 'coding', 'pickup', 'review', 'deploy', 'cycle', 'size', 'reviews'];

/** Pull-request measures and their columns in metric_pull_requests. */
const PULL_REQUEST_MEASURES: ReadonlyArray<[string, string]> = [
  ['coding', 'coding_seconds'],
  ['pickup', 'pickup_seconds'],
  ['review', 'review_seconds'],
  ['deploy', 'deploy_seconds'],
  ['cycle', 'cycle_seconds'],
  ['size', 'size'],
  ['reviews', 'reviews'],
];

/** Bin counts of lead times in `rows`, signed by `sign` (+1 added, −1 removed). */
function changeBins(rows: string, sign: 1 | -1): string {
  return `SELECT 'lead', (deployed_at AT TIME ZONE 'UTC')::date, hookyard_metric_bin(lead_seconds),
            ${sign} * count(*), ${sign} * sum(lead_seconds), min(lead_seconds), max(lead_seconds)
     FROM ${rows} GROUP BY 2, 3`;
}

/** Bin counts of every pull-request measure in `rows`, signed by `sign`. */
function pullRequestBins(rows: string, sign: 1 | -1): string {
  return PULL_REQUEST_MEASURES.map(
    ([measure, column]) => `SELECT '${measure}', (merged_at AT TIME ZONE 'UTC')::date,
            hookyard_metric_bin(${column}), ${sign} * count(*), ${sign} * sum(${column}),
            min(${column}), max(${column})
     FROM ${rows} WHERE ${column} IS NOT NULL GROUP BY 2, 3`,
  ).join('\n     UNION ALL ');
}

function binsFunction(name: string, select: string): string {
  return `
    CREATE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $fn$
    BEGIN
      INSERT INTO metric_value_bins (measure, day, bin, n, total, lo, hi) ${select};
      RETURN NULL;
    END
    $fn$;`;
}

/** Inserts add their bins, deletes subtract theirs, an update does both. */
function binsTriggers(table: string, fn: string): string {
  const trigger = (name: string, event: string, transition: string, suffix: 'in' | 'out') => `
    CREATE TRIGGER ${table}_bins_${name} AFTER ${event} ON ${table}
      REFERENCING ${transition} FOR EACH STATEMENT EXECUTE FUNCTION ${fn}_${suffix}();`;
  return [
    trigger('insert', 'INSERT', 'NEW TABLE AS new_rows', 'in'),
    trigger('delete', 'DELETE', 'OLD TABLE AS old_rows', 'out'),
    trigger('update_in', 'UPDATE', 'NEW TABLE AS new_rows', 'in'),
    trigger('update_out', 'UPDATE', 'OLD TABLE AS old_rows', 'out'),
  ].join('');
}

/**
 * Metrics, second step (issue 12).
 *
 * CI deployments: a successful job whose name matches the repository's CI deployment pattern
 * is a deployment of its own (source `ci_job`), unless its run's name matches too (then the run
 * is the deployment). A run or job may move in time (a re-run completes later than the first
 * attempt): its change mark is its creation, which precedes every completion, so the refresh
 * drops the row it wrote for the earlier completion. Jobs now mark too.
 *
 * Exact percentiles without sorting a year of rows: every value a percentile is taken over
 * (lead times; the pull-request phases, sizes and review counts) is counted, per UTC day of its
 * fact, in a logarithmic bin (hookyard_metric_bin: about 2 % wide) in metric_value_bins, with
 * the sum of its values and bounds (lo, hi: a bin whose bounds meet holds one value only). A percentile over a window adds the bins of the window's days (and the
 * facts of its partial first and last days), finds the bin holding each rank it needs, and reads
 * the exact values of that bin from the fact table through an index on the value. Statement
 * triggers on the fact tables append the counts (inserts add, deletes subtract), so no two
 * refreshes ever update the same row; metrics upkeep folds them together.
 */
export const metricsCiAndPercentiles: Migration = {
  id: '0014_metrics_ci_and_percentiles',
  up: `
    ALTER TABLE metric_deployments DROP CONSTRAINT metric_deployments_source_check;
    ALTER TABLE metric_deployments ADD CONSTRAINT metric_deployments_source_check
      CHECK (source IN ('deployment', 'ci_run', 'ci_job'));

    CREATE OR REPLACE FUNCTION hookyard_dirty_ci_runs() RETURNS trigger LANGUAGE plpgsql AS $fn$
    BEGIN
      INSERT INTO metric_dirty (repository_id, since, kind)
      SELECT repository_id, min(created_at), 'ci_run' FROM new_rows GROUP BY repository_id;
      RETURN NULL;
    END
    $fn$;

    CREATE FUNCTION hookyard_dirty_ci_jobs() RETURNS trigger LANGUAGE plpgsql AS $fn$
    BEGIN
      INSERT INTO metric_dirty (repository_id, since, kind)
      SELECT repository_id, min(created_at), 'ci_run' FROM new_rows GROUP BY repository_id;
      RETURN NULL;
    END
    $fn$;
    CREATE TRIGGER ci_jobs_metric_dirty_insert AFTER INSERT ON ci_jobs
      REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION hookyard_dirty_ci_jobs();
    CREATE TRIGGER ci_jobs_metric_dirty_update AFTER UPDATE ON ci_jobs
      REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION hookyard_dirty_ci_jobs();

    CREATE FUNCTION hookyard_metric_bin(v double precision) RETURNS integer
      LANGUAGE sql IMMUTABLE PARALLEL SAFE
      AS $fn$ SELECT CASE WHEN abs(v) < 1 THEN 0
                          ELSE (sign(v) * (1 + floor(ln(abs(v)) * 50)))::integer END $fn$;

    CREATE TABLE metric_value_bins (
      id bigserial PRIMARY KEY,
      measure text NOT NULL CHECK (measure IN (${MEASURES.map((m) => `'${m}'`).join(', ')})),
      day date NOT NULL,
      bin integer NOT NULL,
      n integer NOT NULL,
      total double precision NOT NULL,
      lo double precision NOT NULL,
      hi double precision NOT NULL
    );
    CREATE INDEX metric_value_bins_day_idx ON metric_value_bins (measure, day) INCLUDE (bin, n, total, lo, hi);

    CREATE INDEX metric_changes_lead_idx ON metric_changes (lead_seconds) INCLUDE (deployed_at);
    CREATE INDEX metric_review_turnarounds_reviewer_idx ON metric_review_turnarounds
      (reviewer_identity_id, merged_at) INCLUDE (turnaround_seconds, repository_id);
    ${PULL_REQUEST_MEASURES.map(
      ([measure, column]) =>
        `CREATE INDEX metric_pull_requests_${measure}_idx ON metric_pull_requests (${column}) INCLUDE (merged_at);`,
    ).join('\n    ')}

    ${binsFunction('hookyard_bins_changes_in', changeBins('new_rows', 1))}
    ${binsFunction('hookyard_bins_changes_out', changeBins('old_rows', -1))}
    ${binsFunction('hookyard_bins_pull_requests_in', pullRequestBins('new_rows', 1))}
    ${binsFunction('hookyard_bins_pull_requests_out', pullRequestBins('old_rows', -1))}
    ${binsTriggers('metric_changes', 'hookyard_bins_changes')}
    ${binsTriggers('metric_pull_requests', 'hookyard_bins_pull_requests')}

    INSERT INTO metric_value_bins (measure, day, bin, n, total, lo, hi)
    ${changeBins('metric_changes', 1)};
    INSERT INTO metric_value_bins (measure, day, bin, n, total, lo, hi)
    ${pullRequestBins('metric_pull_requests', 1)};
  `,
  down: `
    DROP TRIGGER metric_pull_requests_bins_update_out ON metric_pull_requests;
    DROP TRIGGER metric_pull_requests_bins_update_in ON metric_pull_requests;
    DROP TRIGGER metric_pull_requests_bins_delete ON metric_pull_requests;
    DROP TRIGGER metric_pull_requests_bins_insert ON metric_pull_requests;
    DROP TRIGGER metric_changes_bins_update_out ON metric_changes;
    DROP TRIGGER metric_changes_bins_update_in ON metric_changes;
    DROP TRIGGER metric_changes_bins_delete ON metric_changes;
    DROP TRIGGER metric_changes_bins_insert ON metric_changes;
    DROP FUNCTION hookyard_bins_pull_requests_out();
    DROP FUNCTION hookyard_bins_pull_requests_in();
    DROP FUNCTION hookyard_bins_changes_out();
    DROP FUNCTION hookyard_bins_changes_in();
    ${PULL_REQUEST_MEASURES.map(([measure]) => `DROP INDEX metric_pull_requests_${measure}_idx;`).join('\n    ')}
    DROP INDEX metric_review_turnarounds_reviewer_idx;
    DROP INDEX metric_changes_lead_idx;
    DROP TABLE metric_value_bins;
    DROP FUNCTION hookyard_metric_bin(double precision);
    DROP TRIGGER ci_jobs_metric_dirty_update ON ci_jobs;
    DROP TRIGGER ci_jobs_metric_dirty_insert ON ci_jobs;
    DROP FUNCTION hookyard_dirty_ci_jobs();

    CREATE OR REPLACE FUNCTION hookyard_dirty_ci_runs() RETURNS trigger LANGUAGE plpgsql AS $fn$
    BEGIN
      INSERT INTO metric_dirty (repository_id, since, kind)
      SELECT repository_id, min(coalesce(completed_at, updated_at)), 'ci_run' FROM new_rows
      WHERE status = 'completed' GROUP BY repository_id;
      RETURN NULL;
    END
    $fn$;

    DELETE FROM metric_deployments WHERE source = 'ci_job';
    ALTER TABLE metric_deployments DROP CONSTRAINT metric_deployments_source_check;
    ALTER TABLE metric_deployments ADD CONSTRAINT metric_deployments_source_check
      CHECK (source IN ('deployment', 'ci_run'));
  `,
};
