import { Migration } from '../migration';

/**
 * GitLab's pipeline test report next to the job logs. `analysis_test_reports` is the report of
 * one pipeline as fetched once (its failed and error cases, gzip JSON), so that several failed
 * jobs of a pipeline share one request. Each job's failed cases are rendered into a text stored
 * like a log (`analysis_logs`) and read into problems once (`analysis_parses.source =
 * 'test-report'`): a parser-version bump re-parses logs only, and never deletes these parses.
 * `analysis_jobs.test_report_*` is what the report gave one job.
 */
export const analysisTestReports: Migration = {
  id: '0017_analysis_test_reports',
  up: `
    ALTER TABLE analysis_parses ADD COLUMN source text NOT NULL DEFAULT 'log'
      CONSTRAINT analysis_parses_source_check CHECK (source IN ('log', 'test-report'));

    CREATE TABLE analysis_test_reports (
      repository_id uuid NOT NULL
        CONSTRAINT analysis_test_reports_repository_id_fkey
        REFERENCES repositories (id) ON DELETE CASCADE,
      pipeline_id text NOT NULL,
      status text NOT NULL CONSTRAINT analysis_test_reports_status_check
        CHECK (status IN ('read', 'empty', 'not_found', 'failed')),
      reason text,
      total_count integer NOT NULL DEFAULT 0,
      failed_count integer NOT NULL DEFAULT 0,
      error_count integer NOT NULL DEFAULT 0,
      failed_cases bytea,
      fetched_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT analysis_test_reports_pkey PRIMARY KEY (repository_id, pipeline_id)
    );

    ALTER TABLE analysis_jobs
      ADD COLUMN test_report_hash text CONSTRAINT analysis_jobs_test_report_hash_fkey
        REFERENCES analysis_logs (trace_hash) ON DELETE SET NULL,
      ADD COLUMN test_report_status text CONSTRAINT analysis_jobs_test_report_status_check
        CHECK (test_report_status IN
          ('read', 'no_failures', 'empty', 'not_found', 'unavailable', 'failed')),
      ADD COLUMN test_report_reason text;
  `,
  down: `
    ALTER TABLE analysis_jobs DROP COLUMN test_report_reason, DROP COLUMN test_report_status,
      DROP COLUMN test_report_hash;
    DROP TABLE analysis_test_reports;
    ALTER TABLE analysis_parses DROP COLUMN source;
  `,
};
