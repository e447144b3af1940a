import { Migration } from '../migration';

/**
 * Outbound forge access: API endpoints and credentials of named sources (sealed like webhook
 * secrets), feedback switches per repository, and the missed-delivery reconciliation's runs,
 * hook checkpoints and redelivery requests.
 */
export const forgeAccess: Migration = {
  id: '0009_forge_access',
  up: `
    CREATE TABLE forge_access (
      source_id uuid PRIMARY KEY REFERENCES webhook_sources (id) ON DELETE CASCADE,
      web_url text NOT NULL,
      api_url text NOT NULL,
      -- Sealed with SecretCipher: {"token"?: …, "appId"?: …, "appPrivateKey"?: …}; never returned
      credentials jsonb NOT NULL DEFAULT '{}'::jsonb,
      feedback text[] NOT NULL DEFAULT '{comment,status}',
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );

    CREATE TABLE forge_repository_feedback (
      repository_id uuid PRIMARY KEY REFERENCES repositories (id) ON DELETE CASCADE,
      feedback text[] NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now()
    );

    CREATE TABLE reconciliation_runs (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      trigger text NOT NULL CHECK (trigger IN ('start', 'schedule', 'manual')),
      status text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'finished', 'failed')),
      started_at timestamptz NOT NULL DEFAULT now(),
      finished_at timestamptz,
      hooks_checked integer NOT NULL DEFAULT 0,
      deliveries_seen integer NOT NULL DEFAULT 0,
      missing integer NOT NULL DEFAULT 0,
      redelivery_requested integer NOT NULL DEFAULT 0,
      problems jsonb NOT NULL DEFAULT '[]'::jsonb
    );
    CREATE INDEX reconciliation_runs_started_idx ON reconciliation_runs (started_at DESC, id DESC);

    -- Every hook reconciliation knows of, and how far its deliveries have been walked.
    CREATE TABLE reconciliation_hooks (
      provider text NOT NULL,
      source text NOT NULL,
      hook_key text NOT NULL,
      repository text,
      checkpoint text,
      checked_at timestamptz,
      discovered_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (provider, source, hook_key)
    );

    -- One row per delivery asked for again: at most one request per delivery and window.
    CREATE TABLE redelivery_requests (
      provider text NOT NULL,
      source text NOT NULL,
      provider_delivery_id text NOT NULL,
      run_id uuid REFERENCES reconciliation_runs (id) ON DELETE SET NULL,
      requested_at timestamptz NOT NULL DEFAULT now(),
      -- When the redelivered request was found stored (counted once in Prometheus).
      recovered_at timestamptz,
      PRIMARY KEY (provider, source, provider_delivery_id)
    );
    CREATE INDEX redelivery_requests_run_idx ON redelivery_requests (run_id);
  `,
  down: `
    DROP TABLE redelivery_requests;
    DROP TABLE reconciliation_hooks;
    DROP TABLE reconciliation_runs;
    DROP TABLE forge_repository_feedback;
    DROP TABLE forge_access;
  `,
};
