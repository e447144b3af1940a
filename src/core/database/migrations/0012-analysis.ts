import { Migration } from '../migration';

/**
 * CI-failure analysis. Logs are stored once, gzip-compressed, by the SHA-256 of their text
 * (`analysis_logs`); each is parsed once per parser version (`analysis_parses`) into immutable
 * problem rows (`analysis_problems`). `analysis_jobs` is the analysis status of each CI job,
 * `analysis_findings` the cached answer of the API (a job's problems with what is known about
 * them when it was analysed), `analysis_fingerprints` where each problem was first and last seen.
 * `ci_jobs.allow_failure` (GitLab) marks jobs whose failure does not fail the pipeline.
 */
export const analysis: Migration = {
  id: '0012_analysis',
  up: `
    ALTER TABLE ci_jobs ADD COLUMN allow_failure boolean NOT NULL DEFAULT false;
    CREATE INDEX ci_jobs_sha_idx ON ci_jobs (repository_id, head_sha);

    CREATE TABLE analysis_logs (
      trace_hash text PRIMARY KEY,
      content bytea NOT NULL,
      bytes integer NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      last_used_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX analysis_logs_last_used_idx ON analysis_logs (last_used_at);

    CREATE TABLE analysis_parses (
      trace_hash text NOT NULL REFERENCES analysis_logs (trace_hash) ON DELETE CASCADE,
      parser_version integer NOT NULL,
      problems integer NOT NULL,
      parsed_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (trace_hash, parser_version)
    );
    CREATE INDEX analysis_parses_version_idx ON analysis_parses (parser_version);

    CREATE TABLE analysis_problems (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      trace_hash text NOT NULL,
      parser_version integer NOT NULL,
      ordinal integer NOT NULL,
      tool text NOT NULL,
      severity text NOT NULL CHECK (severity IN ('error', 'warning')),
      code text,
      message text NOT NULL,
      file text,
      line integer,
      "column" integer,
      test_name text,
      fingerprint text NOT NULL,
      start_line integer NOT NULL,
      end_line integer NOT NULL,
      FOREIGN KEY (trace_hash, parser_version)
        REFERENCES analysis_parses (trace_hash, parser_version) ON DELETE CASCADE,
      UNIQUE (trace_hash, parser_version, ordinal)
    );

    CREATE TABLE analysis_jobs (
      ci_job_id uuid PRIMARY KEY REFERENCES ci_jobs (id) ON DELETE CASCADE,
      repository_id uuid NOT NULL REFERENCES repositories (id) ON DELETE CASCADE,
      status text NOT NULL CHECK (status IN ('pending', 'analyzed', 'skipped', 'failed')),
      reason text,
      trace_hash text REFERENCES analysis_logs (trace_hash) ON DELETE SET NULL,
      parser_version integer,
      attempts integer NOT NULL DEFAULT 0,
      reported boolean NOT NULL DEFAULT false,
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX analysis_jobs_repository_idx ON analysis_jobs (repository_id, status);
    CREATE INDEX analysis_jobs_trace_idx ON analysis_jobs (trace_hash);

    CREATE TABLE analysis_findings (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      ci_job_id uuid NOT NULL REFERENCES analysis_jobs (ci_job_id) ON DELETE CASCADE,
      problem_id uuid NOT NULL REFERENCES analysis_problems (id) ON DELETE CASCADE,
      repository_id uuid NOT NULL REFERENCES repositories (id) ON DELETE CASCADE,
      ci_run_id uuid REFERENCES ci_runs (id) ON DELETE SET NULL,
      head_sha text NOT NULL,
      head_branch text,
      pull_request_numbers integer[] NOT NULL DEFAULT '{}',
      tool text NOT NULL,
      file text,
      fingerprint text NOT NULL,
      new_in_pull_request boolean NOT NULL,
      first_seen_sha text NOT NULL,
      first_seen_branch text,
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (ci_job_id, problem_id)
    );
    CREATE INDEX analysis_findings_list_idx ON analysis_findings (repository_id, created_at, id);
    CREATE INDEX analysis_findings_sha_idx ON analysis_findings (repository_id, head_sha);
    CREATE INDEX analysis_findings_file_idx ON analysis_findings (repository_id, file);
    CREATE INDEX analysis_findings_pr_idx ON analysis_findings USING gin (pull_request_numbers);
    CREATE INDEX analysis_findings_run_idx ON analysis_findings (ci_run_id);
    CREATE INDEX analysis_findings_problem_idx ON analysis_findings (problem_id);

    CREATE TABLE analysis_fingerprints (
      repository_id uuid NOT NULL REFERENCES repositories (id) ON DELETE CASCADE,
      fingerprint text NOT NULL,
      first_seen_sha text NOT NULL,
      first_seen_branch text,
      first_seen_at timestamptz NOT NULL,
      last_seen_sha text NOT NULL,
      last_seen_branch text,
      last_seen_at timestamptz NOT NULL,
      PRIMARY KEY (repository_id, fingerprint)
    );
  `,
  down: `
    DROP TABLE analysis_fingerprints;
    DROP TABLE analysis_findings;
    DROP TABLE analysis_jobs;
    DROP TABLE analysis_problems;
    DROP TABLE analysis_parses;
    DROP TABLE analysis_logs;
    DROP INDEX ci_jobs_sha_idx;
    ALTER TABLE ci_jobs DROP COLUMN allow_failure;
  `,
};
