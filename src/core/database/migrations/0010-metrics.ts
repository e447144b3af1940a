import { Migration } from '../migration';

/** Marks a repository's metrics dirty from `since` for every row a statement wrote. */
function dirtyFunction(name: string, select: string): string {
  return `
    CREATE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $fn$
    BEGIN
      INSERT INTO metric_dirty (repository_id, since, kind) ${select};
      RETURN NULL;
    END
    $fn$;`;
}

/** An AFTER INSERT and an AFTER UPDATE statement trigger (a transition table allows one event each). */
function dirtyTriggers(
  table: string,
  fn: string,
  events: readonly ('INSERT' | 'UPDATE')[],
): string {
  return events
    .map(
      (event) => `
    CREATE TRIGGER ${table}_metric_dirty_${event.toLowerCase()} AFTER ${event} ON ${table}
      REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ${fn}();`,
    )
    .join('\n');
}

/** Since when a deployment's metrics may change: its creation or its earliest status. */
const DEPLOYMENT_SINCE = `least(d.created_at,
  (SELECT min(s.created_at) FROM deployment_statuses s WHERE s.deployment_id = d.id))`;

/**
 * The metrics capability (issue 12).
 *
 * 1. What the record lacked: the push as a link of a branch's history (before → after and the
 *    commits it brought), the forge's own production flag of a deployment (GitHub
 *    production_environment, GitLab tier), the commit a pull request's merge put on the base.
 * 2. Per-repository settings (production environment pattern, incident label pattern, CI
 *    deployment pattern).
 * 3. The rollups: one row per production deployment, per change that reached production and
 *    per merged pull request (with their day), kept up to date by metrics.refresh.
 * 4. metric_dirty: statement triggers on the record note, per repository, the earliest time a
 *    write can change a figure; the refresh recomputes from there and nothing older.
 * 5. Teams (users domain): named groups of people.
 */
export const metrics: Migration = {
  id: '0010_metrics',
  up: `
    ALTER TABLE deployments ADD COLUMN production boolean;
    ALTER TABLE pull_requests ADD COLUMN merge_commit_sha text;
    CREATE INDEX pull_requests_merge_commit_idx ON pull_requests (repository_id, merge_commit_sha)
      WHERE merge_commit_sha IS NOT NULL;

    CREATE TABLE pushes (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      repository_id uuid NOT NULL,
      ref text NOT NULL,
      before_sha text NOT NULL,
      after_sha text NOT NULL,
      commit_shas text[] NOT NULL DEFAULT '{}',
      first_commit_at timestamptz,
      forced boolean NOT NULL DEFAULT false,
      occurred_at timestamptz NOT NULL,
      CONSTRAINT pushes_link_unique UNIQUE (repository_id, ref, before_sha, after_sha)
    );
    CREATE INDEX pushes_after_idx ON pushes (repository_id, after_sha);

    CREATE TABLE repository_metric_settings (
      repository_id uuid PRIMARY KEY REFERENCES repositories (id) ON DELETE CASCADE,
      production_pattern text NOT NULL DEFAULT '^(prod|production)$',
      incident_label_pattern text NOT NULL DEFAULT '^incident$',
      ci_deployment_pattern text,
      updated_at timestamptz NOT NULL DEFAULT now()
    );

    CREATE TABLE metric_dirty (
      id bigserial PRIMARY KEY,
      repository_id uuid NOT NULL,
      since timestamptz NOT NULL,
      kind text NOT NULL CHECK (kind IN ('record', 'issue', 'ci_run')),
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX metric_dirty_repository_idx ON metric_dirty (repository_id, id);

    CREATE TABLE metric_deployments (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      repository_id uuid NOT NULL REFERENCES repositories (id) ON DELETE CASCADE,
      source text NOT NULL CHECK (source IN ('deployment', 'ci_run')),
      source_id uuid NOT NULL,
      environment text NOT NULL,
      sha text NOT NULL,
      outcome text NOT NULL CHECK (outcome IN ('success', 'failure')),
      finished_at timestamptz NOT NULL,
      baseline boolean NOT NULL DEFAULT false,
      failed_by text CHECK (failed_by IN ('status', 'incident')),
      incident_issue_ids uuid[] NOT NULL DEFAULT '{}',
      recovered_at timestamptz,
      recovered_by uuid,
      rework boolean NOT NULL DEFAULT false,
      changes integer NOT NULL DEFAULT 0,
      CONSTRAINT metric_deployments_source_unique UNIQUE (source, source_id)
    );
    CREATE INDEX metric_deployments_repository_time_idx ON metric_deployments (repository_id, finished_at);
    CREATE INDEX metric_deployments_time_idx ON metric_deployments (finished_at);
    CREATE INDEX metric_deployments_recovered_idx ON metric_deployments (recovered_at)
      WHERE failed_by IS NOT NULL;

    CREATE TABLE metric_changes (
      repository_id uuid NOT NULL,
      sha text NOT NULL,
      deployment_id uuid NOT NULL REFERENCES metric_deployments (id) ON DELETE CASCADE,
      author_identity_id uuid,
      pull_request_id uuid,
      started_at timestamptz NOT NULL,
      deployed_at timestamptz NOT NULL,
      lead_seconds double precision NOT NULL,
      PRIMARY KEY (repository_id, sha)
    );
    CREATE INDEX metric_changes_repository_time_idx ON metric_changes (repository_id, deployed_at);
    CREATE INDEX metric_changes_time_idx ON metric_changes (deployed_at);
    CREATE INDEX metric_changes_deployment_idx ON metric_changes (deployment_id);

    CREATE TABLE metric_pull_requests (
      pull_request_id uuid PRIMARY KEY REFERENCES pull_requests (id) ON DELETE CASCADE,
      repository_id uuid NOT NULL,
      author_identity_id uuid,
      merged_at timestamptz NOT NULL,
      first_commit_at timestamptz,
      ready_at timestamptz NOT NULL,
      first_review_at timestamptz,
      deployed_at timestamptz,
      deployment_id uuid,
      coding_seconds double precision,
      pickup_seconds double precision,
      review_seconds double precision,
      deploy_seconds double precision,
      cycle_seconds double precision,
      size integer,
      reviews integer NOT NULL
    );
    CREATE INDEX metric_pull_requests_repository_time_idx ON metric_pull_requests (repository_id, merged_at);
    CREATE INDEX metric_pull_requests_time_idx ON metric_pull_requests (merged_at);

    CREATE TABLE metric_review_turnarounds (
      pull_request_id uuid NOT NULL REFERENCES metric_pull_requests (pull_request_id) ON DELETE CASCADE,
      reviewer_identity_id uuid NOT NULL,
      repository_id uuid NOT NULL,
      merged_at timestamptz NOT NULL,
      first_review_at timestamptz NOT NULL,
      turnaround_seconds double precision NOT NULL,
      PRIMARY KEY (pull_request_id, reviewer_identity_id)
    );
    CREATE INDEX metric_review_turnarounds_time_idx ON metric_review_turnarounds (repository_id, merged_at);

    CREATE TABLE teams (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      name text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT teams_name_unique UNIQUE (name)
    );
    CREATE TABLE team_members (
      team_id uuid NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
      person_id uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
      PRIMARY KEY (team_id, person_id)
    );
    CREATE INDEX team_members_person_idx ON team_members (person_id);

    ${dirtyFunction(
      'hookyard_dirty_deployments',
      `SELECT d.repository_id, min(${DEPLOYMENT_SINCE}), 'record' FROM new_rows d GROUP BY d.repository_id`,
    )}
    ${dirtyTriggers('deployments', 'hookyard_dirty_deployments', ['INSERT', 'UPDATE'])}
    ${dirtyFunction(
      'hookyard_dirty_deployment_statuses',
      `SELECT d.repository_id, min(least(n.created_at, ${DEPLOYMENT_SINCE})), 'record'
       FROM new_rows n JOIN deployments d ON d.id = n.deployment_id GROUP BY d.repository_id`,
    )}
    ${dirtyTriggers('deployment_statuses', 'hookyard_dirty_deployment_statuses', ['INSERT'])}
    ${dirtyFunction(
      'hookyard_dirty_pushes',
      `SELECT repository_id, min(least(occurred_at, first_commit_at)), 'record' FROM new_rows GROUP BY repository_id`,
    )}
    ${dirtyTriggers('pushes', 'hookyard_dirty_pushes', ['INSERT'])}
    ${dirtyFunction(
      'hookyard_dirty_pull_requests',
      `SELECT repository_id, min(merged_at), 'record' FROM new_rows
       WHERE merged_at IS NOT NULL GROUP BY repository_id`,
    )}
    ${dirtyTriggers('pull_requests', 'hookyard_dirty_pull_requests', ['INSERT', 'UPDATE'])}
    ${dirtyFunction(
      'hookyard_dirty_reviews',
      `SELECT p.repository_id, min(p.merged_at), 'record' FROM new_rows n
       JOIN pull_requests p ON p.id = n.pull_request_id
       WHERE p.merged_at IS NOT NULL GROUP BY p.repository_id`,
    )}
    ${dirtyTriggers('reviews', 'hookyard_dirty_reviews', ['INSERT', 'UPDATE'])}
    ${dirtyFunction(
      'hookyard_dirty_comments',
      `SELECT p.repository_id, min(p.merged_at), 'record' FROM new_rows n
       JOIN pull_requests p ON p.repository_id = n.repository_id AND p.number = n.target_number
       WHERE n.target_type = 'pull_request' AND p.merged_at IS NOT NULL GROUP BY p.repository_id`,
    )}
    ${dirtyTriggers('comments', 'hookyard_dirty_comments', ['INSERT', 'UPDATE'])}
    ${dirtyFunction(
      'hookyard_dirty_issues',
      `SELECT repository_id, min(created_at), 'issue' FROM new_rows GROUP BY repository_id`,
    )}
    ${dirtyTriggers('issues', 'hookyard_dirty_issues', ['INSERT', 'UPDATE'])}
    ${dirtyFunction(
      'hookyard_dirty_ci_runs',
      `SELECT repository_id, min(coalesce(completed_at, updated_at)), 'ci_run' FROM new_rows
       WHERE status = 'completed' GROUP BY repository_id`,
    )}
    ${dirtyTriggers('ci_runs', 'hookyard_dirty_ci_runs', ['INSERT', 'UPDATE'])}
  `,
  down: `
    DROP TRIGGER ci_runs_metric_dirty_insert ON ci_runs;
    DROP TRIGGER ci_runs_metric_dirty_update ON ci_runs;
    DROP FUNCTION hookyard_dirty_ci_runs();
    DROP TRIGGER issues_metric_dirty_insert ON issues;
    DROP TRIGGER issues_metric_dirty_update ON issues;
    DROP FUNCTION hookyard_dirty_issues();
    DROP TRIGGER comments_metric_dirty_insert ON comments;
    DROP TRIGGER comments_metric_dirty_update ON comments;
    DROP FUNCTION hookyard_dirty_comments();
    DROP TRIGGER reviews_metric_dirty_insert ON reviews;
    DROP TRIGGER reviews_metric_dirty_update ON reviews;
    DROP FUNCTION hookyard_dirty_reviews();
    DROP TRIGGER pull_requests_metric_dirty_insert ON pull_requests;
    DROP TRIGGER pull_requests_metric_dirty_update ON pull_requests;
    DROP FUNCTION hookyard_dirty_pull_requests();
    DROP TRIGGER pushes_metric_dirty_insert ON pushes;
    DROP FUNCTION hookyard_dirty_pushes();
    DROP TRIGGER deployment_statuses_metric_dirty_insert ON deployment_statuses;
    DROP FUNCTION hookyard_dirty_deployment_statuses();
    DROP TRIGGER deployments_metric_dirty_insert ON deployments;
    DROP TRIGGER deployments_metric_dirty_update ON deployments;
    DROP FUNCTION hookyard_dirty_deployments();

    DROP TABLE team_members;
    DROP TABLE teams;
    DROP TABLE metric_review_turnarounds;
    DROP TABLE metric_pull_requests;
    DROP TABLE metric_changes;
    DROP TABLE metric_deployments;
    DROP TABLE metric_dirty;
    DROP TABLE repository_metric_settings;
    DROP TABLE pushes;
    DROP INDEX pull_requests_merge_commit_idx;
    ALTER TABLE pull_requests DROP COLUMN merge_commit_sha;
    ALTER TABLE deployments DROP COLUMN production;
  `,
};
