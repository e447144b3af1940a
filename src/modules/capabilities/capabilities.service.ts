import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/config';
import { SourcesService } from '../webhooks/sources/sources.service';
import { adapterFor } from '../webhooks/providers';
import { ALL_PROVIDERS, SECRET_KINDS } from '../webhooks/providers/provider-adapter';
import { CapabilitiesView, ForgeFeatureView, ProviderCapabilityView } from './capabilities.dto';
import { FORGE_FEATURES, ForgeFeature, MODELLED_EVENTS, RECORD_OF } from './event-catalogue';

/** Outbound forge access (API credentials per forge) is not part of this build yet. */
const NO_FORGE_ACCESS = 'outbound forge API access is not part of this Hookyard version yet';

/** The providers' modelled events, from the one catalogue (also the README's source). */
export function providerCapabilities(): Omit<ProviderCapabilityView, 'defaultSourceConfigured'>[] {
  return ALL_PROVIDERS.map((provider) => {
    const adapter = adapterFor(provider);
    return {
      provider,
      displayName: adapter.displayName,
      defaultWebhookPath: `/webhooks/${provider}`,
      secretVariables: [...adapter.secrets.variables],
      events: MODELLED_EVENTS[provider].map((modelled) => ({
        event: modelled.event,
        becomes: [...modelled.becomes],
        records: modelled.becomes.map((kind) => RECORD_OF[kind]),
      })),
    };
  });
}

/** What this Hookyard receives, from whom, and what it can do beyond receiving. */
@Injectable()
export class CapabilitiesService {
  constructor(
    private readonly config: AppConfig,
    private readonly sources: SourcesService,
  ) {}

  async capabilities(): Promise<CapabilitiesView> {
    const providers = providerCapabilities().map((p) => {
      const secrets = this.config.secrets[p.provider as keyof typeof this.config.secrets];
      return {
        ...p,
        defaultSourceConfigured: SECRET_KINDS.some((kind) => secrets[kind].length > 0),
      };
    });
    const sources = (await this.sources.list()).map((s) => ({
      id: s.id,
      provider: s.provider,
      slug: s.slug,
      webhookPath: s.webhookPath,
      enabled: s.enabled,
      secretConfigured: s.secretConfigured,
    }));
    const features: ForgeFeatureView[] = (Object.keys(FORGE_FEATURES) as ForgeFeature[]).map(
      (feature) => ({
        feature,
        needs: FORGE_FEATURES[feature],
        available: false,
        reason: NO_FORGE_ACCESS,
      }),
    );
    const forgeCredentials = ALL_PROVIDERS.map((provider) => ({
      provider,
      configured: false,
      features,
    }));
    return { providers, sources, forgeCredentials };
  }
}
