import examples from '@octokit/webhooks-examples/api.github.com/index.json';
import { adapterFor } from '../webhooks/providers';
import { ALL_PROVIDERS, Provider } from '../webhooks/providers/provider-adapter';
import { MODELLED_EVENTS } from './event-catalogue';

/**
 * A modelled event with a near-empty payload cannot be normalized (the adapter throws for the
 * missing fields); an event the adapter does not model gives no domain events at all. Some
 * adapters look at the action first, hence a second probe with one.
 */
function models(provider: Provider, event: string): boolean {
  return [{}, { action: 'created' }].some((payload) => {
    try {
      return adapterFor(provider).normalize(event, payload, {}).length > 0;
    } catch {
      return true;
    }
  });
}

describe('the catalogue of modelled events', () => {
  it.each(ALL_PROVIDERS)('lists only events the %s adapter models', (provider) => {
    const unmodelled = MODELLED_EVENTS[provider]
      .map((e) => e.event)
      .filter((event) => !models(provider, event));
    expect(unmodelled).toEqual([]);
  });

  it('lists every GitHub event the adapter models (all of @octokit/webhooks-examples)', () => {
    const all = (examples as unknown as { name: string }[]).map((e) => e.name);
    const listed = new Set(MODELLED_EVENTS[Provider.GitHub].map((e) => e.event));
    const missing = all.filter((event) => !listed.has(event) && models(Provider.GitHub, event));
    expect(missing).toEqual([]);
    expect(all.length).toBeGreaterThan(40);
  });

  it('lists no event twice for a provider', () => {
    for (const provider of ALL_PROVIDERS) {
      const names = MODELLED_EVENTS[provider].map((e) => e.event);
      expect(new Set(names).size).toBe(names.length);
    }
  });

  it('knows an unmodelled event as such', () => {
    expect(models(Provider.GitHub, 'star')).toBe(false);
    expect(models(Provider.GitLab, 'Wiki Page Hook')).toBe(false);
  });
});
