/** Import against a server that fails in ways a real one will not on demand (nock). */
import nock from 'nock';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { importPaths, planPaths } from '../../src/deploy/import.js';
import { DEFAULTS } from '../../src/config/config.js';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';

const root = join(import.meta.dirname, '..', '..');
const base = 'http://vault.faults.test';
afterEach(() => {
  nock.cleanAll();
});

describe('import with injected faults', () => {
  it('fails the resources whose list call fails (no crash), blocks their dependents, and imports the rest', async () => {
    let created = 0;
    nock(base)
      .persist()
      .get(/.*/)
      .reply((uri) => {
        if (uri.startsWith('/v1/vault-version'))
          return [200, { version: { major: 5, minor: 0, patch: 0, label: '' } }];
        if (uri.startsWith('/v1/product-versions')) return [500, { code: 'INTERNAL', message: 'list broke' }];
        return [200, { objects: [], next_page_token: '' }];
      })
      .post(/.*/)
      .reply((_uri, body) => {
        created++;
        const b = body as Record<string, Record<string, unknown>>;
        const obj = Object.values(b).find((v) => typeof v === 'object') ?? {};
        return [200, { id: (obj as { id?: string }).id ?? 'generated', ...obj }];
      });
    const dataDir = mkdtempSync(join(tmpdir(), 'strata-faults-'));
    try {
      const result = await importPaths({
        paths: ['packs/library/wallet_manifest.yaml'],
        cwd: root,
        dataDir,
        target: {
          environment: null,
          url: base,
          token: 't',
          tokenSource: 'test',
          caFile: null,
          concurrency: DEFAULTS.concurrency,
          timeoutMs: 2000,
          maxRetries: 0,
          activateOnImport: true,
        },
      });
      expect(result.status).toBe('PARTIAL SUCCESS');
      expect(result.import.internal_account_contract).toMatchObject({
        action: 'failed',
        error: { code: 'INTERNAL' },
      });
      expect(result.import.wallet?.action).toMatch(/failed|blocked/);
      expect(result.import.WALLET_CASHBACK_EXPENSE).toMatchObject({
        action: 'blocked',
        blocked_by: ['internal_account_contract'],
      });
      expect(result.import.DORMANCY_FLAG?.action).toBe('created');
      expect(created).toBe(3);
      expect(result.activations.map((a) => a.action)).toEqual(['not_started']);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('fails a resource whose update the server refuses, with its error; plan names what would change', async () => {
    const work = mkdtempSync(join(tmpdir(), 'strata-faults-'));
    cpSync(join(root, 'packs'), join(work, 'packs'), { recursive: true });
    const file = join(work, 'packs/library/wallet/wallet_account_schedule_tags.resources.yaml');
    writeFileSync(
      file,
      readFileSync(file, 'utf8').replace(
        '    id: WALLET_ZERO_OUT_DAILY_SPEND_AST\n',
        '    id: WALLET_ZERO_OUT_DAILY_SPEND_AST\n    vault_id: WALLET_ZERO_OUT_DAILY_SPEND_AST\n    on_conflict: UPDATE\n',
      ),
    );
    const existing = {
      id: 'WALLET_ZERO_OUT_DAILY_SPEND_AST',
      description: 'Wallet - reset the daily spending tracker at end of day',
      sends_scheduled_operation_reports: false,
      schedule_status_override: 'ACCOUNT_SCHEDULE_TAG_SCHEDULE_STATUS_OVERRIDE_TO_SKIPPED',
    };
    nock(base)
      .persist()
      .get(/.*/)
      .reply((uri) => {
        if (uri.startsWith('/v1/vault-version'))
          return [200, { version: { major: 5, minor: 0, patch: 0, label: '' } }];
        if (uri.startsWith('/v1/account-schedule-tags'))
          return [200, { account_schedule_tags: [existing], next_page_token: '' }];
        return [200, { objects: [], next_page_token: '' }];
      })
      .post(/.*/)
      .reply((_uri, body) => {
        const b = body as Record<string, Record<string, unknown>>;
        const obj = Object.values(b).find((v) => typeof v === 'object') ?? {};
        return [200, { id: (obj as { id?: string }).id ?? 'generated', ...obj }];
      })
      .put(/.*/)
      .reply(500, { code: 'INTERNAL', message: 'update broke' });
    try {
      const result = await importPaths({
        paths: ['packs/library/wallet_manifest.yaml'],
        cwd: work,
        dataDir: work,
        target: {
          environment: null,
          url: base,
          token: 't',
          tokenSource: 'test',
          caFile: null,
          concurrency: DEFAULTS.concurrency,
          timeoutMs: 2000,
          maxRetries: 0,
          activateOnImport: false,
        },
      });
      expect(result.import.WALLET_ZERO_OUT_DAILY_SPEND_AST).toMatchObject({
        action: 'failed',
        error: { code: 'INTERNAL', status: 500 },
      });
      const plan = await planPaths({
        paths: ['packs/library/wallet_manifest.yaml'],
        cwd: work,
        dataDir: work,
        target: {
          environment: null,
          url: base,
          token: 't',
          tokenSource: 'test',
          caFile: null,
          concurrency: DEFAULTS.concurrency,
          timeoutMs: 2000,
          maxRetries: 0,
          activateOnImport: false,
        },
      });
      expect(plan.plan.WALLET_ZERO_OUT_DAILY_SPEND_AST).toMatchObject({
        action: 'update',
        changes: [{ field: 'schedule_status_override' }],
      });
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
});
