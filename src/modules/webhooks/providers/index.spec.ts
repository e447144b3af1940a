import { PROVIDER_ADAPTERS, adapterFor } from './index';
import { ALL_PROVIDERS } from './provider-adapter';

describe('provider adapters', () => {
  it.each(ALL_PROVIDERS)('has one adapter for %s, always the same instance', (provider) => {
    const adapter = adapterFor(provider);
    expect(adapter.provider).toBe(provider);
    expect(adapterFor(provider)).toBe(adapter);
    expect(PROVIDER_ADAPTERS[provider]).toBe(adapter);
  });

  it('has no adapter beyond the known providers', () => {
    expect(Object.keys(PROVIDER_ADAPTERS).sort()).toEqual([...ALL_PROVIDERS].sort());
  });
});
