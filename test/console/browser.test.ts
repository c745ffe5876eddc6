/**
 * The console in a real browser (Debian's Chromium driven by playwright-core) against a real
 * `strata server start` with the example bundle imported and money moved between two accounts.
 * Screenshots go to test/console/screenshots (or STRATA_SCREENSHOTS) for the reviewer.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addVersion,
  findChromium,
  importBundle,
  openAccount,
  post,
  root,
  screenshotDir,
  startServer,
  type RunningServer,
} from './harness.js';

const executablePath = findChromium();
if (!executablePath) {
  console.warn(
    '\n!!! test/console: no Chromium found (/usr/bin/chromium, or set STRATA_CHROMIUM): the console browser tests are SKIPPED.\n!!! Install it with: apt-get install -y chromium\n',
  );
}

/** The page's globals, as far as the tests read them (the tests are typed without the DOM library). */
interface PageGlobals {
  sessionStorage: { length: number; setItem(k: string, v: string): void } & Record<string, string>;
  localStorage: { length: number };
  document: { cookie: string; activeElement: { textContent: string | null } | null };
  location: { href: string };
}

const DAY = 86_400_000;
const iso = (t: number): string => new Date(t).toISOString();

describe.skipIf(!executablePath)('the console in Chromium', () => {
  let server: RunningServer;
  let browser: Browser;
  let shots: string;
  let manager: string;
  let viewer: string;
  let v1: string;
  let recordsReason: boolean;
  const now = Date.now();
  const opened = now - 10 * DAY;
  const depositAt = now - 9 * DAY;
  const transferAt = now - 8 * DAY;
  /** Everything a page asked for: the console fetches nothing from anywhere else. */
  const requested: string[] = [];
  const problems: string[] = [];

  beforeAll(async () => {
    shots = screenshotDir();
    console.log(`console screenshots: ${shots}`);
    server = await startServer();
    importBundle(server);
    v1 = (await server.call('GET', '/v1/products/current_account', server.adminToken)).body[
      'current_version_id'
    ] as string;
    await openAccount(server, 'alice', 'alice-current', iso(opened));
    await openAccount(server, 'bob', 'bob-current', iso(opened));
    await post(
      server,
      {
        inbound_hard_settlement: {
          amount: '100.00',
          denomination: 'GBP',
          target_account: { account_id: 'alice-current' },
          internal_account_id: 'CA_MAINTENANCE_FEE_INCOME',
        },
      },
      iso(depositAt),
    );
    await post(
      server,
      {
        transfer: {
          amount: '25.50',
          denomination: 'GBP',
          debtor_target_account: { account_id: 'alice-current' },
          creditor_target_account: { account_id: 'bob-current' },
        },
      },
      iso(transferAt),
    );
    await addVersion(server, 'current_account', '3.1.0');
    manager = server.token('release-manager', ['read', 'config:activate', 'ledger:read']);
    viewer = server.token('viewer', ['read']);
    // Servers before release management (GET /v1/server-settings) record no reason with activations.
    recordsReason = (await server.call('GET', '/v1/server-settings', server.adminToken)).status === 200;
    browser = await chromium.launch({ executablePath: executablePath!, args: ['--no-sandbox'] });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  async function newPage(
    options: { bypassCSP?: boolean } = {},
  ): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({
      viewport: { width: 1366, height: 820 },
      timezoneId: 'UTC',
      ...options,
    });
    const page = await context.newPage();
    page.on('request', (r) => requested.push(r.url()));
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error' && !/status of 4\d\d/.test(m.text())) problems.push(`console: ${m.text()}`);
    });
    return { context, page };
  }

  async function login(page: Page, token: string, path = '/products'): Promise<void> {
    await page.goto(`${server.url}/console${path}`);
    await page.getByLabel('API token').fill(token);
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect.poll(() => page.getByTestId('token-name').count()).toBe(1);
  }

  async function shot(page: Page, name: string): Promise<void> {
    await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
  }

  it('serves the console with a strict Content-Security-Policy, and index.html for deep links', async () => {
    for (const path of ['/console', '/console/', '/console/products/current_account', '/console/events']) {
      const res = await fetch(`${server.url}${path}`);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      expect(res.headers.get('content-security-policy')).toMatch(/default-src 'none'.*script-src 'self'/);
      expect(await res.text()).toContain('<div id="app">');
    }
    const missing = await fetch(`${server.url}/console/assets/nothing-here.js`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-security-policy')).toContain("default-src 'none'");
    // The built page has no inline script or style: the policy allows neither.
    const html = readFileSync(join(root, 'dist', 'console', 'index.html'), 'utf8');
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/<style|style=/);
  });

  it('logs in with a token typed into a password field, kept in sessionStorage only', async () => {
    const { context, page } = await newPage();
    await page.goto(`${server.url}/console/products`);
    const field = page.getByLabel('API token');
    expect(await field.getAttribute('type')).toBe('password');
    await field.fill('strata_not_a_token');
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/does not know this token/);
    // Only the form's error: no "no longer accepts" notice for a token that was never accepted.
    expect(await page.getByRole('status').count()).toBe(0);
    await shot(page, '01-login-refused');
    await field.fill(manager);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: 'Products' }).waitFor();
    expect(await page.getByTestId('token-name').textContent()).toBe('release-manager');
    expect(await page.getByTestId('token-scopes').textContent()).toContain('config:activate');
    const stored = await page.evaluate(() => ({
      session: Object.entries((globalThis as unknown as PageGlobals).sessionStorage),
      local: (globalThis as unknown as PageGlobals).localStorage.length,
      cookie: (globalThis as unknown as PageGlobals).document.cookie,
      url: (globalThis as unknown as PageGlobals).location.href,
    }));
    expect(stored.session).toEqual([['strata.console.token', manager]]);
    expect(stored.local).toBe(0);
    expect(stored.cookie).toBe('');
    expect(stored.url).not.toContain(manager);
    expect(requested.some((u) => u.includes(manager))).toBe(false);
    // A reload keeps the session (same tab); logging out forgets the token.
    await page.reload();
    await page.getByRole('heading', { name: 'Products' }).waitFor();
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByLabel('API token').waitFor();
    expect(await page.evaluate(() => (globalThis as unknown as PageGlobals).sessionStorage.length)).toBe(0);
    await context.close();
  });

  it('returns to login when the server answers 401', async () => {
    const { context, page } = await newPage();
    await login(page, manager);
    await page.evaluate(() =>
      (globalThis as unknown as PageGlobals).sessionStorage.setItem('strata.console.token', 'strata_revoked'),
    );
    await page.reload();
    await page.getByLabel('API token').waitFor();
    expect(await page.getByRole('status').textContent()).toMatch(/no longer accepts this token/);
    expect(await page.evaluate(() => (globalThis as unknown as PageGlobals).sessionStorage.length)).toBe(0);
    await context.close();
  });

  it('lists products with their current version, versions and open accounts', async () => {
    const { context, page } = await newPage();
    await login(page, manager);
    const row = page.getByRole('row', { name: /Current Account/ });
    await row.waitFor();
    const cells = await row.getByRole('cell').allTextContents();
    // id, current version, versions, accounts open, created
    expect(cells.slice(0, 4)).toEqual(['current_account', expect.stringMatching(/^\d+\.\d+\.\d+/), '2', '2']);
    await shot(page, '02-products');
    await context.close();
  });

  it('marks the current version and activates another with a confirmation and a reason, then rolls back', async () => {
    const { context, page } = await newPage();
    await login(page, manager, '/products/current_account');
    const current = page.locator('tr[aria-current="true"]');
    await current.waitFor();
    expect(await current.getByRole('rowheader').textContent()).not.toContain('3.1.0');
    expect(await current.getByRole('rowheader').textContent()).toContain('current');
    const before = await page.getByTestId('current-version').textContent();
    await page.getByRole('button', { name: 'Activate 3.1.0' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain(`From version ${before} to version 3.1.0`);
    // Escape cancels: nothing changes.
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    expect(
      (await server.call('GET', '/v1/products/current_account', manager)).body['current_version_id'],
    ).toBe(v1);
    await page.getByRole('button', { name: 'Activate 3.1.0' }).click();
    const reason = dialog.getByLabel('Reason (recorded in the history)');
    if (recordsReason) await reason.fill('Rate change for December');
    else expect(await reason.count()).toBe(0);
    await shot(page, '03-activate-confirm');
    await dialog.getByRole('button', { name: 'Activate' }).click();
    await expect.poll(() => page.getByTestId('current-version').textContent()).toBe('3.1.0');
    expect(await page.getByRole('status').textContent()).toMatch(/3\.1\.0 .* is now current/);
    const history = page.getByTestId('history').getByRole('row').nth(1);
    expect(await history.getByRole('cell').allTextContents()).toEqual([
      expect.stringMatching(/UTC$/),
      'release-manager',
      before,
      '3.1.0',
      expect.stringContaining(recordsReason ? 'Rate change for December' : 'ACTIVATE_VERSION'),
      '',
    ]);
    await shot(page, '04-activated');
    await page.getByRole('button', { name: `Roll back to ${before}` }).click();
    if (recordsReason) await reason.fill('Undo: wrong rate');
    await dialog.getByRole('button', { name: 'Roll back' }).click();
    await expect.poll(() => page.getByTestId('current-version').textContent()).toBe(before);
    expect(
      (await server.call('GET', '/v1/products/current_account', manager)).body['current_version_id'],
    ).toBe(v1);
    await shot(page, '05-rolled-back');
    await context.close();
  });

  it('hides actions a token cannot perform', async () => {
    const { context, page } = await newPage();
    await login(page, viewer, '/products/current_account');
    await page.getByTestId('versions').waitFor();
    expect(await page.getByRole('button', { name: /Activate|Roll back/ }).count()).toBe(0);
    expect(await page.getByRole('columnheader', { name: 'Action' }).count()).toBe(0);
    await page.getByRole('link', { name: 'Accounts' }).click();
    await expect.poll(() => page.locator('main').textContent()).toContain('needs the scope ledger:read');
    await context.close();
  });

  it("shows an account's live balances, balances as of a date, and its batches", async () => {
    const { context, page } = await newPage();
    await login(page, manager, '/accounts/alice-current');
    const balances = page.getByTestId('balances');
    await balances.waitFor();
    const committed = balances.getByRole('row', { name: /committed/ });
    // Exactly as the API returns them: decimal strings.
    expect((await committed.getByRole('cell').allTextContents()).slice(3, 6)).toEqual([
      '74.50',
      '25.50',
      '100.00',
    ]);
    expect(await page.getByTestId('batches').getByRole('row').count()).toBe(3);
    await shot(page, '06-account-live');
    // Between the deposit and the transfer (the page's time zone is UTC here).
    const between = iso((depositAt + transferAt) / 2).slice(0, 19);
    await page.getByLabel('As of (your local time)').fill(between);
    await page.getByRole('button', { name: 'Show' }).click();
    await page.getByRole('heading', { name: /Balances as of/ }).waitFor();
    await expect
      .poll(async () =>
        (
          await balances
            .getByRole('row', { name: /committed/ })
            .getByRole('cell')
            .allTextContents()
        ).slice(3, 6),
      )
      .toEqual(['100.00', '0.00', '100.00']);
    await shot(page, '07-account-as-of');
    await page.getByRole('button', { name: 'Live' }).click();
    await expect
      .poll(
        async () =>
          (
            await balances
              .getByRole('row', { name: /committed/ })
              .getByRole('cell')
              .allTextContents()
          )[3],
      )
      .toBe('74.50');
    await context.close();
  });

  it('follows the live event feed: a new batch arrives, pause holds events, the topic filter narrows', async () => {
    const { context, page } = await newPage();
    await login(page, manager, '/events');
    await expect.poll(() => page.getByTestId('stream-state').textContent()).toBe('Live');
    const rows = page.getByTestId('events').locator('tbody tr');
    await expect.poll(() => rows.count()).toBeGreaterThan(5);
    await post(server, {
      transfer: {
        amount: '12.34',
        denomination: 'GBP',
        debtor_target_account: { account_id: 'alice-current' },
        creditor_target_account: { account_id: 'bob-current' },
      },
    });
    const transfer = page.getByTestId('events').getByRole('row', { name: /\+12\.34 GBP bob-current/ });
    await transfer.waitFor();
    await shot(page, '08-events-live');
    await page.getByRole('button', { name: 'Pause' }).click();
    await post(server, {
      transfer: {
        amount: '0.66',
        denomination: 'GBP',
        debtor_target_account: { account_id: 'alice-current' },
        creditor_target_account: { account_id: 'bob-current' },
      },
    });
    await expect
      .poll(() => page.getByTestId('stream-state').textContent())
      .toMatch(/paused, [1-9]\d* new held/);
    expect(await page.getByRole('row', { name: /0\.66 GBP/ }).count()).toBe(0);
    await page.getByRole('button', { name: /Resume/ }).click();
    await page
      .getByTestId('events')
      .getByRole('row', { name: /\+0\.66 GBP bob-current/ })
      .waitFor();
    await page
      .getByLabel('Topic')
      .selectOption('vault.core_api.v1.postings.posting_instruction_batch.created');
    const topics = await page.getByTestId('events').locator('tbody tr td:nth-child(3)').allTextContents();
    expect(topics.length).toBeGreaterThanOrEqual(4);
    expect(new Set(topics)).toEqual(new Set(['posting_instruction_batch.created']));
    await shot(page, '09-events-filtered');
    // The stream is read with fetch and the token in a header, never in the URL.
    expect(requested.filter((u) => u.includes('events:stream')).every((u) => !u.includes('token'))).toBe(
      true,
    );
    await context.close();
  });

  it('is keyboard operable: skip link, navigation, and a dialog that Escape closes', async () => {
    const { context, page } = await newPage();
    await login(page, manager, '/products');
    await page.keyboard.press('Tab');
    expect(
      await page.evaluate(() => (globalThis as unknown as PageGlobals).document.activeElement?.textContent),
    ).toBe('Skip to content');
    await page.keyboard.press('Tab');
    expect(
      await page.evaluate(() => (globalThis as unknown as PageGlobals).document.activeElement?.textContent),
    ).toBe('Products');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Approvals' }).waitFor();
    expect(page.url()).toBe(`${server.url}/console/approvals`);
    await page.goBack();
    await page.getByRole('heading', { name: 'Products' }).waitFor();
    await context.close();
  });

  it('passes axe-core checks (WCAG 2 AA: labels, contrast, landmarks) on every page', async () => {
    // axe is injected as a script, which the console's own policy forbids: this context bypasses it.
    const { context, page } = await newPage({ bypassCSP: true });
    await login(page, manager);
    const axe = readFileSync(join(root, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
    for (const path of [
      '/products',
      '/products/current_account',
      '/approvals',
      '/accounts',
      '/accounts/alice-current',
      '/events',
    ]) {
      await page.goto(`${server.url}/console${path}`);
      await page.locator('main h1').waitFor();
      // Whatever the page loads is on it: a table or a note (the event feed never goes idle).
      await page
        .locator('main table, main .note, main .error, main [data-testid="no-pending"]')
        .first()
        .waitFor();
      await page.addScriptTag({ content: axe });
      const violations = await page.evaluate(async () => {
        const run = (
          globalThis as unknown as {
            axe: { run: (o: unknown) => Promise<{ violations: { id: string; nodes: unknown[] }[] }> };
          }
        ).axe;
        const r = await run.run({
          runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
        });
        return r.violations.map((v) => `${v.id} (${v.nodes.length})`);
      });
      expect(violations, path).toEqual([]);
    }
    await context.close();
  }, 90_000);

  it('made no request to any other origin, and no page error', () => {
    expect(requested.filter((u) => !u.startsWith(server.url))).toEqual([]);
    expect(problems).toEqual([]);
  });
});
