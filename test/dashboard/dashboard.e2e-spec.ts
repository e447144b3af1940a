import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { randomUUID } from 'node:crypto';
import { dashboardScenario, type DashboardScenario } from '../fixtures/dashboard-scenario';
import { GitServer, WorkingCopy } from '../support/git-server';
import { githubHeaders } from '../support/signing';
import { ADMIN_TOKEN, eventually, startTestApp, TestApp } from '../support/test-app';

/**
 * The dashboard in a real browser (Debian's chromium through playwright-core) against the real
 * app: built with Vite as `npm run build` does, seeded through the signed webhook endpoint,
 * read through the public API with the key signed in with. Screenshots: test-output/dashboard/.
 */

const ROOT = join(__dirname, '..', '..');
const SHOTS = join(ROOT, 'test-output', 'dashboard');
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

interface DoraAnswer {
  deploymentFrequency: { deployments: number };
}
interface DeliveryRow {
  id: string;
  event: string;
  status: string;
  queuedAt: string | null;
}

describe('dashboard in a real browser', () => {
  let t: TestApp;
  let context: BrowserContext;
  let page: Page;
  let profile: string;
  let readKey: string;
  let git: GitServer;
  let work: WorkingCopy;
  let scenario: DashboardScenario;
  const run = randomUUID().slice(0, 8);
  /** A string only the seeded repository's code contains (the search must find it). */
  const needle = `hookyard_dashboard_needle_${run}`;
  const consoleErrors: string[] = [];
  /** The probes of capabilities not built here answer 404 on purpose (the page says so). */
  const expectedMissing: string[] = [];

  const settledDeliveries = async (): Promise<DeliveryRow[]> =>
    eventually(
      async () => {
        const response = await t.request(
          'GET',
          `/api/v1/admin/deliveries?repository=${encodeURIComponent(scenario.fullName)}&limit=200`,
        );
        const items = response.json<{ items: DeliveryRow[] }>().items;
        const done = items.every((d) => ['processed', 'ignored'].includes(d.status));
        return items.length === scenario.deliveries.length && done ? items : undefined;
      },
      60000,
      'the seeded deliveries to be processed',
    );

  beforeAll(async () => {
    // The same build `npm run build` runs (build:web), into dist/web where the app serves it.
    execFileSync(
      process.execPath,
      [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'web/vite.config.mts'],
      { cwd: ROOT, stdio: 'pipe' },
    );
    rmSync(SHOTS, { recursive: true, force: true });
    mkdirSync(SHOTS, { recursive: true });
    git = await GitServer.start();
    t = await startTestApp({ GITHUB_URL: git.url });
    const fullName = `dash-${run}/web`;
    work = git.createRepository(fullName);
    work
      .write(
        'src/greeting.ts',
        `export const NEEDLE = '${needle}';\n\nexport function greet(name: string): string {\n  return \`hello \${name}\`;\n}\n`,
      )
      .write('README.md', '# web\n');
    work.commit('initial');
    work.push();
    scenario = dashboardScenario(fullName, work.head(), git.url);
    for (const delivery of scenario.deliveries) {
      const body = JSON.stringify(delivery.payload);
      const response = await t.request('POST', '/webhooks/github', {
        body,
        headers: githubHeaders(body, delivery.event),
        token: null,
      });
      expect(response.status).toBe(202);
    }
    await settledDeliveries();
    await eventually(
      async () => {
        const dora = await t.request(
          'GET',
          `/api/v1/metrics/dora?repository=${encodeURIComponent(scenario.fullName)}`,
        );
        const figure = dora.json<DoraAnswer>().deploymentFrequency.deployments;
        return figure === scenario.successfulDeployments ? true : undefined;
      },
      60000,
      'the metrics of the seeded deployments',
    );
    const created = await t.request('POST', '/api/v1/admin/api-keys', {
      json: { name: 'dashboard reader', scopes: ['read'] },
    });
    expect(created.status).toBe(201);
    readKey = created.json<{ key: string }>().key;

    profile = mkdtempSync(join(tmpdir(), 'hookyard-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_FLAGS,
      viewport: { width: 1366, height: 900 },
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('console', (message) => {
      if (message.type() !== 'error') return;
      const url = message.location().url;
      if (expectedMissing.some((path) => url.includes(path))) return;
      consoleErrors.push(`${message.text()} (${url})`);
    });
    page.on('pageerror', (error) => consoleErrors.push(`page error: ${error.message}`));
  }, 180000);

  afterAll(async () => {
    await context?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
    await t?.close();
    await git?.close();
    work?.dispose();
  });

  const shot = (name: string) =>
    page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });

  const signIn = async (key: string) => {
    await page.goto(`${t.baseUrl}/`);
    await page.getByLabel('API key').fill(key);
    // Keyboard only: Enter in the field submits the form.
    await page.getByLabel('API key').press('Enter');
    await page.getByRole('navigation', { name: 'Pages' }).waitFor();
  };

  it('serves the app at / and /ui/* without a key, assets from /ui/assets, and 404s unknown assets', async () => {
    const root = await t.request('GET', '/', { token: null });
    expect(root.status).toBe(200);
    expect(root.headers.get('content-type')).toContain('text/html');
    expect(root.headers.get('content-security-policy')).toContain("default-src 'self'");
    const script = /src="(\/ui\/assets\/[^"]+\.js)"/.exec(root.text)?.[1];
    expect(script).toBeDefined();
    const asset = await t.request('GET', script ?? '', { token: null });
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toContain('javascript');
    const deep = await t.request('GET', '/ui/deliveries?status=dead', { token: null });
    expect(deep.status).toBe(200);
    expect(deep.text).toBe(root.text);
    expect((await t.request('GET', '/ui/assets/missing.js', { token: null })).status).toBe(404);
    // The figures are not public: the API still wants the key.
    expect((await t.request('GET', '/api/v1/metrics/dora', { token: null })).status).toBe(401);
  });

  it('refuses a wrong key at sign-in and shows why', async () => {
    await page.goto(`${t.baseUrl}/`);
    await page.getByLabel('API key').fill('hy_not-a-key');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toContain('401');
    // The browser logs the refused request itself; that one error is the point of this test.
    expect(consoleErrors).toHaveLength(1);
    expect(consoleErrors[0]).toContain('401');
    expect(consoleErrors[0]).toContain('/api/v1/auth/key');
    consoleErrors.length = 0;
    await shot('sign-in-refused');
  });

  it('Delivery: DORA tiles show the seeded figures; a point drills down to its deployments', async () => {
    await signIn(readKey);
    await page.goto(`${t.baseUrl}/ui/delivery?repository=${encodeURIComponent(scenario.fullName)}`);
    const frequency = page.locator('[data-measure="deploymentFrequency"] .figure');
    await frequency.waitFor();
    expect(await frequency.textContent()).toContain(
      `(${scenario.successfulDeployments} deployments)`,
    );
    const failure = await page.locator('[data-measure="changeFailureRate"] .figure').textContent();
    const api = await t.request(
      'GET',
      `/api/v1/metrics/dora?repository=${encodeURIComponent(scenario.fullName)}`,
    );
    const cfr = api.json<{
      changeFailureRate: { failedDeployments: number; deployments: number };
    }>().changeFailureRate;
    expect(failure).toContain(`(${cfr.failedDeployments} of ${cfr.deployments})`);
    expect(cfr.failedDeployments).toBeGreaterThan(0);
    expect(await page.locator('.tile').count()).toBe(5);
    expect(await page.locator('canvas').count()).toBe(5);
    // Drill-down, by keyboard: the interval buttons stand for the chart points.
    const busy = page
      .locator('.buckets button')
      .filter({ hasNotText: /\(0\)$/ })
      .first();
    await busy.focus();
    await page.keyboard.press('Enter');
    const drill = page.getByRole('region', { name: 'Deployments behind a point' });
    await drill.getByRole('table').waitFor();
    expect(await drill.textContent()).toContain(scenario.fullName);
    await shot('delivery');
  });

  it('Delivery: usable at phone width (no horizontal scrolling)', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.reload();
    await page.locator('[data-measure="deploymentFrequency"] .figure').waitFor();
    const overflow = Number(
      await page.evaluate('document.documentElement.scrollWidth - window.innerWidth'),
    );
    expect(overflow).toBeLessThanOrEqual(1);
    await shot('delivery-phone');
    await page.setViewportSize({ width: 1366, height: 900 });
  });

  it('Pull requests: the merged PR, its phases and the review load', async () => {
    await page.getByRole('link', { name: 'Pull requests' }).click();
    const merged = page.locator('[data-measure="pullRequests"] .figure');
    await merged.waitFor();
    const api = await t.request(
      'GET',
      `/api/v1/metrics/pull-requests?from=${new Date(Date.now() - 90 * 86_400_000).toISOString()}`,
    );
    const count = api.json<{ pullRequests: number }>().pullRequests;
    expect(count).toBeGreaterThanOrEqual(scenario.mergedPullRequests);
    expect(await merged.textContent()).toBe(String(count));
    await page.getByText('Dashboard seeded pull request').first().waitFor();
    await page.getByRole('cell', { name: scenario.reviewer }).waitFor();
    await shot('pull-requests');
  });

  it('Deliveries: lists the seeded deliveries, a filter narrows them, the detail hides signatures', async () => {
    const all = await settledDeliveries();
    await page.goto(
      `${t.baseUrl}/ui/deliveries?repository=${encodeURIComponent(scenario.fullName)}`,
    );
    const rows = page.locator('table.deliveries tbody tr');
    await rows.first().waitFor();
    expect(await rows.count()).toBe(all.length);
    await page
      .getByRole('region', { name: 'Queue health' })
      .locator('[data-queue="deliveries"]')
      .waitFor();

    await page.getByLabel('Event').fill('pull_request');
    await page.getByLabel('Event').press('Enter');
    await page.waitForURL(/event=pull_request/);
    await rows.first().waitFor();
    const expected = all.filter((d) => d.event === 'pull_request').length;
    await eventually(
      async () => ((await rows.count()) === expected ? true : undefined),
      10000,
      'the filtered list',
    );
    expect(expected).toBeLessThan(all.length);

    await rows.first().getByRole('button').press('Enter');
    const detail = page.getByRole('region', { name: 'Delivery', exact: true });
    await detail.getByText('x-github-event').waitFor();
    const text = (await detail.textContent()) ?? '';
    expect(text).not.toContain('x-hub-signature');
    expect(text).toContain('Dashboard seeded pull request');
    // A read key sees no replay button.
    expect(await detail.getByRole('button', { name: 'Replay' }).count()).toBe(0);
    expect(text).toContain('Replay needs an admin key');
    await shot('deliveries');
  });

  it('Deliveries: an admin key replays a delivery from the inspector, which re-queues it', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await signIn(ADMIN_TOKEN);
    const [target] = (await settledDeliveries()).filter((d) => d.event === 'push');
    await page.goto(
      `${t.baseUrl}/ui/deliveries?event=push&repository=${encodeURIComponent(scenario.fullName)}`,
    );
    await page.locator(`tr[data-delivery="${target.id}"] button`).click();
    await page.getByRole('button', { name: 'Replay' }).click();
    await page.getByText('Replay accepted: queued.').waitFor();
    await eventually(
      async () => {
        const response = await t.request('GET', `/api/v1/admin/deliveries/${target.id}`);
        const now = response.json<DeliveryRow>();
        return now.queuedAt !== null &&
          now.queuedAt !== target.queuedAt &&
          now.status === 'processed'
          ? true
          : undefined;
      },
      30000,
      'the replayed delivery to be queued and processed again',
    );
    await shot('deliveries-replayed');
  });

  it('CI failures: shows the problems, or says plainly that the API does not have them', async () => {
    const probe = await t.request('GET', '/api/v1/analysis/problems');
    if (probe.status === 404) expectedMissing.push('/api/v1/analysis/');
    await page.getByRole('link', { name: 'CI failures' }).click();
    const region = page.getByRole('region', { name: 'Problems of failed CI runs' });
    if (probe.status === 404) {
      await region.getByRole('note').waitFor();
      expect(await region.textContent()).toContain('not available');
    } else {
      expect(probe.status).toBe(200);
      await region.locator('p').first().waitFor();
      expect(await region.getByRole('alert').count()).toBe(0);
    }
    await shot('ci-failures');
  });

  it('Search: finds a seeded string, highlights it and opens the file at its line', async () => {
    await page.getByRole('link', { name: 'Search' }).click();
    await page.getByLabel('Search for').fill(needle);
    await page.getByLabel('Search for').press('Enter');
    const results = page.getByRole('region', { name: 'Results' });
    const link = results.getByRole('link', { name: `${scenario.fullName}/src/greeting.ts:1` });
    await link.waitFor();
    expect(await results.locator('mark').first().textContent()).toBe(needle);
    await shot('search');
    await link.press('Enter');
    await page.waitForURL(/\/ui\/search\/file\?/);
    const hit = page.locator('ol.listing li.hit');
    await hit.waitFor();
    expect(await hit.textContent()).toContain(needle);
    expect(await page.locator('ol.listing li').count()).toBe(6);
    await shot('search-file');

    await page.goto(`${t.baseUrl}/ui/search?q=greet&kind=symbols`);
    await results.getByRole('link', { name: `${scenario.fullName}/src/greeting.ts:3` }).waitFor();
  });

  it('logged no console error on any page', () => {
    expect(consoleErrors).toEqual([]);
  });
});
