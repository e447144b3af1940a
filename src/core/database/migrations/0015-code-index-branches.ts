import { Migration } from '../migration';

/**
 * Branches indexed besides the default one, per repository: exact names or globs, owned by
 * the code index (changing them starts an index run, not a metrics recompute).
 */
export const codeIndexBranches: Migration = {
  id: '0015_code_index_branches',
  up: `
    CREATE TABLE code_index_settings (
      repository_id uuid PRIMARY KEY REFERENCES repositories (id) ON DELETE CASCADE,
      branches text[] NOT NULL DEFAULT '{}',
      updated_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT code_index_settings_branches_check CHECK (cardinality(branches) <= 50)
    );
  `,
  down: `
    DROP TABLE code_index_settings;
  `,
};
