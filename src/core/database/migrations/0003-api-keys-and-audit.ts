import { Migration } from '../migration';

/**
 * API keys (only a SHA-256 of each key is stored; the plaintext is shown once, at creation)
 * and the audit log of every state change made with a key.
 */
export const apiKeysAndAudit: Migration = {
  id: '0003_api_keys_and_audit',
  up: `
    CREATE TABLE api_keys (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      name text NOT NULL,
      -- The first characters after "hy_", so people can tell keys apart in listings.
      prefix text NOT NULL,
      key_hash bytea NOT NULL UNIQUE,
      scopes text[] NOT NULL CHECK (
        scopes <@ ARRAY['read', 'admin']::text[] AND cardinality(scopes) >= 1
      ),
      created_by text,
      created_at timestamptz NOT NULL DEFAULT now(),
      last_used_at timestamptz,
      revoked_at timestamptz
    );
    CREATE INDEX api_keys_created_idx ON api_keys (created_at DESC, id DESC);

    CREATE TABLE audit_log (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      at timestamptz NOT NULL DEFAULT now(),
      -- Text, not a foreign key: the bootstrap ADMIN_TOKEN has no row, and entries outlive keys.
      key_id text NOT NULL,
      key_name text,
      method text,
      path text,
      action text NOT NULL,
      target text,
      status_code integer,
      details jsonb
    );
    CREATE INDEX audit_log_at_idx ON audit_log (at DESC, id DESC);
  `,
  down: `
    DROP TABLE audit_log;
    DROP TABLE api_keys;
  `,
};
