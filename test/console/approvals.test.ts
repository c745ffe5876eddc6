/**
 * Four-eyes in the browser: on a server started with --require-approval, one person requests an
 * activation in the console, cannot approve it themself, and a colleague approves it.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addVersion,
  findChromium,
  importBundle,
  root,
  screenshotDir,
  startServer,
  type RunningServer,
} from './harness.js';

const executablePath = findChromium();
/** Four-eyes needs a server with release management (`server start --require-approval`). */
const fourEyes = spawnSync(process.execPath, [join(root, 'bin', 'run.js'), 'server', 'start', '--help'], {
  encoding: 'utf8',
}).stdout.includes('--require-approval');
if (!fourEyes)
  console.warn('\n!!! test/console/approvals: this build has no server start --require-approval: SKIPPED\n');

describe.skipIf(!executablePath || !fourEyes)('four-eyes approvals in the console (Chromium)', () => {
  let server: RunningServer;
  let browser: Browser;
  let maker: string;
  let checker: string;
  let shots: string;

  beforeAll(async () => {
    shots = screenshotDir();
    server = await startServer(['--require-approval']);
    importBundle(server, false);
    await addVersion(server, 'current_account', '3.1.0');
    // The maker may approve too, but never their own request.
    maker = server.token('maker', ['read', 'config:activate', 'config:approve']);
    checker = server.token('checker', ['read', 'config:approve']);
    browser = await chromium.launch({ executablePath: executablePath!, args: ['--no-sandbox'] });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  async function login(token: string, path: string): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1366, height: 820 }, timezoneId: 'UTC' });
    const page = await context.newPage();
    await page.goto(`${server.url}/console${path}`);
    await page.getByLabel('API token').fill(token);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByTestId('token-name').waitFor();
    return page;
  }

  const current = async (): Promise<string> =>
    (await server.call('GET', '/v1/products/current_account', server.adminToken)).body[
      'current_version_id'
    ] as string;

  it('requests, refuses self-approval visibly, and applies a colleague’s approval', async () => {
    const before = await current();
    const makerPage = await login(maker, '/products/current_account');
    await makerPage.getByRole('button', { name: 'Activate 3.1.0' }).click();
    const dialog = makerPage.getByRole('dialog');
    await dialog.getByLabel('Reason (recorded in the history)').fill('New overdraft rate');
    expect(await dialog.textContent()).toContain('requires a second person');
    await dialog.getByRole('button', { name: 'Request approval' }).click();
    await expect
      .poll(() => makerPage.getByRole('status').textContent())
      .toMatch(/waits for another person's approval/);
    expect(await current()).toBe(before);

    await makerPage.getByRole('link', { name: 'Approvals' }).click();
    const row = makerPage.getByTestId('pending').getByRole('row', { name: /maker/ });
    await row.waitFor();
    expect(await row.textContent()).toContain('New overdraft rate');
    expect(await makerPage.getByTestId('self-approval-refused').textContent()).toMatch(
      /another person must approve/,
    );
    expect(await makerPage.getByRole('button', { name: /Approve request/ }).count()).toBe(0);
    await makerPage.screenshot({ path: join(shots, '10-approvals-self-refused.png'), fullPage: true });
    // The server refuses it too, whatever a client shows.
    const requests = (await server.call('GET', '/v1/activation-requests?status=PENDING', maker)).body[
      'activation_requests'
    ] as { id: string }[];
    const self = await server.call('POST', `/v1/activation-requests/${requests[0]!.id}:approve`, maker, {
      request_id: 'console-self-approval',
      reason: 'mine',
    });
    expect(self.status).toBe(403);
    expect(self.body['code']).toBe('SAME_ACTOR_APPROVAL');

    const checkerPage = await login(checker, '/approvals');
    await checkerPage.getByRole('button', { name: /Approve request/ }).click();
    const approve = checkerPage.getByRole('dialog');
    expect(await approve.textContent()).toContain('Requested by maker');
    await approve.getByLabel('Reason (optional)').fill('Checked the rate table');
    await checkerPage.screenshot({ path: join(shots, '11-approvals-approve.png'), fullPage: true });
    await approve.getByRole('button', { name: 'Approve' }).click();
    await checkerPage.getByTestId('no-pending').waitFor();
    expect(await checkerPage.getByRole('status').textContent()).toMatch(/^Approved request/);
    expect(await current()).not.toBe(before);

    await checkerPage.goto(`${server.url}/console/products/current_account`);
    await expect.poll(() => checkerPage.getByTestId('current-version').textContent()).toBe('3.1.0');
    const latest = checkerPage.getByTestId('history').getByRole('row').nth(1);
    const cells = await latest.getByRole('cell').allTextContents();
    expect(cells[1]).toBe('maker');
    expect(cells[4]).toContain('New overdraft rate');
    expect(cells[5]).toBe('checker');
    await checkerPage.screenshot({ path: join(shots, '12-approved-history.png'), fullPage: true });
  });
});
