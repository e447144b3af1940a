import { Migration } from '../migration';

export const deliveriesAndSources: Migration = {
  id: '0001_deliveries_and_sources',
  up: `
    CREATE TABLE webhook_sources (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      provider text NOT NULL CHECK (provider IN ('github', 'gitlab', 'gitea', 'bitbucket')),
      slug text NOT NULL CHECK (slug ~ '^[a-z0-9][a-z0-9-]{0,62}$' AND slug <> 'default'),
      description text,
      -- Encrypted secrets (AES-256-GCM), see SecretCipher: [{id, kind, ciphertext, createdAt}]
      secrets jsonb NOT NULL DEFAULT '[]'::jsonb,
      secrets_rotated_at timestamptz,
      repository_filter text[] NOT NULL DEFAULT '{}',
      enabled boolean NOT NULL DEFAULT true,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (provider, slug)
    );

    CREATE TABLE deliveries (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      provider text NOT NULL,
      source text NOT NULL,
      provider_delivery_id text NOT NULL,
      event text NOT NULL,
      action text,
      repository text,
      content_type text NOT NULL,
      headers jsonb NOT NULL,
      -- Raw bytes as received; PostgreSQL compresses them out of line (TOAST).
      body bytea,
      body_size integer NOT NULL,
      status text NOT NULL DEFAULT 'received' CHECK (status IN
        ('received', 'queued', 'processing', 'processed', 'ignored', 'failed', 'dead', 'cancelled')),
      attempts integer NOT NULL DEFAULT 0,
      last_error text,
      received_at timestamptz NOT NULL DEFAULT now(),
      queued_at timestamptz,
      processed_at timestamptz,
      updated_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT deliveries_source_delivery_unique UNIQUE (provider, source, provider_delivery_id)
    );
    -- lz4 compresses bodies several times faster than the default pglz; servers built
    -- without lz4 keep the default.
    DO $$ BEGIN
      ALTER TABLE deliveries ALTER COLUMN body SET COMPRESSION lz4;
    EXCEPTION WHEN feature_not_supported OR invalid_parameter_value THEN NULL;
    END $$;
    CREATE INDEX deliveries_received_idx ON deliveries (received_at DESC, id DESC);
    CREATE INDEX deliveries_status_idx ON deliveries (status, received_at DESC);
    -- Also serves the outbox sweep (status = 'received' ORDER BY received_at). Every index here
    -- is paid for on the ingest path, so there are deliberately few.
  `,
  down: `
    DROP TABLE deliveries;
    DROP TABLE webhook_sources;
  `,
};
