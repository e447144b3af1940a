import { Migration } from '../migration';

/**
 * The engineering record. Every table has a natural unique key and is written with upserts;
 * mutable records keep `updated_at` as the forge's own timestamp, so an older event never
 * overwrites newer state.
 */
export const activity: Migration = {
  id: '0002_activity',
  up: `
    CREATE TABLE people (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      display_name text,
      primary_email text,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );

    CREATE TABLE identities (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      person_id uuid REFERENCES people (id) ON DELETE SET NULL,
      provider text NOT NULL,
      -- The forge account id; NULL for commit authors known only by email.
      external_id text,
      login text,
      name text,
      email text,
      -- The forge vouches for the email (account data, not a commit header): used for linking.
      email_verified boolean NOT NULL DEFAULT false,
      avatar_url text,
      bot boolean NOT NULL DEFAULT false,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE UNIQUE INDEX identities_account_unique ON identities (provider, external_id)
      WHERE external_id IS NOT NULL;
    CREATE UNIQUE INDEX identities_email_only_unique ON identities (provider, lower(email))
      WHERE external_id IS NULL;
    CREATE INDEX identities_person_idx ON identities (person_id);
    CREATE INDEX identities_verified_email_idx ON identities (lower(email)) WHERE email_verified;

    CREATE TABLE repositories (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      provider text NOT NULL,
      external_id text NOT NULL,
      full_name text NOT NULL,
      name text NOT NULL,
      default_branch text,
      url text,
      private boolean,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      last_event_at timestamptz,
      UNIQUE (provider, external_id)
    );
    CREATE INDEX repositories_full_name_idx ON repositories (full_name);

    CREATE TABLE commits (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      repository_id uuid NOT NULL REFERENCES repositories (id) ON DELETE CASCADE,
      sha text NOT NULL,
      message text NOT NULL,
      author_identity_id uuid REFERENCES identities (id),
      committer_identity_id uuid REFERENCES identities (id),
      committed_at timestamptz NOT NULL,
      url text,
      files_added text[] NOT NULL DEFAULT '{}',
      files_modified text[] NOT NULL DEFAULT '{}',
      files_removed text[] NOT NULL DEFAULT '{}',
      first_ref text,
      first_seen_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (repository_id, sha)
    );
    CREATE INDEX commits_repository_time_idx ON commits (repository_id, committed_at DESC);
    CREATE INDEX commits_author_idx ON commits (author_identity_id);

    CREATE TABLE pull_requests (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      repository_id uuid NOT NULL REFERENCES repositories (id) ON DELETE CASCADE,
      external_id text NOT NULL,
      number integer NOT NULL,
      title text NOT NULL,
      body text,
      state text NOT NULL CHECK (state IN ('open', 'closed', 'merged')),
      draft boolean NOT NULL DEFAULT false,
      author_identity_id uuid REFERENCES identities (id),
      head_ref text NOT NULL,
      base_ref text NOT NULL,
      head_sha text,
      url text,
      labels text[] NOT NULL DEFAULT '{}',
      additions integer,
      deletions integer,
      changed_files integer,
      commits_count integer,
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL,
      closed_at timestamptz,
      merged_at timestamptz,
      merged_by_identity_id uuid REFERENCES identities (id),
      first_seen_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (repository_id, number)
    );
    CREATE INDEX pull_requests_state_idx ON pull_requests (repository_id, state, updated_at DESC);
    CREATE INDEX pull_requests_merged_idx ON pull_requests (merged_at) WHERE merged_at IS NOT NULL;
    CREATE INDEX pull_requests_author_idx ON pull_requests (author_identity_id);

    CREATE TABLE pull_request_events (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      pull_request_id uuid NOT NULL REFERENCES pull_requests (id) ON DELETE CASCADE,
      delivery_id uuid NOT NULL,
      action text NOT NULL,
      actor_identity_id uuid REFERENCES identities (id),
      occurred_at timestamptz NOT NULL,
      UNIQUE (pull_request_id, delivery_id, action)
    );
    CREATE INDEX pull_request_events_time_idx ON pull_request_events (pull_request_id, occurred_at);

    CREATE TABLE reviews (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      pull_request_id uuid NOT NULL REFERENCES pull_requests (id) ON DELETE CASCADE,
      external_id text NOT NULL,
      state text NOT NULL,
      body text,
      author_identity_id uuid REFERENCES identities (id),
      submitted_at timestamptz NOT NULL,
      commit_sha text,
      url text,
      UNIQUE (pull_request_id, external_id)
    );

    CREATE TABLE comments (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      repository_id uuid NOT NULL REFERENCES repositories (id) ON DELETE CASCADE,
      external_id text NOT NULL,
      target_type text NOT NULL,
      target_number integer,
      target_sha text,
      body text NOT NULL,
      author_identity_id uuid REFERENCES identities (id),
      path text,
      line integer,
      url text,
      deleted boolean NOT NULL DEFAULT false,
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL,
      UNIQUE (repository_id, external_id)
    );
    CREATE INDEX comments_target_idx ON comments (repository_id, target_type, target_number);

    CREATE TABLE issues (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      repository_id uuid NOT NULL REFERENCES repositories (id) ON DELETE CASCADE,
      external_id text NOT NULL,
      number integer NOT NULL,
      title text NOT NULL,
      body text,
      state text NOT NULL CHECK (state IN ('open', 'closed')),
      author_identity_id uuid REFERENCES identities (id),
      labels text[] NOT NULL DEFAULT '{}',
      url text,
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL,
      closed_at timestamptz,
      UNIQUE (repository_id, number)
    );
    CREATE INDEX issues_state_idx ON issues (repository_id, state, updated_at DESC);

    CREATE TABLE ci_runs (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      repository_id uuid NOT NULL REFERENCES repositories (id) ON DELETE CASCADE,
      source text NOT NULL,
      external_id text NOT NULL,
      name text,
      status text NOT NULL,
      conclusion text,
      head_sha text NOT NULL,
      head_branch text,
      trigger text,
      run_number integer,
      attempt integer,
      url text,
      actor_identity_id uuid REFERENCES identities (id),
      pull_request_numbers integer[] NOT NULL DEFAULT '{}',
      created_at timestamptz NOT NULL,
      started_at timestamptz,
      completed_at timestamptz,
      updated_at timestamptz NOT NULL,
      UNIQUE (repository_id, source, external_id)
    );
    CREATE INDEX ci_runs_time_idx ON ci_runs (repository_id, created_at DESC);

    CREATE TABLE ci_jobs (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      repository_id uuid NOT NULL REFERENCES repositories (id) ON DELETE CASCADE,
      source text NOT NULL,
      external_id text NOT NULL,
      run_external_id text,
      name text NOT NULL,
      status text NOT NULL,
      conclusion text,
      head_sha text NOT NULL,
      head_branch text,
      stage text,
      url text,
      runner_name text,
      created_at timestamptz NOT NULL,
      started_at timestamptz,
      completed_at timestamptz,
      updated_at timestamptz NOT NULL,
      UNIQUE (repository_id, source, external_id)
    );
    CREATE INDEX ci_jobs_run_idx ON ci_jobs (repository_id, run_external_id);

    CREATE TABLE deployments (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      repository_id uuid NOT NULL REFERENCES repositories (id) ON DELETE CASCADE,
      external_id text NOT NULL,
      environment text NOT NULL,
      ref text,
      sha text NOT NULL,
      creator_identity_id uuid REFERENCES identities (id),
      url text,
      latest_state text,
      latest_state_at timestamptz,
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL,
      UNIQUE (repository_id, external_id)
    );
    CREATE INDEX deployments_env_idx ON deployments (repository_id, environment, created_at DESC);

    CREATE TABLE deployment_statuses (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      deployment_id uuid NOT NULL REFERENCES deployments (id) ON DELETE CASCADE,
      external_id text,
      state text NOT NULL,
      description text,
      url text,
      created_at timestamptz NOT NULL,
      UNIQUE (deployment_id, state, created_at)
    );

    CREATE TABLE releases (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      repository_id uuid NOT NULL REFERENCES repositories (id) ON DELETE CASCADE,
      external_id text NOT NULL,
      tag_name text NOT NULL,
      name text,
      body text,
      draft boolean NOT NULL DEFAULT false,
      prerelease boolean NOT NULL DEFAULT false,
      author_identity_id uuid REFERENCES identities (id),
      url text,
      deleted boolean NOT NULL DEFAULT false,
      created_at timestamptz NOT NULL,
      published_at timestamptz,
      updated_at timestamptz NOT NULL,
      UNIQUE (repository_id, external_id)
    );
  `,
  down: `
    DROP TABLE releases;
    DROP TABLE deployment_statuses;
    DROP TABLE deployments;
    DROP TABLE ci_jobs;
    DROP TABLE ci_runs;
    DROP TABLE issues;
    DROP TABLE comments;
    DROP TABLE reviews;
    DROP TABLE pull_request_events;
    DROP TABLE pull_requests;
    DROP TABLE commits;
    DROP TABLE repositories;
    DROP TABLE identities;
    DROP TABLE people;
  `,
};
