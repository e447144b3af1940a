import { Migration } from '../migration';

/**
 * Metrics, second step (issue 12).
 *
 * CI deployments: a successful job whose name matches the repository's CI deployment pattern
 * is a deployment of its own (source `ci_job`), unless its run's name matches too (then the run
 * is the deployment). A run or job may move in time (a re-run completes later than the first
 * attempt): its change mark is its creation, which precedes every completion, so the refresh
 * drops the row it wrote for the earlier completion. Jobs now mark too.
 */
export const metricsCiDeployments: Migration = {
  id: '0014_metrics_ci_deployments',
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
  `,
  down: `
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
