/**
 * plan and import against the real server (in process, over real HTTP), on SQLite and on
 * PostgreSQL when STRATA_TEST_PG_URL is set.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/server/app.js';
import { issueToken } from '../../src/server/auth.js';
import { STORAGE_FACTORIES } from '../storage/factories.js';
import { importPaths, planPaths, type DeployRequest } from '../../src/deploy/import.js';
import { DEFAULTS, type Target } from '../../src/config/config.js';
import { validator } from '../../src/schema/index.js';

/** Real output checked against its published schema (the JSON round trip drops undefined fields). */
function expectSchema(name: string, value: unknown): void {
  const check = validator(name);
  expect(check(JSON.parse(JSON.stringify(value))), JSON.stringify(check.errors)).toBe(true);
}

const root = join(import.meta.dirname, '..', '..');
const LIBRARY = ['wallet', 'savings', 'loan'].map((m) => `packs/library/${m}_manifest.yaml`);

describe.each(STORAGE_FACTORIES)('plan and import on $name', (factory) => {
  describe.skipIf(factory.skip)('', () => {
    let close: () => Promise<void>;
    let target: Target;
    let work: string;
    let commits: () => Promise<number>;

    beforeEach(async () => {
      const { storage, cleanup } = await factory.create();
      const { token } = await issueToken(storage, { scopes: ['admin'], name: 'import-test' });
      const app = buildApp({ storage });
      await app.listen({ port: 0, host: '127.0.0.1' });
      const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
      target = {
        environment: null,
        url,
        token,
        tokenSource: 'test',
        caFile: null,
        concurrency: DEFAULTS.concurrency,
        timeoutMs: 10_000,
        maxRetries: 2,
        activateOnImport: true,
      };
      work = mkdtempSync(join(tmpdir(), 'strata-import-'));
      cpSync(join(root, 'packs'), join(work, 'packs'), { recursive: true });
      commits = async () => {
        const res = await fetch(`${url}/metrics`, { headers: { 'x-auth-token': token } });
        const m = /^strata_storage_commit_duration_seconds_count\S* (\d+)/m.exec(await res.text());
        return Number(m?.[1] ?? 0);
      };
      close = async () => {
        await app.close();
        await cleanup();
        rmSync(work, { recursive: true, force: true });
      };
    });
    afterEach(async () => close());

    const request = (paths: string[], more: Partial<DeployRequest> = {}): DeployRequest => ({
      paths,
      cwd: work,
      target,
      dataDir: join(work, '.strata'),
      ...more,
    });

    it('imports every example pack with SUCCESS; a second import writes nothing; plan then has nothing to do', async () => {
      for (const path of [...LIBRARY, 'packs/bundle']) {
        const result = await importPaths(request([path]));
        expect(result.status, JSON.stringify(result.import, null, 1)).toBe('SUCCESS');
        expectSchema('import-result', result);
        expect(Object.keys(result).join(',')).toBe(
          'status,validate,findings,skipped,import,activations,summary,run_id',
        );
      }
      const before = await commits();
      for (const path of [...LIBRARY, 'packs/bundle']) {
        const again = await importPaths(request([path]));
        expect(again.status).toBe('SUCCESS');
        expect(new Set(Object.values(again.import).map((r) => r.action))).toEqual(new Set(['unchanged']));
        expect(again.activations.every((a) => a.action === 'unchanged')).toBe(true);
        const plan = await planPaths(request([path]));
        expect(plan.status).toBe('NO CHANGES');
        expectSchema('plan-result', plan);
      }
      expect(await commits()).toBe(before);
    });

    it('names the changed field after an edit, and refuses to overwrite it without on_conflict', async () => {
      await importPaths(request([LIBRARY[0]!]));
      const file = join(work, 'packs/library/common/flags/dormancy_flag.resource.yaml');
      writeFileSync(
        file,
        readFileSync(file, 'utf8').replace(/description: .*/, 'description: Edited by a test'),
      );
      const plan = await planPaths(request([LIBRARY[0]!]));
      expect(plan.status).toBe('CHANGES');
      expectSchema('plan-result', plan);
      expect(plan.plan.DORMANCY_FLAG).toMatchObject({ action: 'conflict' });
      expect(plan.plan.DORMANCY_FLAG?.changes.map((c) => c.field)).toEqual(['description']);
      const result = await importPaths(request([LIBRARY[0]!]));
      expect(result.status).toBe('PARTIAL SUCCESS');
      expect(result.import.DORMANCY_FLAG).toMatchObject({ action: 'failed', error: { code: 'CONFLICT' } });
    });

    it('updates a schedule tag with on_conflict: UPDATE (override fields together), then finds it unchanged', async () => {
      await importPaths(request([LIBRARY[0]!]));
      const file = join(work, 'packs/library/wallet/wallet_account_schedule_tags.resources.yaml');
      const text = readFileSync(file, 'utf8')
        .replace(
          '    id: WALLET_ZERO_OUT_DAILY_SPEND_AST\n',
          '    id: WALLET_ZERO_OUT_DAILY_SPEND_AST\n    vault_id: WALLET_ZERO_OUT_DAILY_SPEND_AST\n    on_conflict: UPDATE\n',
        )
        .replace(
          'schedule_status_override: ACCOUNT_SCHEDULE_TAG_SCHEDULE_STATUS_OVERRIDE_NO_OVERRIDE',
          'schedule_status_override: ACCOUNT_SCHEDULE_TAG_SCHEDULE_STATUS_OVERRIDE_TO_SKIPPED\n        schedule_status_override_start_timestamp: "2026-12-24T00:00:00+00:00"\n        schedule_status_override_end_timestamp: "2026-12-27T00:00:00+00:00"',
        );
      writeFileSync(file, text);
      const plan = await planPaths(request([LIBRARY[0]!]));
      expect(plan.plan.WALLET_ZERO_OUT_DAILY_SPEND_AST).toMatchObject({ action: 'update' });
      const result = await importPaths(request([LIBRARY[0]!]));
      expect(result.status, JSON.stringify(result.import.WALLET_ZERO_OUT_DAILY_SPEND_AST)).toBe('SUCCESS');
      expect(result.import.WALLET_ZERO_OUT_DAILY_SPEND_AST?.action).toBe('updated');
      const again = await importPaths(request([LIBRARY[0]!]));
      expect(again.import.WALLET_ZERO_OUT_DAILY_SPEND_AST?.action).toBe('unchanged');
    });

    it('plans a conflict saying why for on_conflict: UPDATE on a type that cannot change, and import refuses it', async () => {
      await importPaths(request([LIBRARY[0]!]));
      const file = join(work, 'packs/library/common/flags/dormancy_flag.resource.yaml');
      writeFileSync(
        file,
        readFileSync(file, 'utf8')
          .replace(/description: .*/, 'description: Edited by a test')
          .replace(/^id: DORMANCY_FLAG$/m, 'id: DORMANCY_FLAG\nvault_id: DORMANCY_FLAG\non_conflict: UPDATE'),
      );
      const plan = await planPaths(request([LIBRARY[0]!]));
      expect(plan.plan.DORMANCY_FLAG).toMatchObject({
        action: 'conflict',
        error: {
          code: 'NOT_UPDATABLE',
          message: expect.stringMatching(/^FLAG_DEFINITION objects cannot be updated/),
        },
      });
      const result = await importPaths(request([LIBRARY[0]!]));
      expect(result.import.DORMANCY_FLAG).toMatchObject({ action: 'failed', error: { code: 'CONFLICT' } });
    });

    it('skips an existing object that differs with on_conflict: SKIP, and uses it', async () => {
      await importPaths(request([LIBRARY[0]!]));
      const file = join(work, 'packs/library/common/flags/dormancy_flag.resource.yaml');
      writeFileSync(
        file,
        readFileSync(file, 'utf8')
          .replace(/description: .*/, 'description: Edited by a test')
          .replace(/^id: DORMANCY_FLAG$/m, 'id: DORMANCY_FLAG\non_conflict: SKIP'),
      );
      const result = await importPaths(request([LIBRARY[0]!]));
      expect(result.status).toBe('SUCCESS');
      expect(result.import.DORMANCY_FLAG).toMatchObject({ action: 'skipped', vault_id: 'DORMANCY_FLAG' });
    });

    it('blocks exactly the dependents of a resource the server rejects, and does not activate after a partial import', async () => {
      // The server refuses an internal account whose product does not exist; the validator cannot know.
      const file = join(work, 'packs/library/wallet/wallet_internal_accounts.resources.yaml');
      const text = readFileSync(file, 'utf8');
      writeFileSync(
        file,
        text.replace('product_id: "&{internal_account_contract:product_id}"', 'product_id: no_such_product'),
      );
      const result = await importPaths(request([LIBRARY[0]!]));
      expect(result.status).toBe('PARTIAL SUCCESS');
      expectSchema('import-result', result);
      const failed = Object.entries(result.import)
        .filter(([, r]) => r.action === 'failed')
        .map(([id]) => id);
      expect(failed).toHaveLength(1);
      const blocked = Object.entries(result.import).filter(([, r]) => r.action === 'blocked');
      expect(blocked.map(([id]) => id)).toEqual(['wallet']);
      expect(blocked[0]![1].blocked_by).toEqual(failed);
      expect(result.import.DORMANCY_FLAG?.action).toBe('created');
      expect(result.activations.map((a) => a.action)).toEqual(['not_started']);
    });

    it('activates a new version that the migration strategy left alone, once', async () => {
      await importPaths(request([LIBRARY[0]!]));
      const code = join(work, 'packs/library/wallet/contracts/wallet.py');
      writeFileSync(code, readFileSync(code, 'utf8').replace('version = "1.2.0"', 'version = "1.3.0"'));
      const resources = join(work, 'packs/library/wallet/wallet.resources.yaml');
      writeFileSync(
        resources,
        readFileSync(resources, 'utf8').replace(
          'MIGRATION_STRATEGY_ADD_VERSION_APPLY_NEW_USERS',
          'MIGRATION_STRATEGY_ADD_VERSION',
        ),
      );
      const plan = await planPaths(request([LIBRARY[0]!]));
      expect(plan.plan.wallet?.action).toBe('create');
      expect(plan.activations.map((a) => a.action)).toEqual(['activate']);
      const result = await importPaths(request([LIBRARY[0]!]));
      expect(result.status).toBe('SUCCESS');
      const [activation] = result.activations;
      expect(activation).toMatchObject({ resource_id: 'wallet', target: 'wallet', action: 'activated' });
      expect(activation?.previous_version_id).not.toBe(activation?.version_id);
      const product = (await (
        await fetch(`${target.url}/v1/products/wallet`, { headers: { 'x-auth-token': target.token } })
      ).json()) as { current_version_id: string };
      expect(product.current_version_id).toBe(activation?.version_id);
      const again = await importPaths(request([LIBRARY[0]!]));
      expect(again.activations.map((a) => a.action)).toEqual(['unchanged']);
    });

    it.each(['1.2.0+build.7', '1.3.0-rc.1', '1.3.0-rc.1+build.7'])(
      'finds a product version numbered %s again: a re-import is unchanged and plan has nothing to do',
      async (version) => {
        const code = join(work, 'packs/library/wallet/contracts/wallet.py');
        writeFileSync(
          code,
          readFileSync(code, 'utf8').replace('version = "1.2.0"', `version = "${version}"`),
        );
        const first = await importPaths(request([LIBRARY[0]!]));
        expect(first.status).toBe('SUCCESS');
        expect(first.import.wallet?.action).toBe('created');
        const again = await importPaths(request([LIBRARY[0]!]));
        expect(again.import.wallet).toMatchObject({
          action: 'unchanged',
          vault_id: first.import.wallet?.vault_id,
        });
        const plan = await planPaths(request([LIBRARY[0]!]));
        expect(plan.plan.wallet?.action).toBe('unchanged');
        expect(plan.status).toBe('NO CHANGES');
      },
    );

    it('makes a new workflow definition version the default', async () => {
      await importPaths(request([LIBRARY[1]!]));
      const spec = join(work, 'packs/library/savings/workflows/savings_account_closure.yaml');
      writeFileSync(
        spec,
        readFileSync(spec, 'utf8').replace('definition_version: 1.0.0', 'definition_version: 1.1.0'),
      );
      const result = await importPaths(request([LIBRARY[1]!]));
      expect(result.status).toBe('SUCCESS');
      const activation = result.activations.find((a) => a.resource_type === 'WORKFLOW_DEFINITION_VERSION');
      expect(activation).toMatchObject({ action: 'activated', version_id: '1.1.0,SAVINGS_ACCOUNT_CLOSURE' });
      const wf = (await (
        await fetch(`${target.url}/v1/workflow-definitions/SAVINGS_ACCOUNT_CLOSURE`, {
          headers: { 'x-auth-token': target.token },
        })
      ).json()) as { default_workflow_definition_version_id: string };
      expect(wf.default_workflow_definition_version_id).toBe('1.1.0,SAVINGS_ACCOUNT_CLOSURE');
    });

    it('resumes: what the journal confirmed is not asked for again', async () => {
      const first = await importPaths(request([LIBRARY[0]!]));
      const resumed = await importPaths(request([LIBRARY[0]!], { resume: true }));
      expect(resumed.run_id).toBe(first.run_id);
      expect(resumed.status).toBe('SUCCESS');
      expect(Object.keys(resumed.import)).toEqual(Object.keys(first.import));
    });

    it('sends nothing when validation fails', async () => {
      const before = await commits();
      const result = await importPaths(
        request(['test/fixtures/broken/ref_unknown/wallet_manifest.yaml'], { cwd: root }),
      );
      expect(result.status).toBe('FAILURE');
      expect(result.import).toEqual({});
      expect(await commits()).toBe(before);
    });
  });
});
