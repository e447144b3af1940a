import { Migration } from '../migration';

/**
 * Named sources for any provider the application knows (Azure DevOps and Bitbucket Data Center
 * joined the four). The CHECK listed the providers, so every new forge needed a migration;
 * which providers exist is the application's knowledge (the Provider enum, which the admin API
 * validates against), so the database now checks only the shape of a URL segment.
 *
 * `down` restores the list; it fails (and changes nothing) while sources of the newer
 * providers exist, rather than dropping them.
 */
export const sourceProviders: Migration = {
  id: '0008_source_providers',
  up: `
    ALTER TABLE webhook_sources DROP CONSTRAINT webhook_sources_provider_check;
    ALTER TABLE webhook_sources ADD CONSTRAINT webhook_sources_provider_check
      CHECK (provider ~ '^[a-z][a-z0-9-]{0,31}$');
  `,
  down: `
    ALTER TABLE webhook_sources DROP CONSTRAINT webhook_sources_provider_check;
    ALTER TABLE webhook_sources ADD CONSTRAINT webhook_sources_provider_check
      CHECK (provider IN ('github', 'gitlab', 'gitea', 'bitbucket'));
  `,
};
