import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SECRET_HEADERS } from '../../../core/observability/logging';
import { PROVIDER_ADAPTERS, adapterFor } from './index';
import { ALL_PROVIDERS } from './provider-adapter';

const ROOT = join(__dirname, '../../../..');
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');

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

  it('uses URL segments that fit the webhook route and the sources table', () => {
    for (const provider of ALL_PROVIDERS) expect(provider).toMatch(/^[a-z][a-z0-9-]{0,31}$/);
  });

  // What a new adapter declares must reach the places outside it that act on the declaration.
  it.each(ALL_PROVIDERS)('%s: its credential headers are neither logged nor stored', (provider) => {
    const headers = adapterFor(provider).secretHeaders;
    expect(headers.length).toBeGreaterThan(0);
    for (const header of headers) {
      expect(header).toBe(header.toLowerCase());
      expect(SECRET_HEADERS).toContain(header);
    }
  });

  it.each(ALL_PROVIDERS)(
    '%s: its secret variables are documented in .env.example, the README and docker-compose.yml',
    (provider) => {
      const { variables } = adapterFor(provider).secrets;
      expect(variables.length).toBeGreaterThan(0);
      for (const variable of variables) {
        expect(read('.env.example')).toContain(`# ${variable}=`);
        expect(read('README.md')).toContain(`| \`${variable}\``);
        expect(read('docker-compose.yml')).toContain(`${variable}: \${${variable}:-}`);
      }
    },
  );

  it.each(ALL_PROVIDERS)('%s: the README lists it among the webhook URL segments', (provider) => {
    const routes = /`\{provider\}` is ([^.]+)\./.exec(read('README.md'))?.[1] ?? '';
    expect(routes).toContain(`\`${provider}\``);
  });
});
