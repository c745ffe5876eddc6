/**
 * The release commands as a release manager runs them (the built CLI as a child process), against
 * real servers over HTTP on SQLite and PostgreSQL: the lifecycle (import two versions, activate,
 * roll back, history, activate again is a no-op), four-eyes with two people's tokens, confirmation
 * and scopes, and every command's JSON against its schema.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORAGE_FACTORIES } from '../storage/factories.js';
import { expectSchema, productCode, releaseServer, root, strata, type ReleaseServer } from './helpers.js';

type Obj = Record<string, unknown>;

describe.each(STORAGE_FACTORIES)('release commands on $name', (factory) => {
  describe.skipIf(factory.skip)('', () => {
    describe('lifecycle', () => {
      let server: ReleaseServer;
      let work: string;
      let env: Record<string, string>;
      beforeAll(async () => {
        server = await releaseServer(factory);
        work = mkdtempSync(join(tmpdir(), 'strata-release-'));
        cpSync(join(root, 'packs', 'library'), join(work, 'v1'), { recursive: true });
        cpSync(join(root, 'packs', 'library'), join(work, 'v2'), { recursive: true });
        const code = join(work, 'v2', 'wallet', 'contracts', 'wallet.py');
        writeFileSync(code, readFileSync(code, 'utf8').replace('version = "1.2.0"', 'version = "1.3.0"'));
        env = { STRATA_URL: server.url, STRATA_AUTH_TOKEN: server.admin };
      }, 60_000);
      afterAll(async () => {
        await server.close();
        rmSync(work, { recursive: true, force: true });
      });

      const run = (...args: string[]) => strata([...args, '--output', 'json'], env, work);

      it('imports two versions, activates, rolls back, shows both in the history; activating again is a no-op', async () => {
        for (const pack of ['v1', 'v2']) {
          const imported = await run('import', `${pack}/wallet_manifest.yaml`, '--activate-on-import');
          expect(imported.status, imported.stderr).toBe(0);
        }
        const versions = await run('versions', 'wallet');
        expect(versions.status, versions.stderr).toBe(0);
        expectSchema('versions', versions.json);
        // The target is named first on stderr.
        expect(versions.stderr.split('\n')[0]).toMatch(
          /^target: http:\/\/127\.0\.0\.1:\d+ \(token STRATA_AUTH_TOKEN "admin", scopes admin\)$/,
        );
        const wallet = (versions.json['products'] as Obj[])[0] as Obj;
        const numbers = (wallet['versions'] as Obj[]).map((v) => [v['version'], v['current']]);
        expect(numbers).toEqual([
          ['1.2.0', false],
          ['1.3.0', true],
        ]);
        expect((wallet['versions'] as Obj[])[0]?.['accounts']).toBe(0);

        const activated = await run('activate', 'wallet', '1.2.0', '--reason', 'CHG-7 back to 1.2', '--yes');
        expect(activated.status, activated.stderr).toBe(0);
        expectSchema('activate', activated.json);
        expect(activated.json).toMatchObject({
          status: 'ACTIVATED',
          from_version: '1.3.0',
          to_version: '1.2.0',
        });
        expect(activated.stderr).toContain(
          'new accounts will open on 1.2.0; existing accounts stay on their version',
        );

        const rolled = await run('rollback', 'wallet', '--reason', 'INC-9', '--yes');
        expect(rolled.status, rolled.stderr).toBe(0);
        expectSchema('rollback', rolled.json);
        expect(rolled.json).toMatchObject({
          status: 'ACTIVATED',
          from_version: '1.2.0',
          to_version: '1.3.0',
        });

        const again = await run('activate', 'wallet', '1.3.0', '--yes');
        expect(again.status).toBe(0);
        expect(again.json).toMatchObject({ status: 'ALREADY_CURRENT', request_id: null });

        const history = await run('history', 'wallet');
        expect(history.status).toBe(0);
        expectSchema('history', history.json);
        const rows = (history.json['activations'] as Obj[]).map((a) => [
          a['from_version'],
          a['to_version'],
          a['reason'],
          a['actor'],
        ]);
        expect(rows).toEqual([
          ['1.2.0', '1.3.0', 'INC-9', 'admin'],
          ['1.3.0', '1.2.0', 'CHG-7 back to 1.2', 'admin'],
          ['1.2.0', '1.3.0', '', 'admin'],
          [null, '1.2.0', '', 'admin'],
        ]);
        const text = await strata(['history', 'wallet'], env, work);
        expect(text.stdout.split('\n')[0]).toMatch(/^WHEN +TARGET +FROM +TO +WHO +APPROVED BY +REASON$/);
        expect(text.stdout).toContain('INC-9');
      }, 240_000);

      it('plan sees activation drift after a change made with curl, and a new version with its parameter changes', async () => {
        const clean = await run('plan', 'v2/wallet_manifest.yaml');
        expect(clean.status, clean.stderr).toBe(0);
        // Someone rolls back by hand, with the API.
        const versions = (await server.get('/v1/product-versions?product_id=wallet'))[
          'product_versions'
        ] as Obj[];
        const old = versions.find((v) => (v['display_version_number'] as Obj)['minor'] === 2);
        const byHand = await server.post('/v1/products/wallet:activateVersion', {
          request_id: 'by-hand',
          product_version_id: old?.['id'],
        });
        expect(byHand.status).toBe(200);
        const drift = await run('plan', 'v2/wallet_manifest.yaml');
        expect(drift.status, drift.stderr).toBe(2);
        expect(drift.json['status']).toBe('CHANGES');
        expect(drift.json['activations']).toEqual([
          expect.objectContaining({
            resource_id: 'wallet',
            action: 'drift',
            previous_version_id: old?.['id'],
          }),
        ]);
        const text = await strata(['plan', 'v2/wallet_manifest.yaml'], env, work);
        expect(text.stdout).toMatch(/wallet +drift wallet: \S+ is active, the pack activates \S+/);

        cpSync(join(work, 'v2'), join(work, 'v3'), { recursive: true });
        const code = join(work, 'v3', 'wallet', 'contracts', 'wallet.py');
        writeFileSync(code, readFileSync(code, 'utf8').replace('version = "1.3.0"', 'version = "1.4.0"'));
        const resources = join(work, 'v3', 'wallet', 'wallet.resources.yaml');
        writeFileSync(
          resources,
          readFileSync(resources, 'utf8').replace('value: "0.0010"', 'value: "0.0020"'),
        );
        const next = await run('plan', 'v3/wallet_manifest.yaml');
        expect(next.status, next.stderr).toBe(2);
        expect((next.json['plan'] as Record<string, Obj>)['wallet']).toMatchObject({
          action: 'create',
          version: { version: '1.4.0', current_version: '1.2.0' },
          changes: [{ field: 'params.cashback_rate', from: '"0.0010"', to: '"0.0020"' }],
        });
        // Put it back for the tests below.
        expect((await run('activate', 'wallet', '1.3.0', '--yes')).status).toBe(0);
      }, 120_000);

      it('diff: a pack against the environment, and one environment against another', async () => {
        const same = await run('diff', 'v2/wallet_manifest.yaml');
        expect(same.status, same.stdout + same.stderr).toBe(0);
        expectSchema('diff', same.json);
        expect(same.json).toMatchObject({ mode: 'pack', status: 'NO DRIFT', differences: [] });
        const drift = await run('diff', 'v3/wallet_manifest.yaml');
        expect(drift.status).toBe(2);
        expect((drift.json['differences'] as Obj[]).map((d) => [d['kind'], d['id']])).toEqual([
          ['missing', 'wallet'],
        ]);

        const other = await releaseServer(factory);
        try {
          writeFileSync(
            join(work, 'strata.config.yaml'),
            `environments:\n  a:\n    url: ${server.url}\n    token_env: TOKEN_A\n  b:\n    url: ${other.url}\n    token_env: TOKEN_B\n`,
          );
          const both = { TOKEN_A: server.admin, TOKEN_B: other.admin };
          const empty = await strata(['diff', '--env', 'a', '--env', 'b', '--output', 'json'], both, work);
          expect(empty.status, empty.stderr).toBe(2);
          expectSchema('diff', empty.json);
          const kinds = new Set((empty.json['differences'] as Obj[]).map((d) => d['kind']));
          expect([...kinds].sort()).toEqual(['activation', 'missing']);
          expect(
            empty.stderr
              .split('\n')
              .slice(0, 2)
              .map((l) => l.slice(0, 10)),
          ).toEqual(['target: a ', 'target: b ']);
          const imported = await strata(
            ['import', 'v2/wallet_manifest.yaml', '--activate-on-import', '--env', 'b'],
            both,
            work,
          );
          expect(imported.status, imported.stderr).toBe(0);
          const promoted = await strata(['diff', '--env', 'a', '--env', 'b', '--output', 'json'], both, work);
          expect(promoted.status).toBe(2);
          expect(promoted.json['differences']).toEqual([
            { kind: 'missing', resource_type: 'SMART_CONTRACT_VERSION', id: 'wallet@1.2.0', fields: [] },
          ]);
        } finally {
          rmSync(join(work, 'strata.config.yaml'), { force: true });
          await other.close();
        }
      }, 180_000);

      it('asks for --yes without a terminal, and does nothing', async () => {
        const before = await server.writes();
        const res = await strata(['activate', 'wallet', '1.2.0'], env, work);
        expect(res.status).toBe(64);
        expect(res.stderr).toContain('E_CONFIRM');
        expect(res.stderr).toContain('pass --yes');
        expect(await server.writes()).toBe(before);
      });

      it('refuses a read-only token before anything is written (exit 3), and unknown versions (exit 1)', async () => {
        const reader = await server.token(['read'], 'reader');
        const before = await server.writes();
        const refused = await strata(
          ['activate', 'wallet', '1.2.0', '--yes'],
          { ...env, STRATA_AUTH_TOKEN: reader },
          work,
        );
        expect(refused.status).toBe(3);
        expect(refused.stderr).toMatch(/E_SCOPE .*lacks the scope config:activate/);
        expect(await server.writes()).toBe(before);
        const unknown = await run('activate', 'wallet', '9.9.9', '--yes');
        expect(unknown.status).toBe(1);
        expect(unknown.json['error']).toMatchObject({ code: 'E_NOT_FOUND' });
        expect(unknown.stderr).toContain('its versions: 1.2.0, 1.3.0');
      });

      it('lists workflow definitions and activates, then rolls back, their default versions', async () => {
        for (const dv of ['1.0.0', '2.0.0']) {
          const res = await server.post('/v1/workflow-definition-versions', {
            request_id: `wf-${dv}`,
            workflow_definition_version: {
              workflow_definition_id: 'ONBOARD',
              specification: `name: Onboarding\ndefinition_version: ${dv}\nstarting_state: start\nend_states:\n  - state: done\n    result: SUCCESSFUL\nstates:\n  start:\n    display_name: Start\n`,
            },
          });
          expect(res.status).toBe(200);
        }
        const versions = await run('versions', '--workflows', 'ONBOARD');
        expect(versions.status, versions.stderr).toBe(0);
        expectSchema('versions', versions.json);
        expect(versions.json['workflows']).toEqual([
          expect.objectContaining({
            kind: 'workflow',
            id: 'ONBOARD',
            display_name: 'Onboarding',
            current_version_id: '1.0.0,ONBOARD',
            versions: [
              expect.objectContaining({ version: '1.0.0', current: true, accounts: null }),
              expect.objectContaining({ version: '2.0.0', current: false }),
            ],
          }),
        ]);
        const activated = await run(
          'activate',
          'workflow',
          'ONBOARD',
          '2.0.0',
          '--reason',
          'new flow',
          '--yes',
        );
        expect(activated.status, activated.stderr).toBe(0);
        expect(activated.json).toMatchObject({
          kind: 'workflow',
          status: 'ACTIVATED',
          to_version_id: '2.0.0,ONBOARD',
        });
        const wf = await server.get('/v1/workflow-definitions/ONBOARD');
        expect(wf['default_workflow_definition_version_id']).toBe('2.0.0,ONBOARD');
        const rolled = await run('rollback', 'workflow', 'ONBOARD', '--yes');
        expect(rolled.json).toMatchObject({ status: 'ACTIVATED', to_version: '1.0.0' });
        const history = await run('history', '--workflows', 'ONBOARD');
        expect((history.json['activations'] as Obj[]).map((a) => [a['to_version'], a['reason']])).toEqual([
          ['1.0.0', 'rollback'],
          ['2.0.0', 'new flow'],
          ['1.0.0', ''],
        ]);
        const first = await run('rollback', 'wallet-does-not-exist', '--yes');
        expect(first.status).toBe(1);
        expect(first.json['error']).toMatchObject({ code: 'E_NOT_FOUND' });
      }, 120_000);
    });

    describe('four-eyes', () => {
      let server: ReleaseServer;
      let maker: Record<string, string>;
      let checker: Record<string, string>;
      const ids: string[] = [];
      beforeAll(async () => {
        server = await releaseServer(factory, true);
        for (const [i, v] of ['1.0.0', '2.0.0', '3.0.0'].entries()) {
          const res = await server.post('/v1/product-versions', {
            request_id: `fe-${v}`,
            product_version: { product_id: 'loan', display_name: 'Loan', code: productCode(v) },
            migration_strategy: `PRODUCT_VERSION_MIGRATION_STRATEGY_${i === 0 ? 'NEW_PRODUCT' : 'ADD_VERSION'}`,
          });
          expect(res.status).toBe(200);
          ids.push(String(res.body['id']));
        }
        const base = { STRATA_URL: server.url };
        maker = { ...base, STRATA_AUTH_TOKEN: await server.token(['read', 'config:activate'], 'maker') };
        checker = { ...base, STRATA_AUTH_TOKEN: await server.token(['read', 'config:approve'], 'checker') };
      }, 60_000);
      afterAll(async () => server.close());

      const run = (env: Record<string, string>, ...args: string[]) =>
        strata([...args, '--output', 'json'], env);

      it('leaves an activation pending (exit 4), refuses self-approval, applies on approval, refuses a stale request', async () => {
        const asked = await run(maker, 'activate', 'loan', '2.0.0', '--reason', 'CHG-1', '--yes');
        expect(asked.status, asked.stderr).toBe(4);
        expectSchema('activate', asked.json);
        expect(asked.json).toMatchObject({ status: 'PENDING_APPROVAL', replayed: false });
        expect(asked.stderr).toContain('this server requires approval');
        const requestId = String(asked.json['activation_request_id']);
        // Running it again files nothing new: the same request, replayed.
        const rerun = await run(maker, 'activate', 'loan', '2.0.0', '--reason', 'CHG-1', '--yes');
        expect(rerun.status).toBe(4);
        expect(rerun.json).toMatchObject({ activation_request_id: requestId, replayed: true });

        const pending = await run(checker, 'approvals');
        expect(pending.status).toBe(0);
        expectSchema('approvals', pending.json);
        expect(pending.json['require_approval']).toBe(true);
        expect(
          (pending.json['requests'] as Obj[]).map((r) => [
            r['id'],
            r['from_version'],
            r['to_version'],
            r['requested_by'],
            r['stale'],
          ]),
        ).toEqual([[requestId, '1.0.0', '2.0.0', 'maker', false]]);

        // The maker cannot approve, even with a token that has the scope.
        const makerApprover = {
          ...maker,
          STRATA_AUTH_TOKEN: await server.token(['read', 'config:approve'], 'maker'),
        };
        const self = await run(makerApprover, 'approve', requestId, '--yes');
        expect(self.status).toBe(3);
        expect(self.json['error']).toMatchObject({ code: 'E_SAME_ACTOR' });
        expect((await server.get('/v1/products/loan'))['current_version_id']).toBe(ids[0]);

        const approved = await run(checker, 'approve', requestId, '--reason', 'checked', '--yes');
        expect(approved.status, approved.stderr).toBe(0);
        expectSchema('approve', approved.json);
        expect(approved.json).toMatchObject({
          status: 'APPROVED',
          request: { decided_by: 'checker', status: 'APPROVED' },
        });
        expect((await server.get('/v1/products/loan'))['current_version_id']).toBe(ids[1]);
        const history = await run(checker, 'history', 'loan');
        expectSchema('history', history.json);
        expect((history.json['activations'] as Obj[])[0]).toMatchObject({
          actor: 'maker',
          approved_by: 'checker',
          reason: 'CHG-1',
          to_version: '2.0.0',
        });

        // Two requests from 2.0.0; once one is approved, the other is stale.
        const toThree = await run(maker, 'activate', 'loan', '3.0.0', '--yes');
        const toOne = await run(maker, 'activate', 'loan', '1.0.0', '--yes');
        expect([toThree.status, toOne.status]).toEqual([4, 4]);
        expect(
          (await run(checker, 'approve', String(toOne.json['activation_request_id']), '--yes')).status,
        ).toBe(0);
        const listed = await run(checker, 'approvals');
        expect((listed.json['requests'] as Obj[]).map((r) => r['stale'])).toEqual([true]);
        const stale = await run(checker, 'approve', String(toThree.json['activation_request_id']), '--yes');
        expect(stale.status).toBe(1);
        expect(stale.json['error']).toMatchObject({ code: 'E_STALE_ACTIVATION' });
        expect((await server.get('/v1/products/loan'))['current_version_id']).toBe(ids[0]);

        const noReason = await run(checker, 'reject', String(toThree.json['activation_request_id']), '--yes');
        expect(noReason.status).toBe(64);
        const rejected = await run(
          checker,
          'reject',
          String(toThree.json['activation_request_id']),
          '--reason',
          'stale',
          '--yes',
        );
        expect(rejected.status, rejected.stderr).toBe(0);
        expectSchema('reject', rejected.json);
        expect(rejected.json).toMatchObject({ status: 'REJECTED', request: { decision_reason: 'stale' } });
        const all = await run(checker, 'approvals', '--all');
        expect((all.json['requests'] as Obj[]).map((r) => r['status'])).toEqual([
          'APPROVED',
          'REJECTED',
          'APPROVED',
        ]);
        const none = await strata(['approvals'], checker);
        expect(none.stdout.trim()).toBe('no activation requests pending');
      }, 240_000);

      it('import --activate-on-import leaves the activation pending (exit 4)', async () => {
        const work = mkdtempSync(join(tmpdir(), 'strata-release-4e-'));
        try {
          for (const [dir, version] of [
            ['v1', '1.2.0'],
            ['v2', '1.3.0'],
          ] as const) {
            cpSync(join(root, 'packs', 'library'), join(work, dir), { recursive: true });
            const code = join(work, dir, 'wallet', 'contracts', 'wallet.py');
            writeFileSync(
              code,
              readFileSync(code, 'utf8').replace('version = "1.2.0"', `version = "${version}"`),
            );
            // Under four-eyes a version is created without activating it, then its activation is requested.
            const resources = join(work, dir, 'wallet', 'wallet.resources.yaml');
            writeFileSync(
              resources,
              readFileSync(resources, 'utf8').replace('ADD_VERSION_APPLY_NEW_USERS', 'ADD_VERSION'),
            );
          }
          const admin = { STRATA_URL: server.url, STRATA_AUTH_TOKEN: server.admin };
          const first = await strata(
            ['import', 'v1/wallet_manifest.yaml', '--activate-on-import'],
            admin,
            work,
          );
          expect(first.status, first.stdout + first.stderr).toBe(0);
          const next = await strata(
            ['import', 'v2/wallet_manifest.yaml', '--activate-on-import', '--output', 'json'],
            admin,
            work,
          );
          expect(next.status, next.stderr).toBe(4);
          expect(next.json['status']).toBe('SUCCESS');
          const pending = (next.json['activations'] as Obj[]).filter((a) => a['action'] === 'pending');
          expect(pending).toEqual([
            expect.objectContaining({ resource_id: 'wallet', activation_request_id: expect.any(String) }),
          ]);
          const text = await strata(['approvals'], admin, work);
          expect(text.stdout).toContain(String(pending[0]?.['activation_request_id']));
        } finally {
          rmSync(work, { recursive: true, force: true });
        }
      }, 180_000);

      it('rolls back through an approval too', async () => {
        const current = (await server.get('/v1/products/loan'))['current_version_id'];
        const asked = await run(maker, 'rollback', 'loan', '--yes');
        expect(asked.status, asked.stderr).toBe(4);
        expectSchema('rollback', asked.json);
        expect((await server.get('/v1/products/loan'))['current_version_id']).toBe(current);
      }, 60_000);
    });
  });
});
