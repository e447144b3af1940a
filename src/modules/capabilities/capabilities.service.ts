import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/config';
import { apiForgeOf, DEFAULT_SOURCE_SLUG, ForgesService } from '../forges/forges.service';
import { SourcesService } from '../webhooks/sources/sources.service';
import { adapterFor } from '../webhooks/providers';
import { ALL_PROVIDERS, SECRET_KINDS } from '../webhooks/providers/provider-adapter';
import { CapabilitiesView, ForgeFeatureView, ProviderCapabilityView } from './capabilities.dto';
import { FORGE_FEATURES, ForgeFeature, MODELLED_EVENTS, RECORD_OF } from './event-catalogue';

const NO_CREDENTIALS = 'no API credentials for this source';

/** Which features a source's forge credentials enable. */
function featuresOf(configured: boolean, feedbackKinds: number): ForgeFeatureView[] {
  const view = (feature: ForgeFeature, available: boolean, reason: string): ForgeFeatureView => ({
    feature,
    needs: FORGE_FEATURES[feature],
    available,
    reason: available ? '' : reason,
  });
  return [
    view('analysis', configured, `${NO_CREDENTIALS}: failed jobs' logs cannot be fetched`),
    view(
      'feedback',
      configured && feedbackKinds > 0,
      configured ? 'FEEDBACK (or the source) enables no comment or status' : NO_CREDENTIALS,
    ),
    view('reconciliation', configured, NO_CREDENTIALS),
    view('indexing', configured, `${NO_CREDENTIALS}: only public repositories can be fetched`),
  ];
}

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
    private readonly forges: ForgesService,
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
    const targets = [
      ...ALL_PROVIDERS.map((provider) => ({
        provider: provider,
        slug: DEFAULT_SOURCE_SLUG,
      })),
      ...sources.map((s) => ({ provider: s.provider, slug: s.slug })),
    ].filter((target) => apiForgeOf(target.provider) !== undefined);
    const forgeCredentials = await Promise.all(
      targets.map(async ({ provider, slug }) => {
        const source = await this.forges.source(provider, slug);
        const configured = source?.credentials !== undefined;
        return {
          provider,
          source: slug,
          configured,
          features: featuresOf(configured, source?.feedback.length ?? 0),
        };
      }),
    );
    return { providers, sources, forgeCredentials };
  }
}
