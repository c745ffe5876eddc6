/**
 * A product library laid out like real Vault product libraries (test/fixtures/library): four
 * `*_manifest.yaml` sharing one root, CRLF files that open with a copyright comment and `---`,
 * explicit nulls where real files write them (schedule tags' override timestamps and test pause,
 * descriptions, summaries, ...), listed ids with trailing spaces, test folders full of unlisted
 * duplicates, contracts that name calendars and flags inside their code with `&{}`, and one
 * contract file backing two products. What a new user does first with such a library must work.
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { validatePaths } from '../../src/validate/validate.js';
import { loadPacks } from '../../src/validate/packs.js';
import { formatValidateResult } from '../../src/ui/findings.js';
import { plain } from '../../src/ui/style.js';
import { importPaths, planPaths, type DeployRequest } from '../../src/deploy/import.js';
import { DEFAULTS } from '../../src/config/config.js';
import { STORAGE_FACTORIES } from '../storage/factories.js';
import { testServer, type TestServer } from '../deploy/helpers.js';

const LIBRARY = fileURLToPath(new URL('../fixtures/library/', import.meta.url));
/** The order a library's CI deployer imports in: the common pack first. */
const MANIFESTS = ['common', 'current_account', 'savings_account', 'loan'].map((m) => `${m}_manifest.yaml`);

const NOTE = {
  code: 'W_DUPLICATE_UNLISTED',
  severity: 'note',
  message:
    '4 ids that no manifest lists or references are defined more than once under . (harmless to these packs; validate --verbose lists them)',
  file: 'current_account/tests/e2e/e2e_calendar.resource.yaml',
  line: 3,
  column: 1,
};

/** Every file below `dir`, relative to it. */
function filesBelow(dir: string, prefix = ''): string[] {
  return readdirSync(join(dir, prefix), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesBelow(dir, join(prefix, e.name)) : [join(prefix, e.name)],
  );
}

describe('the fixture', () => {
  it('has the traits of real libraries (so an editor that normalises files cannot quietly remove them)', () => {
    const yaml = filesBelow(LIBRARY).filter((f) => /(_manifest|\.resources?)\.yaml$/.test(f));
    expect(yaml.length).toBeGreaterThanOrEqual(25);
    for (const file of yaml) {
      const text = readFileSync(join(LIBRARY, file), 'utf8');
      expect(
        text.startsWith('# Copyright @ 2024 Strata test library. All rights reserved.\r\n---\r\n'),
        file,
      ).toBe(true);
      expect(text.replace(/\r\n/g, ''), file).not.toContain('\n');
    }
    const manifests = MANIFESTS.map((m) => readFileSync(join(LIBRARY, m), 'utf8'));
    expect(manifests.join('').match(/^ {2}- [A-Za-z_0-9]+ +\r$/gm)?.length).toBeGreaterThanOrEqual(5);
    const tags = readFileSync(
      join(LIBRARY, 'current_account/current_account_account_schedule_tags.resources.yaml'),
      'utf8',
    );
    expect(tags.match(/schedule_status_override_start_timestamp: null/g)).toHaveLength(3);
  });
});

describe('validate', () => {
  it('gives exactly the findings the library deserves (one note) and a one-line verdict', async () => {
    const result = await validatePaths(MANIFESTS, { cwd: LIBRARY });
    expect(result.findings).toEqual([NOTE]);
    expect(result.status).toBe('VALID');
    expect(result.packs.map((p) => [p.pack_name, Object.keys(p.resources).length, p.valid])).toEqual([
      ['Common', 9, true],
      ['Current Account', 10, true],
      ['Savings Account', 8, true],
      ['Loan', 10, true],
    ]);
    for (const pack of result.packs) {
      for (const [id, r] of Object.entries(pack.resources)) expect(r.findings, id).toEqual([]);
    }
    expect(result.unlisted_duplicates.map((d) => [d.id, d.definitions.length])).toEqual([
      ['E2E_TEST_CALENDAR', 3],
      ['E2E_TEST_FLAG', 4],
      ['E2E_PAUSED_TAG', 3],
      ['E2E_FAST_FORWARD_TAG', 3],
    ]);
    const text = formatValidateResult(result, plain).split('\n');
    expect(text).toHaveLength(2);
    expect(text[1]).toMatch(/^4 packs, 37 resources: 0 errors, 0 warnings \(\d+ ms\) VALID$/);
    expect((await validatePaths(MANIFESTS, { cwd: LIBRARY, strict: true })).status).toBe('VALID');
  });

  it.each(MANIFESTS)('validates %s on its own the same way', async (manifest) => {
    const result = await validatePaths([manifest], { cwd: LIBRARY });
    expect(result.findings).toEqual([NOTE]);
    expect(result.status).toBe('VALID');
  });

  it('reads the library as written: trimmed ids, CRLF kept in inlined code, references inside code, nulls dropped', async () => {
    const loaded = await loadPacks(MANIFESTS, { cwd: LIBRARY, payloads: true });
    try {
      const [common, current, savings, loan] = loaded.packs;
      expect(common?.listed).toContain('PUBLIC_HOLIDAYS_2026_GOOD_FRIDAY');
      expect(current?.listed).toContain('CURRENT_ACCOUNT_APPLY_ACCRUED_INTEREST_AST');
      // The contract file is CRLF; its bytes are sent as written.
      const contract = current?.resources.get('current_account')?.payload as {
        product_version: { code: string };
      };
      expect(contract.product_version.code).toContain('version = "3.1.0"\r\n');
      // Calendars and flags named inside code are edges of the graph, at the line in the .py file.
      const edges = current?.graph.edges.get('current_account') ?? [];
      const at = (to: string) => {
        const edge = edges.find((e) => e.to === to);
        return edge ? current?.locate(edge.site) : undefined;
      };
      expect(at('PUBLIC_HOLIDAYS')).toEqual({
        file: 'current_account/contracts/current_account_rendered.py',
        line: 18,
        column: 21,
      });
      expect(at('ACCOUNT_DORMANT')).toMatchObject({ line: 19 });
      expect(
        loan?.graph.edges
          .get('loan')
          ?.map((e) => e.to)
          .sort(),
      ).toEqual(['ACCRUED_INTEREST_RECEIVABLE', 'PUBLIC_HOLIDAYS', 'REPAYMENT_HOLIDAY']);
      // Tags come before the contracts that name them literally; calendars and flags before all.
      const order = current?.order ?? [];
      expect(order.indexOf('CURRENT_ACCOUNT_DORMANCY_CHECK_AST')).toBeLessThan(
        order.indexOf('current_account'),
      );
      expect(order.slice(0, 2)).toEqual(['PUBLIC_HOLIDAYS', 'ACCOUNT_DORMANT']);
      // One file backs two products; null fields are not sent.
      const saver = savings?.resources.get('easy_access_saver')?.payload;
      expect(saver).toEqual({
        product_version: {
          product_id: 'easy_access_saver',
          code: readFileSync(join(LIBRARY, 'savings_account/contracts/savings_account.py'), 'utf8'),
          display_name: 'Easy Access Saver',
          params: [
            { name: 'interest_rate', value: '0.0200' },
            { name: 'accrued_interest_payable_account', value: '&{ACCRUED_INTEREST_PAYABLE}' },
          ],
        },
        migration_strategy: 'PRODUCT_VERSION_MIGRATION_STRATEGY_ADD_VERSION_APPLY_NEW_USERS',
      });
      const tag = current?.resources.get('CURRENT_ACCOUNT_ACCRUE_INTEREST_AST')?.payload;
      expect(JSON.stringify(tag)).not.toContain('null');
    } finally {
      await loaded.cleanup();
    }
  });
});

describe.each(STORAGE_FACTORIES)('import on $name', (factory) => {
  describe.skipIf(factory.skip)('', () => {
    let server: TestServer;
    let work: string;
    beforeEach(async () => {
      server = await testServer(factory);
      work = mkdtempSync(join(tmpdir(), 'strata-library-'));
      cpSync(LIBRARY, join(work, 'library'), { recursive: true });
    });
    afterEach(async () => {
      await server.close();
      rmSync(work, { recursive: true, force: true });
    });

    const request = (manifest: string): DeployRequest => ({
      paths: [`library/${manifest}`],
      cwd: work,
      dataDir: join(work, '.strata'),
      target: {
        environment: null,
        url: server.url,
        token: server.token,
        tokenSource: 'test',
        caFile: null,
        concurrency: DEFAULTS.concurrency,
        timeoutMs: 10_000,
        maxRetries: 2,
        activateOnImport: true,
      },
    });

    const get = async (path: string) => {
      const res = await fetch(`${server.url}${path}`, { headers: { 'x-auth-token': server.token } });
      return (await res.json()) as Record<string, unknown>;
    };

    it('imports every manifest with SUCCESS, re-imports unchanged, and plans clean', async () => {
      const actions: Record<string, string[]> = {};
      for (const manifest of MANIFESTS) {
        const result = await importPaths(request(manifest));
        expect(result.status, `${manifest}: ${JSON.stringify(result.import, null, 1)}`).toBe('SUCCESS');
        actions[manifest] = [...new Set(Object.values(result.import).map((r) => r.action))].sort();
      }
      // Later manifests list common resources the common pack already imported.
      expect(actions).toEqual({
        'common_manifest.yaml': ['created'],
        'current_account_manifest.yaml': ['created', 'unchanged'],
        'savings_account_manifest.yaml': ['created', 'unchanged'],
        'loan_manifest.yaml': ['created', 'unchanged'],
      });
      for (const manifest of MANIFESTS) {
        const again = await importPaths(request(manifest));
        expect(again.status).toBe('SUCCESS');
        expect(new Set(Object.values(again.import).map((r) => r.action)), manifest).toEqual(
          new Set(['unchanged']),
        );
        const plan = await planPaths(request(manifest));
        expect(plan.status, JSON.stringify(plan.plan, null, 1)).toBe('NO CHANGES');
      }

      // The references inside the code were resolved; the nulls were not stored.
      const versions = (
        await get('/v1/product-versions?page_size=100&view=PRODUCT_VERSION_VIEW_INCLUDE_CODE')
      ).product_versions as Array<{ product_id: string; code: string }>;
      const current = versions.find((v) => v.product_id === 'current_account');
      expect(current?.code).toContain('HOLIDAY_CALENDAR = "PUBLIC_HOLIDAYS"\r\n');
      expect(current?.code).not.toContain('&{');
      const tag = await get('/v1/account-schedule-tags/CURRENT_ACCOUNT_ACCRUE_INTEREST_AST');
      expect(Object.keys(tag)).not.toContain('schedule_status_override_start_timestamp');
      expect(await get('/v1/account-schedule-tags/CURRENT_ACCOUNT_APPLY_MONTHLY_FEES_AST')).toMatchObject({
        schedule_status_override_start_timestamp: '1970-01-01T00:00:00+00:00',
        test_pause_at_timestamp: '2099-01-01T00:00:00+00:00',
      });
    });
  });
});
