/** The configuration-layer API (server-api.md sections 1 to 3), run against both storages. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { STORAGE_FACTORIES } from '../storage/factories.js';
import { contractCode, harness, json, rid, workflowSpec, type Harness } from './helpers.js';

const STRATEGY = 'PRODUCT_VERSION_MIGRATION_STRATEGY_';

describe.each(STORAGE_FACTORIES)('configuration API on $name', (factory) => {
  describe.skipIf(factory.skip)('', () => {
    let h: Harness;
    beforeEach(async () => {
      h = await harness(factory);
    });
    afterEach(async () => {
      await h.close();
    });

    async function productVersion(
      productId: string,
      version: string,
      strategy: string,
      more: Record<string, unknown> = {},
    ): Promise<Record<string, unknown>> {
      const res = await h.post('/v1/product-versions', {
        request_id: rid(),
        product_version: { product_id: productId, display_name: productId, code: contractCode(version) },
        migration_strategy: `${STRATEGY}${strategy}`,
        ...more,
      });
      expect(res.statusCode, res.body).toBe(200);
      return json(res);
    }

    async function product(id: string): Promise<Record<string, unknown>> {
      return json(await h.get(`/v1/products/${id}`));
    }

    it('creates, gets, batch-gets and lists flag definitions', async () => {
      const res = await h.post('/v1/flag-definitions', {
        request_id: rid(),
        flag_definition: { id: 'DORMANT', name: 'Dormant', flag_visibility: 'FLAG_VISIBILITY_CONTRACT' },
      });
      expect(res.statusCode).toBe(200);
      expect(res.headers['idempotent-replay']).toBeUndefined();
      const created = json(res);
      expect(created).toMatchObject({ id: 'DORMANT', name: 'Dormant', is_active: true });
      expect(typeof created['create_timestamp']).toBe('string');
      expect(json(await h.get('/v1/flag-definitions/DORMANT'))).toEqual(created);
      expect(json(await h.get('/v1/flag-definitions:batchGet?ids=DORMANT'))).toEqual({
        flag_definitions: { DORMANT: created },
      });
      expect(json(await h.get('/v1/flag-definitions'))).toEqual({
        flag_definitions: [created],
        next_page_token: '',
      });
    });

    it('replays a repeated request_id with the same body, marked Idempotent-Replay', async () => {
      const body = { request_id: rid(), flag_definition: { id: 'F1', name: 'one' } };
      const first = await h.post('/v1/flag-definitions', body);
      // Key order does not matter: bodies compare canonically.
      const again = await h.post('/v1/flag-definitions', {
        flag_definition: { name: 'one', id: 'F1' },
        request_id: body.request_id,
      });
      expect(again.statusCode).toBe(first.statusCode);
      expect(again.body).toBe(first.body);
      expect(again.headers['idempotent-replay']).toBe('true');
    });

    it('answers an identical re-create with a new request_id with the existing object', async () => {
      const first = await h.post('/v1/flag-definitions', {
        request_id: rid(),
        flag_definition: { id: 'F', name: 'f' },
      });
      const second = await h.post('/v1/flag-definitions', {
        request_id: rid(),
        flag_definition: { id: 'F', name: 'f' },
      });
      expect(second.statusCode).toBe(200);
      expect(second.body).toBe(first.body);
      expect(json(await h.get('/v1/flag-definitions')).flag_definitions).toHaveLength(1);
    });

    it('pages lists in creation order with page tokens', async () => {
      const ids = ['z', 'a', 'm', 'b', 'y'];
      for (const id of ids)
        await h.post('/v1/flag-definitions', { request_id: rid(), flag_definition: { id, name: id } });
      const seen: string[] = [];
      let token = '';
      let pages = 0;
      do {
        const page = json(
          await h.get(`/v1/flag-definitions?page_size=2${token ? `&page_token=${token}` : ''}`),
        );
        seen.push(...(page['flag_definitions'] as Array<{ id: string }>).map((f) => f.id));
        token = page['next_page_token'] as string;
        pages += 1;
      } while (token !== '');
      expect(seen).toEqual(ids);
      expect(pages).toBe(3);
    });

    it('creates a product with its first version, current, and hides code unless asked', async () => {
      const v1 = await productVersion('wallet', '1.0.0', 'NEW_PRODUCT');
      expect(v1).toMatchObject({
        product_id: 'wallet',
        display_version_number: { major: 1, minor: 0, patch: 0, label: '' },
        is_internal: false,
      });
      expect(await product('wallet')).toMatchObject({ id: 'wallet', current_version_id: v1['id'] });
      const basic = json(await h.get(`/v1/product-versions/${String(v1['id'])}`));
      expect(basic['code']).toBeUndefined();
      const full = json(
        await h.get(`/v1/product-versions/${String(v1['id'])}?view=PRODUCT_VERSION_VIEW_INCLUDE_CODE`),
      );
      expect(full['code']).toBe(contractCode('1.0.0'));
      const batch = json(await h.get(`/v1/product-versions:batchGet?ids=${String(v1['id'])}`));
      expect(
        (batch['product_versions'] as Record<string, Record<string, unknown>>)[String(v1['id'])]?.['code'],
      ).toBeUndefined();
      expect(json(await h.get('/v1/products:batchGet?ids=wallet'))).toMatchObject({
        products: { wallet: { id: 'wallet' } },
      });
      expect((json(await h.get('/v1/products'))['products'] as unknown[]).length).toBe(1);
    });

    it('treats a re-upload of an identical version as a no-op, even under NEW_PRODUCT', async () => {
      const v1 = await productVersion('wallet', '1.0.0', 'NEW_PRODUCT');
      const again = await productVersion('wallet', '1.0.0', 'NEW_PRODUCT');
      expect(again).toEqual(v1);
      expect(
        (json(await h.get('/v1/product-versions?product_id=wallet'))['product_versions'] as unknown[]).length,
      ).toBe(1);
    });

    it('applies each migration strategy to the current version', async () => {
      const v1 = await productVersion('p', '1.0.0', 'ADD_VERSION');
      expect((await product('p'))['current_version_id']).toBe(v1['id']);
      const v11 = await productVersion('p', '1.1.0', 'ADD_VERSION');
      expect((await product('p'))['current_version_id']).toBe(v1['id']);
      const v12 = await productVersion('p', '1.2.0', 'ADD_VERSION_APPLY_NEW_USERS');
      expect((await product('p'))['current_version_id']).toBe(v12['id']);
      const list = json(await h.get('/v1/product-versions?product_id=p'))['product_versions'] as Array<{
        id: string;
      }>;
      expect(list.map((v) => v.id)).toEqual([v1['id'], v11['id'], v12['id']]);
      expect(json(await h.get('/v1/product-versions?product_id=other'))['product_versions']).toEqual([]);
    });

    it('moves internal accounts with ADD_VERSION_UPGRADE_INTERNAL_ACCOUNTS', async () => {
      const v1 = await productVersion('gl', '1.0.0', 'NEW_PRODUCT', { is_internal: true });
      const acc = await h.post('/v1/internal-accounts', {
        request_id: rid(),
        internal_account: { id: 'CASH', product_id: 'gl', accounting: { tside: 'TSIDE_ASSET' } },
      });
      expect(acc.statusCode, acc.body).toBe(200);
      expect(json(acc)).toMatchObject({
        id: 'CASH',
        product_version_id: v1['id'],
        status: 'ACCOUNT_STATUS_OPEN',
      });
      const v2 = await productVersion('gl', '2.0.0', 'ADD_VERSION_UPGRADE_INTERNAL_ACCOUNTS', {
        is_internal: true,
      });
      expect((await product('gl'))['current_version_id']).toBe(v2['id']);
      expect(json(await h.get('/v1/internal-accounts/CASH'))['product_version_id']).toBe(v2['id']);
    });

    it('activates a product version and records every activation', async () => {
      const v1 = await productVersion('loan', '1.0.0', 'NEW_PRODUCT');
      const v2 = await productVersion('loan', '2.0.0', 'ADD_VERSION');
      const res = await h.post('/v1/products/loan:activateVersion', {
        request_id: rid(),
        product_version_id: v2['id'],
      });
      expect(res.statusCode, res.body).toBe(200);
      expect(json(res)['current_version_id']).toBe(v2['id']);
      const acts = json(await h.get('/v1/activations?product_id=loan'))['activations'] as Array<
        Record<string, unknown>
      >;
      expect(acts.map((a) => [a['from_version_id'], a['to_version_id'], a['cause'], a['reason']])).toEqual([
        ['', v1['id'], `${STRATEGY}NEW_PRODUCT`, ''],
        [v1['id'], v2['id'], 'ACTIVATE_VERSION', ''],
      ]);
      expect(acts[1]).toMatchObject({ product_id: 'loan', actor: 'test-admin' });
      expect(typeof acts[1]?.['create_timestamp']).toBe('string');
    });

    it('makes workflow definition version ids from the specification and sets the default', async () => {
      const create = (dv: string) =>
        h.post('/v1/workflow-definition-versions', {
          request_id: rid(),
          workflow_definition_version: { workflow_definition_id: 'ONBOARD', specification: workflowSpec(dv) },
        });
      const v1 = await create('1.0.0');
      expect(v1.statusCode, v1.body).toBe(200);
      expect(json(v1)['id']).toBe('1.0.0,ONBOARD');
      expect((await create('2.0.0')).statusCode).toBe(200);
      expect(
        json(await h.get('/v1/workflow-definition-versions/1.0.0,ONBOARD'))['workflow_definition_id'],
      ).toBe('ONBOARD');
      expect(
        json(await h.get('/v1/workflow-definition-versions:batchGet?ids=2.0.0%2CONBOARD')),
      ).toMatchObject({
        workflow_definition_versions: { '2.0.0,ONBOARD': { id: '2.0.0,ONBOARD' } },
      });
      expect(json(await h.get('/v1/workflow-definitions/ONBOARD'))).toMatchObject({
        id: 'ONBOARD',
        name: 'Onboarding',
        default_workflow_definition_version_id: '1.0.0,ONBOARD',
      });
      const put = await h.put('/v1/workflow-definitions/ONBOARD', {
        request_id: rid(),
        workflow_definition: { default_workflow_definition_version_id: '2.0.0,ONBOARD' },
        update_mask: { paths: ['default_workflow_definition_version_id'] },
      });
      expect(put.statusCode, put.body).toBe(200);
      expect(json(put)['default_workflow_definition_version_id']).toBe('2.0.0,ONBOARD');
      const acts = json(await h.get('/v1/activations?workflow_definition_id=ONBOARD'))[
        'activations'
      ] as unknown[];
      expect(acts).toHaveLength(2);
    });

    it('creates calendars and events, updates calendar details, lists events by calendar', async () => {
      expect(
        (await h.post('/v1/calendar', { request_id: rid(), calendar: { id: 'HOL', is_active: false } }))
          .statusCode,
      ).toBe(200);
      await h.post('/v1/calendar', { request_id: rid(), calendar: { id: 'OTHER' } });
      for (const [id, cal] of [
        ['xmas', 'HOL'],
        ['boxing', 'HOL'],
        ['x', 'OTHER'],
      ] as const) {
        const r = await h.post('/v1/calendar-event', {
          request_id: rid(),
          calendar_event: {
            id,
            calendar_id: cal,
            start_timestamp: '2026-12-25T00:00:00+00:00',
            end_timestamp: '2026-12-26T00:00:00+00:00',
          },
        });
        expect(r.statusCode, r.body).toBe(200);
      }
      const events = json(await h.get('/v1/calendar-event?calendar_ids=HOL'))['calendar_events'] as Array<{
        id: string;
      }>;
      expect(events.map((e) => e.id)).toEqual(['xmas', 'boxing']);
      const both = json(await h.get('/v1/calendar-event?calendar_ids=HOL&calendar_ids=OTHER'))[
        'calendar_events'
      ] as unknown[];
      expect(both).toHaveLength(3);
      const upd = await h.put('/v1/calendar/HOL:updateDetails', {
        request_id: rid(),
        calendar: { is_active: true, display_name: 'Holidays' },
        update_mask: { paths: ['is_active', 'display_name'] },
      });
      expect(upd.statusCode, upd.body).toBe(200);
      expect(json(await h.get('/v1/calendar/HOL'))).toMatchObject({
        id: 'HOL',
        is_active: true,
        display_name: 'Holidays',
      });
      expect((json(await h.get('/v1/calendars'))['calendars'] as unknown[]).length).toBe(2);
    });

    it('updates account schedule tags: override fields together, test pause alone', async () => {
      await h.post('/v1/account-schedule-tags', {
        request_id: rid(),
        account_schedule_tag: { id: 'T', description: 'd' },
      });
      const override = await h.put('/v1/account-schedule-tags/T', {
        request_id: rid(),
        account_schedule_tag: {
          schedule_status_override: 'ACCOUNT_SCHEDULE_TAG_SCHEDULE_STATUS_OVERRIDE_TO_SKIPPED',
          schedule_status_override_start_timestamp: '1970-01-01T00:00:00+00:00',
          schedule_status_override_end_timestamp: '9999-12-31T23:59:59+00:00',
        },
        update_mask: {
          paths: [
            'schedule_status_override',
            'schedule_status_override_start_timestamp',
            'schedule_status_override_end_timestamp',
          ],
        },
      });
      expect(override.statusCode, override.body).toBe(200);
      const pause = await h.put('/v1/account-schedule-tags/T', {
        request_id: rid(),
        account_schedule_tag: { test_pause_at_timestamp: '2026-01-01T00:00:00Z' },
        update_mask: { paths: ['test_pause_at_timestamp'] },
      });
      expect(pause.statusCode, pause.body).toBe(200);
      expect(json(await h.get('/v1/account-schedule-tags/T'))).toMatchObject({
        description: 'd',
        schedule_status_override: 'ACCOUNT_SCHEDULE_TAG_SCHEDULE_STATUS_OVERRIDE_TO_SKIPPED',
        test_pause_at_timestamp: '2026-01-01T00:00:00Z',
      });
      const mixed = await h.put('/v1/account-schedule-tags/T', {
        request_id: rid(),
        account_schedule_tag: {
          schedule_status_override: 'ACCOUNT_SCHEDULE_TAG_SCHEDULE_STATUS_OVERRIDE_TO_ENABLED',
          test_pause_at_timestamp: null,
        },
        update_mask: { paths: ['schedule_status_override', 'test_pause_at_timestamp'] },
      });
      expect(mixed.statusCode).toBe(400);
      expect(json(mixed)['code']).toBe('INVALID_ARGUMENT');
    });

    it('replays updates and activations by request_id; activating the current version records nothing', async () => {
      const v1 = await productVersion('act', '1.0.0', 'NEW_PRODUCT');
      const v2 = await productVersion('act', '2.0.0', 'ADD_VERSION');
      const body = { request_id: rid(), product_version_id: v2['id'] };
      const first = await h.post('/v1/products/act:activateVersion', body);
      const again = await h.post('/v1/products/act:activateVersion', body);
      expect(again.body).toBe(first.body);
      expect(again.headers['idempotent-replay']).toBe('true');
      const same = await h.post('/v1/products/act:activateVersion', {
        request_id: rid(),
        product_version_id: v2['id'],
      });
      expect(same.statusCode).toBe(200);
      const acts = json(await h.get('/v1/activations?product_id=act'))['activations'] as unknown[];
      expect(acts).toHaveLength(2);
      expect(v1['id']).not.toBe(v2['id']);

      await h.post('/v1/calendar', { request_id: rid(), calendar: { id: 'CAL' } });
      const upd = {
        request_id: rid(),
        calendar: { display_name: 'x' },
        update_mask: { paths: ['display_name'] },
      };
      const u1 = await h.put('/v1/calendar/CAL:updateDetails', upd);
      const u2 = await h.put('/v1/calendar/CAL:updateDetails', upd);
      expect(u2.body).toBe(u1.body);
      expect(u2.headers['idempotent-replay']).toBe('true');
      // The updated definition is now the calendar's: re-creating the old one conflicts.
      const old = await h.post('/v1/calendar', { request_id: rid(), calendar: { id: 'CAL' } });
      expect(old.statusCode).toBe(409);
      const current = await h.post('/v1/calendar', {
        request_id: rid(),
        calendar: { id: 'CAL', display_name: 'x' },
      });
      expect(current.statusCode).toBe(200);
    });

    it('creates the remaining types with their ids and checks their references', async () => {
      const mod = json(
        await h.post('/v1/contract-modules', {
          request_id: rid(),
          contract_module: { display_name: 'utils' },
        }),
      );
      expect(typeof mod['id']).toBe('string');
      const modv = await h.post('/v1/contract-module-versions', {
        request_id: rid(),
        contract_module_version: { contract_module_id: mod['id'], code: 'def f():\n    return 1\n' },
      });
      expect(modv.statusCode, modv.body).toBe(200);
      const pv = await productVersion('savings', '1.0.0', 'NEW_PRODUCT');
      const link = await h.post('/v1/smart-contract-module-versions-links', {
        request_id: rid(),
        smart_contract_module_versions_link: {
          smart_contract_version_id: pv['id'],
          alias_to_contract_module_version_id: { utils: json(modv)['id'] },
        },
      });
      expect(link.statusCode, link.body).toBe(200);
      const links = json(
        await h.get(
          `/v1/smart-contract-module-versions-links?smart_contract_version_ids=${String(pv['id'])}`,
        ),
      );
      expect(links['smart_contract_module_versions_links']).toEqual([json(link)]);
      expect(
        json(await h.get(`/v1/contract-module-versions?contract_module_id=${String(mod['id'])}`))[
          'contract_module_versions'
        ],
      ).toEqual([json(modv)]);

      expect(
        (
          await h.post('/v1/supervisor-contracts', {
            request_id: rid(),
            supervisor_contract: { id: 'SUP', display_name: 's' },
          })
        ).statusCode,
      ).toBe(200);
      const sv = await h.post('/v1/supervisor-contract-versions', {
        request_id: rid(),
        supervisor_contract_version: { supervisor_contract_id: 'SUP', code: 'x = 1\n', id: 'SUP_V1' },
      });
      expect(json(sv)).toMatchObject({ id: 'SUP_V1', supervisor_contract_id: 'SUP' });
      const svGenerated = json(
        await h.post('/v1/supervisor-contract-versions', {
          request_id: rid(),
          supervisor_contract_version: { supervisor_contract_id: 'SUP', code: 'x = 2\n' },
        }),
      );
      expect(svGenerated['id']).not.toBe('SUP_V1');

      const gp = await h.post('/v1/global-parameters', {
        request_id: rid(),
        global_parameter: {
          id: 'base_rate',
          display_name: 'Base rate',
          number: { min_value: '0', max_value: '1', step: '0.0001' },
        },
        initial_value: '0.05',
      });
      expect(gp.statusCode, gp.body).toBe(200);
      expect(json(await h.get('/v1/global-parameters/base_rate'))).toMatchObject({
        id: 'base_rate',
        number: { step: '0.0001' },
      });
      expect(
        (json(await h.get('/v1/supervisor-contract-versions'))['supervisor_contract_versions'] as unknown[])
          .length,
      ).toBe(2);
    });
  });
});
