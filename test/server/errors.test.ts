/**
 * Every code of the error catalog, auth, and the cross-cutting behaviour of the app (error shape,
 * body limit, logs, metrics, health, version), against both storages.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ERROR_CATALOG, type ErrorCode } from '../../src/server/errors.js';
import { StorageUnavailable, type Storage } from '../../src/storage/types.js';
import { delegating, STORAGE_FACTORIES } from '../storage/factories.js';
import { contractCode, harness, json, rid, type Harness } from './helpers.js';
import { ledgerHarness } from '../ledger/server-helpers.js';

const tested = new Set<ErrorCode>();

/** Checks the error shape and notes the code as covered. */
function expectError(res: { statusCode: number; body: string }, code: ErrorCode): Record<string, unknown> {
  const body = json(res as never);
  expect(body['code'], res.body).toBe(code);
  expect(res.statusCode).toBe(ERROR_CATALOG[code].status);
  expect(Object.keys(body).sort()).toEqual(['code', 'details', 'field_violations', 'message']);
  expect(typeof body['message']).toBe('string');
  tested.add(code);
  return body;
}

describe.each(STORAGE_FACTORIES)('errors and cross-cutting behaviour on $name', (factory) => {
  describe.skipIf(factory.skip)('', () => {
    let h: Harness | undefined;
    afterEach(async () => {
      await h?.close();
      h = undefined;
    });
    const open = async (...args: Parameters<typeof harness> extends [unknown, ...infer R] ? R : never) => {
      h = await harness(factory, ...args);
      return h;
    };

    it('four-eyes codes: SAME_ACTOR_APPROVAL, STALE_ACTIVATION, ALREADY_DECIDED, APPROVAL_REQUIRED', async () => {
      const x = await open({ requireApproval: true });
      const checker = await x.tokenWith('config:approve');
      const create = (v: string, strategy: string) =>
        x.post('/v1/product-versions', {
          request_id: rid(),
          product_version: { product_id: 'p', display_name: 'p', code: contractCode(v) },
          migration_strategy: `PRODUCT_VERSION_MIGRATION_STRATEGY_${strategy}`,
        });
      await create('1.0.0', 'NEW_PRODUCT');
      expectError(await create('2.0.0', 'ADD_VERSION_APPLY_NEW_USERS'), 'APPROVAL_REQUIRED');
      const ids: string[] = [];
      for (const v of ['2.0.0', '3.0.0']) ids.push(String(json(await create(v, 'ADD_VERSION'))['id']));
      const ask = async (version: string | undefined): Promise<string> => {
        const res = await x.post('/v1/products/p:activateVersion', {
          request_id: rid(),
          product_version_id: version,
        });
        return String((json(res)['activation_request'] as Record<string, unknown>)['id']);
      };
      const [a, b] = [await ask(ids[0]), await ask(ids[1])];
      const decide = (id: string, token?: string) =>
        x.post(`/v1/activation-requests/${id}:approve`, { request_id: rid() }, token);
      expectError(await decide(a), 'SAME_ACTOR_APPROVAL');
      expect((await decide(a, checker)).statusCode).toBe(200);
      expectError(await decide(a, checker), 'ALREADY_DECIDED');
      expectError(await decide(b, checker), 'STALE_ACTIVATION');
    });

    it('ledger codes: INVALID_AMOUNT, AMOUNT_PRECISION, UNBALANCED_POSTINGS, ACCOUNT_HAS_BALANCE', async () => {
      const l = await ledgerHarness(factory);
      h = l;
      await l.openAccount('acc');
      const target = {
        target_account: { account_id: 'acc' },
        internal_account_id: 'BANK',
        denomination: 'GBP',
      };
      const batch = (fields: Record<string, unknown>, type = 'inbound_hard_settlement') =>
        l.batch([{ client_transaction_id: rid(), [type]: fields }]);
      expectError(await batch({ ...target, amount: 5 }), 'INVALID_AMOUNT');
      expectError(await batch({ ...target, amount: '5.001' }), 'AMOUNT_PRECISION');
      const p = (credit: boolean, amount: string) => ({
        credit,
        amount,
        denomination: 'GBP',
        account_id: credit ? 'acc' : 'BANK',
        phase: 'POSTING_PHASE_COMMITTED',
      });
      expectError(
        await batch({ postings: [p(true, '1.00'), p(false, '2.00')] }, 'custom_instruction'),
        'UNBALANCED_POSTINGS',
      );
      expect((await batch({ ...target, amount: '5.00' })).statusCode).toBe(200);
      const close = {
        request_id: rid(),
        account: { status: 'ACCOUNT_STATUS_CLOSED' },
        update_mask: { paths: ['status'] },
      };
      expectError(await l.put('/v1/accounts/acc', close), 'ACCOUNT_HAS_BALANCE');
    });

    it('INVALID_ARGUMENT: schema violations name the field, with hints', async () => {
      const h = await open();
      const res = await h.post('/v1/product-versions', {
        request_id: rid(),
        product_version: {
          product_id: 'p',
          display_name: 'P',
          code: contractCode('1.0.0'),
          params: [
            { name: 'a', value: 'b' },
            { name: 'c', value: 'd' },
            { name: 1, value: 'x' },
          ],
        },
      });
      const body = expectError(res, 'INVALID_ARGUMENT');
      expect(body['field_violations']).toEqual([
        expect.objectContaining({ field: 'product_version.params[2].name' }),
      ]);
      const unknown = expectError(
        await h.post('/v1/flag-definitions', {
          request_id: rid(),
          flag_definition: { id: 'F', name: 'f', nmae: 'x' },
        }),
        'INVALID_ARGUMENT',
      );
      expect(JSON.stringify(unknown['field_violations'])).toContain('did you mean');
    });

    it('INVALID_ARGUMENT: missing request_id, malformed JSON, bad paging, bad ranges', async () => {
      const h = await open();
      expectError(
        await h.post('/v1/flag-definitions', { flag_definition: { id: 'F', name: 'f' } }),
        'INVALID_ARGUMENT',
      );
      const malformed = await h.app.inject({
        method: 'POST',
        url: '/v1/flag-definitions',
        headers: { 'x-auth-token': h.admin, 'content-type': 'application/json' },
        payload: '{"request_id": ',
      });
      expectError(malformed, 'INVALID_ARGUMENT');
      expectError(await h.get('/v1/flag-definitions?page_size=1001'), 'INVALID_ARGUMENT');
      expectError(await h.get('/v1/flag-definitions?page_size=0'), 'INVALID_ARGUMENT');
      expectError(await h.get('/v1/flag-definitions?page_token=bm9wZQ'), 'INVALID_ARGUMENT');
      expectError(await h.get('/v1/flag-definitions:batchGet'), 'INVALID_ARGUMENT');
      expectError(await h.get('/v1/product-versions/x?view=EVERYTHING'), 'INVALID_ARGUMENT');
      await h.post('/v1/calendar', { request_id: rid(), calendar: { id: 'C' } });
      const backwards = expectError(
        await h.post('/v1/calendar-event', {
          request_id: rid(),
          calendar_event: {
            id: 'e',
            calendar_id: 'C',
            start_timestamp: '2026-12-26T00:00:00Z',
            end_timestamp: '2026-12-25T00:00:00Z',
          },
        }),
        'INVALID_ARGUMENT',
      );
      expect(backwards['field_violations']).toEqual([
        expect.objectContaining({ field: 'calendar_event.end_timestamp' }),
      ]);
      expectError(
        await h.post('/v1/product-versions', {
          request_id: rid(),
          product_version: { product_id: 'p', display_name: 'P', code: contractCode('1.0.0') },
          migration_strategy: 'PRODUCT_VERSION_MIGRATION_STRATEGY_UNKNOWN',
        }),
        'INVALID_ARGUMENT',
      );
      const syntax = expectError(
        await h.post('/v1/product-versions', {
          request_id: rid(),
          product_version: { product_id: 'p', display_name: 'P', code: contractCode('1.0.0', 'def f(:\n') },
        }),
        'INVALID_ARGUMENT',
      );
      expect(syntax['field_violations']).toEqual([
        expect.objectContaining({ field: 'product_version.code' }),
      ]);
      expectError(
        await h.post('/v1/workflow-definition-versions', {
          request_id: rid(),
          workflow_definition_version: { workflow_definition_id: 'W', specification: 'name: x\n' },
        }),
        'INVALID_ARGUMENT',
      );
    });

    it('UNRESOLVED_REFERENCE: bodies with &{...} are refused', async () => {
      const h = await open();
      const body = expectError(
        await h.post('/v1/internal-accounts', {
          request_id: rid(),
          internal_account: {
            id: 'A',
            product_id: '&{gl_contract:product_id}',
            accounting: { tside: 'TSIDE_ASSET', notes: ['plain', 'after &{other} and &{more}'] },
          },
        }),
        'UNRESOLVED_REFERENCE',
      );
      expect(body['field_violations']).toEqual([
        {
          field: 'internal_account.product_id',
          description: 'unresolved reference &{gl_contract:product_id}',
        },
        {
          field: 'internal_account.accounting.notes[1]',
          description: 'unresolved reference &{other}',
        },
      ]);
    });

    it('INVALID_VERSION: product code without a semantic version', async () => {
      const h = await open();
      for (const code of ['api = "4.0.0"\n', contractCode('1.0')]) {
        expectError(
          await h.post('/v1/product-versions', {
            request_id: rid(),
            product_version: { product_id: 'p', display_name: 'P', code },
          }),
          'INVALID_VERSION',
        );
      }
    });

    it('VERSION_EXISTS and ALREADY_EXISTS: changed definitions under an existing id', async () => {
      const h = await open();
      const pv = (code: string, strategy = 'ADD_VERSION') =>
        h.post('/v1/product-versions', {
          request_id: rid(),
          product_version: { product_id: 'wallet', display_name: 'W', code },
          migration_strategy: `PRODUCT_VERSION_MIGRATION_STRATEGY_${strategy}`,
        });
      expect((await pv(contractCode('1.4.0'))).statusCode).toBe(200);
      const ve = expectError(await pv(contractCode('1.4.0', '# changed\n')), 'VERSION_EXISTS');
      expect(ve['message']).toContain('version 1.4.0 of product wallet already exists with different code');
      expectError(await pv(contractCode('1.5.0'), 'NEW_PRODUCT'), 'ALREADY_EXISTS');
      await h.post('/v1/flag-definitions', { request_id: rid(), flag_definition: { id: 'F', name: 'one' } });
      const ae = expectError(
        await h.post('/v1/flag-definitions', {
          request_id: rid(),
          flag_definition: { id: 'F', name: 'two' },
        }),
        'ALREADY_EXISTS',
      );
      expect(ae['details']).toMatchObject({
        resource_type: 'FLAG_DEFINITION',
        id: 'F',
        existing: { name: 'one' },
      });
    });

    it('REFERENCE_NOT_FOUND: referential integrity', async () => {
      const h = await open();
      const ia = expectError(
        await h.post('/v1/internal-accounts', {
          request_id: rid(),
          internal_account: { id: 'A', product_id: 'nope', accounting: { tside: 'TSIDE_ASSET' } },
        }),
        'REFERENCE_NOT_FOUND',
      );
      expect(ia['field_violations']).toEqual([
        expect.objectContaining({ field: 'internal_account.product_id' }),
      ]);
      expectError(
        await h.post('/v1/calendar-event', {
          request_id: rid(),
          calendar_event: {
            id: 'e',
            calendar_id: 'NOCAL',
            start_timestamp: '2026-12-25T00:00:00Z',
            end_timestamp: '2026-12-26T00:00:00Z',
          },
        }),
        'REFERENCE_NOT_FOUND',
      );
      const link = expectError(
        await h.post('/v1/smart-contract-module-versions-links', {
          request_id: rid(),
          smart_contract_module_versions_link: {
            smart_contract_version_id: 'v',
            alias_to_contract_module_version_id: { a: 'm' },
          },
        }),
        'REFERENCE_NOT_FOUND',
      );
      expect((link['field_violations'] as unknown[]).length).toBe(2);
      await h.post('/v1/product-versions', {
        request_id: rid(),
        product_version: { product_id: 'p', display_name: 'P', code: contractCode('1.0.0') },
      });
      expectError(
        await h.post('/v1/products/p:activateVersion', { request_id: rid(), product_version_id: 'missing' }),
        'REFERENCE_NOT_FOUND',
      );
    });

    it('UNAUTHENTICATED and PERMISSION_DENIED: deny by default', async () => {
      const h = await open();
      expectError(await h.get('/v1/flag-definitions', ''), 'UNAUTHENTICATED');
      expectError(await h.get('/v1/flag-definitions', 'strata_not-a-token'), 'UNAUTHENTICATED');
      expectError(await h.get('/v1/no-such-route', ''), 'UNAUTHENTICATED');
      const reader = await h.tokenWith('read');
      expect((await h.get('/v1/flag-definitions', reader)).statusCode).toBe(200);
      const denied = expectError(
        await h.post(
          '/v1/flag-definitions',
          { request_id: rid(), flag_definition: { id: 'F', name: 'f' } },
          reader,
        ),
        'PERMISSION_DENIED',
      );
      expect(denied['details']).toMatchObject({ required_scope: 'config:write' });
      const writer = await h.tokenWith('config:write');
      expectError(await h.get('/v1/flag-definitions', writer), 'PERMISSION_DENIED');
      expect(
        (
          await h.post(
            '/v1/product-versions',
            {
              request_id: rid(),
              product_version: { product_id: 'p', display_name: 'P', code: contractCode('1.0.0') },
            },
            writer,
          )
        ).statusCode,
      ).toBe(200);
      expectError(
        await h.post(
          '/v1/products/p:activateVersion',
          { request_id: rid(), product_version_id: 'x' },
          writer,
        ),
        'PERMISSION_DENIED',
      );
      const ledger = await h.tokenWith('ledger:read', 'ledger:write');
      expectError(await h.get('/metrics', ledger), 'PERMISSION_DENIED');
      expect((await h.get('/health', '')).statusCode).toBe(200);
    });

    it('NOT_FOUND: objects, batch members and routes', async () => {
      const h = await open();
      expectError(await h.get('/v1/flag-definitions/NOPE'), 'NOT_FOUND');
      await h.post('/v1/flag-definitions', { request_id: rid(), flag_definition: { id: 'A', name: 'a' } });
      const batch = expectError(await h.get('/v1/flag-definitions:batchGet?ids=A&ids=B&ids=C'), 'NOT_FOUND');
      expect(batch['details']).toMatchObject({ ids: ['B', 'C'] });
      expectError(await h.get('/v1/no-such-route'), 'NOT_FOUND');
      expectError(await h.post('/v1/products/p:explode', { request_id: rid() }), 'NOT_FOUND');
      expectError(await h.get('/v1/products/nope'), 'NOT_FOUND');
      expectError(await h.get('/v1/workflow-definitions/nope'), 'NOT_FOUND');
      expectError(
        await h.put('/v1/account-schedule-tags/nope', {
          request_id: rid(),
          account_schedule_tag: { test_pause_at_timestamp: null },
          update_mask: { paths: ['test_pause_at_timestamp'] },
        }),
        'NOT_FOUND',
      );
    });

    it('REQUEST_ID_REUSED: same request_id, different body or endpoint', async () => {
      const h = await open();
      const id = rid();
      expect(
        (await h.post('/v1/flag-definitions', { request_id: id, flag_definition: { id: 'F', name: 'f' } }))
          .statusCode,
      ).toBe(200);
      expectError(
        await h.post('/v1/flag-definitions', { request_id: id, flag_definition: { id: 'F', name: 'g' } }),
        'REQUEST_ID_REUSED',
      );
      expectError(
        await h.post('/v1/calendar', { request_id: id, calendar: { id: 'F' } }),
        'REQUEST_ID_REUSED',
      );
    });

    it('PAYLOAD_TOO_LARGE: bodies over the limit get 413', async () => {
      const h = await open({ bodyLimit: 2048 });
      const body = expectError(
        await h.post('/v1/flag-definitions', {
          request_id: rid(),
          flag_definition: { id: 'F', name: 'x'.repeat(4096) },
        }),
        'PAYLOAD_TOO_LARGE',
      );
      expect(body['details']).toEqual({ limit_bytes: 2048 });
    });

    it('RESOURCE_EXHAUSTED: 429 with Retry-After over the in-flight limit', async () => {
      let release: () => void = () => undefined;
      const gate = new Promise<void>((r) => (release = r));
      let gated = false;
      const h = await open({ maxInFlight: 1 }, (s: Storage) =>
        delegating(s, {
          read: async (fn) => {
            if (gated) await gate;
            return s.read(fn);
          },
        }),
      );
      gated = true;
      const slow = h.get('/v1/flag-definitions');
      await new Promise((r) => setTimeout(r, 20));
      const rejected = await h.get('/v1/flag-definitions');
      expectError(rejected, 'RESOURCE_EXHAUSTED');
      expect(rejected.headers['retry-after']).toBe('1');
      release();
      expect((await slow).statusCode).toBe(200);
    });

    it('INTERNAL: unexpected failures give 500 without leaking the cause', async () => {
      let fail = false;
      const h = await open({}, (s: Storage) =>
        delegating(s, {
          read: async (fn) => {
            if (fail) throw new Error('disk on fire at /secret/path');
            return s.read(fn);
          },
        }),
      );
      expect((await h.get('/v1/flag-definitions')).statusCode).toBe(200); // caches the token
      fail = true;
      const res = await h.get('/v1/flag-definitions/X');
      expectError(res, 'INTERNAL');
      expect(res.body).not.toContain('secret');
    });

    it('UNAVAILABLE: 503 with Retry-After while draining; /health says so', async () => {
      const h = await open();
      h.app.strata.draining = true;
      const res = await h.get('/v1/flag-definitions');
      expectError(res, 'UNAVAILABLE');
      expect(res.headers['retry-after']).toBe('1');
      const health = await h.get('/health', '');
      expect(health.statusCode).toBe(503);
      expect(json(health)).toMatchObject({ status: 'draining' });
    });

    it('UNAVAILABLE: a storage that is unreachable or contended gives 503 with Retry-After', async () => {
      let down = false;
      const h = await open({}, (s: Storage) =>
        delegating(s, {
          read: async (fn) => {
            if (down) throw new StorageUnavailable('connection refused');
            return s.read(fn);
          },
        }),
      );
      expect((await h.get('/v1/flag-definitions')).statusCode).toBe(200);
      down = true;
      const res = await h.get('/v1/flag-definitions');
      expectError(res, 'UNAVAILABLE');
      expect(res.headers['retry-after']).toBe('1');
    });

    it('logs one JSON line per request, with request id, never the token nor query values', async () => {
      const lines: string[] = [];
      const h = await open({ logger: { write: (l: string) => lines.push(l) } });
      const res = await h.app.inject({
        method: 'GET',
        url: '/v1/flag-definitions?page_size=5&token=s3cr3t-in-query',
        headers: { 'x-auth-token': h.admin, 'x-request-id': 'trace-123' },
      });
      expect(res.headers['x-request-id']).toBe('trace-123');
      await h.get('/v1/nope');
      await h.post('/v1/flag-definitions', { request_id: rid(), flag_definition: { id: 'F', name: 'f' } });
      const entries = lines
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .filter((e) => e['msg'] === 'request');
      expect(entries).toHaveLength(3);
      expect(entries[0]).toMatchObject({
        method: 'GET',
        path: '/v1/flag-definitions?page_size&token',
        status: 200,
        request_id: 'trace-123',
      });
      expect(typeof entries[0]?.['duration_ms']).toBe('number');
      expect(entries[1]).toMatchObject({ status: 404 });
      expect(lines.join('\n')).not.toContain(h.admin);
      expect(lines.join('\n')).not.toContain('s3cr3t');
    });

    it('serves health, vault-version and Prometheus metrics', async () => {
      const h = await open();
      expect(json(await h.get('/health', ''))).toMatchObject({
        status: 'ok',
        storage: { ok: true, kind: factory.name },
      });
      const v = json(await h.get('/v1/vault-version'));
      expect(v['version']).toMatchObject({
        major: expect.any(Number),
        minor: expect.any(Number),
        patch: expect.any(Number),
        label: expect.stringMatching(/^strata-/),
      });
      await h.post('/v1/flag-definitions', { request_id: rid(), flag_definition: { id: 'F', name: 'f' } });
      await h.get('/v1/flag-definitions/NOPE');
      const m = await h.get('/metrics');
      expect(m.headers['content-type']).toContain('text/plain');
      expect(m.body).toContain(
        'strata_http_requests_total{method="POST",route="/v1/flag-definitions",status="200"} 1',
      );
      expect(m.body).toContain(
        'strata_http_requests_total{method="GET",route="/v1/flag-definitions/:id",status="404"} 1',
      );
      expect(m.body).toMatch(
        /strata_http_request_duration_seconds_bucket\{method="POST",route="\/v1\/flag-definitions",le="\+Inf"\} 1/,
      );
      expect(m.body).toMatch(/strata_storage_commit_duration_seconds_count [1-9]/);
    });
  });
});

// Runs after the suites above (tests in a file run in order): every catalog code had a test.
it('tests every code of the error catalog', () => {
  expect([...tested].sort()).toEqual(Object.keys(ERROR_CATALOG).sort());
});
