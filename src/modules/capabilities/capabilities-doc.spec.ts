import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { capabilitiesMarkdown, withCapabilities } from './capabilities-doc';

describe("the README's capabilities section", () => {
  it('is what npm run docs:capabilities generates from the catalogue', () => {
    const readme = readFileSync(join(__dirname, '..', '..', '..', 'README.md'), 'utf8');
    // When this fails: run `npm run docs:capabilities` and commit README.md.
    expect(withCapabilities(readme)).toBe(readme);
  });

  it('names every provider and a table row per modelled event', () => {
    const markdown = capabilitiesMarkdown();
    expect(markdown).toContain('#### GitHub (`/webhooks/github`)');
    expect(markdown).toContain('#### Bitbucket Data Center (`/webhooks/bitbucket-server`)');
    expect(markdown).toMatch(/^\| `Pipeline Hook` +\| CI run +\|$/m);
  });

  it('refuses a README without the markers', () => {
    expect(() => withCapabilities('# no markers')).toThrow(/lacks the markers/);
  });
});
