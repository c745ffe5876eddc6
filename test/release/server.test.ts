/**
 * Release management on the server (release.md, Server), on both storages: activations record
 * actor, reason, request id, from and to; four-eyes approval under `requireApproval` (pending
 * 202, scope config:approve, self-approval refused, stale requests refused, approval applied
 * atomically with its record, decisions idempotent and final).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { issueToken } from '../../src/server/auth.js';
import { STORAGE_FACTORIES } from '../storage/factories.js';
import { contractCode, harness, json, rid, workflowSpec, type Harness } from '../server/helpers.js';

const STRATEGY = 'PRODUCT_VERSION_MIGRATION_STRATEGY_';
type Obj = Record<string, unknown>;

describe.each(STORAGE_FACTORIES)('release management API on $name', (factory) => {
  describe.skipIf(factory.skip)('', () => {
    let h: Harness;
    afterEach(async () => h.close());

    async function version(productId: string, v: string, strategy = 'ADD_VERSION'): Promise<string> {
      const res = await h.post('/v1/product-versions', {
        request_id: rid(),
        product_version: { product_id: productId, display_name: productId, code: contractCode(v) },
        migration_strategy: `${STRATEGY}${strategy}`,
      });
      expect(res.statusCode, res.body).toBe(200);
      return String(json(res)['id']);
    }

    const activate = (productId: string, versionId: string, token?: string, reason?: string) =>
      h.post(
        `/v1/products/${productId}:activateVersion`,
        { request_id: rid(), product_version_id: versionId, ...(reason !== undefined ? { reason } : {}) },
        token,
      );
    const current = async (productId: string) =>
      json(await h.get(`/v1/products/${productId}`))['current_version_id'];
    const activations = async (productId: string) =>
      json(await h.get(`/v1/activations?product_id=${productId}`))['activations'] as Obj[];

    describe('without four-eyes', () => {
      beforeEach(async () => {
        h = await harness(factory);
      });

      it('records actor, reason, request id, from, to and cause of every activation', async () => {
        const v1 = await version('loan', '1.0.0', 'NEW_PRODUCT');
        const v2 = await version('loan', '2.0.0');
        const release = (await issueToken(h.storage, { scopes: ['config:activate'], name: 'alice' })).token;
        const res = await h.post(
          '/v1/products/loan:activateVersion',
          { request_id: 'act-loan-2', product_version_id: v2, reason: 'CHG-1042 rate change' },
          release,
        );
        expect(res.statusCode, res.body).toBe(200);
        const acts = await activations('loan');
        expect(acts[1]).toMatchObject({
          product_id: 'loan',
          from_version_id: v1,
          to_version_id: v2,
          cause: 'ACTIVATE_VERSION',
          reason: 'CHG-1042 rate change',
          actor: 'alice',
          request_id: 'act-loan-2',
        });
        expect(acts[1]).not.toHaveProperty('approved_by');
        // A rollback is an activation like any other, and the whole history stays readable.
        expect((await activate('loan', v1, undefined, 'rollback')).statusCode).toBe(200);
        expect((await activations('loan')).map((a) => [a['to_version_id'], a['reason']])).toEqual([
          [v1, ''],
          [v2, 'CHG-1042 rate change'],
          [v1, 'rollback'],
        ]);
      });

      it('refuses a reason that is not text, and unknown fields', async () => {
        const v1 = await version('loan', '1.0.0', 'NEW_PRODUCT');
        for (const body of [
          { request_id: rid(), product_version_id: v1, reason: 42 },
          { request_id: rid(), product_version_id: v1, reason: 'x'.repeat(1001) },
          { request_id: rid(), product_version_id: v1, why: 'x' },
        ]) {
          const res = await h.post('/v1/products/loan:activateVersion', body);
          expect(res.statusCode, res.body).toBe(400);
          expect(json(res)['code']).toBe('INVALID_ARGUMENT');
        }
      });

      it('says four-eyes is off, and nothing is pending', async () => {
        expect(json(await h.get('/v1/server-settings'))).toEqual({ settings: { require_approval: false } });
        expect(json(await h.get('/v1/activation-requests'))).toEqual({
          activation_requests: [],
          next_page_token: '',
        });
      });
    });

    describe('with four-eyes (requireApproval)', () => {
      let maker: string;
      let checker: string;
      beforeEach(async () => {
        h = await harness(factory, { requireApproval: true });
        maker = (await issueToken(h.storage, { scopes: ['read', 'config:activate'], name: 'maker' })).token;
        checker = (await issueToken(h.storage, { scopes: ['read', 'config:approve'], name: 'checker' }))
          .token;
      });

      async function pending(productId: string, versionId: string, reason = 'go live'): Promise<Obj> {
        const res = await activate(productId, versionId, maker, reason);
        expect(res.statusCode, res.body).toBe(202);
        return json(res)['activation_request'] as Obj;
      }

      const decide = (id: string, action: string, token: string, body: Obj = {}) =>
        h.post(`/v1/activation-requests/${id}:${action}`, { request_id: rid(), ...body }, token);

      it('stores an activation as a pending request, which another actor approves', async () => {
        const v1 = await version('loan', '1.0.0', 'NEW_PRODUCT');
        const v2 = await version('loan', '2.0.0');
        expect(json(await h.get('/v1/server-settings'))).toEqual({ settings: { require_approval: true } });
        const request = await pending('loan', v2);
        expect(request).toMatchObject({
          status: 'PENDING',
          product_id: 'loan',
          from_version_id: v1,
          to_version_id: v2,
          reason: 'go live',
          requested_by: 'maker',
        });
        expect(await current('loan')).toBe(v1);
        expect(await activations('loan')).toHaveLength(1);
        const list = json(await h.get('/v1/activation-requests?status=PENDING&product_id=loan'));
        expect((list['activation_requests'] as Obj[]).map((r) => r['id'])).toEqual([request['id']]);
        expect(json(await h.get(`/v1/activation-requests/${String(request['id'])}`))).toEqual(request);

        // The requester cannot approve (nor reject) their own request, with any token of theirs.
        const makerApprover = (await issueToken(h.storage, { scopes: ['config:approve'], name: 'maker' }))
          .token;
        for (const [action, token] of [
          ['approve', makerApprover],
          ['reject', makerApprover],
        ] as const) {
          const res = await decide(String(request['id']), action, token, { reason: 'me' });
          expect(res.statusCode, res.body).toBe(403);
          expect(json(res)['code']).toBe('SAME_ACTOR_APPROVAL');
        }
        // Approving needs config:approve.
        const refused = await decide(String(request['id']), 'approve', maker);
        expect(refused.statusCode).toBe(403);
        expect(json(refused)['details']).toMatchObject({ required_scope: 'config:approve' });

        const approved = await decide(String(request['id']), 'approve', checker, { reason: 'checked' });
        expect(approved.statusCode, approved.body).toBe(200);
        expect(json(approved)).toMatchObject({
          status: 'APPROVED',
          decided_by: 'checker',
          decision_reason: 'checked',
        });
        expect(await current('loan')).toBe(v2);
        const last = (await activations('loan'))[1];
        expect(last).toMatchObject({
          from_version_id: v1,
          to_version_id: v2,
          cause: 'APPROVED_REQUEST',
          reason: 'go live',
          actor: 'maker',
          approved_by: 'checker',
          activation_request_id: request['id'],
          id: json(approved)['activation_id'],
        });
        // Decisions are final.
        const again = await decide(String(request['id']), 'reject', checker, { reason: 'late' });
        expect(again.statusCode).toBe(409);
        expect(json(again)['code']).toBe('ALREADY_DECIDED');
        expect(json(await h.get('/v1/activation-requests?status=PENDING'))['activation_requests']).toEqual(
          [],
        );
      });

      it('refuses a stale request after someone else activated, and keeps it pending', async () => {
        await version('loan', '1.0.0', 'NEW_PRODUCT');
        const v2 = await version('loan', '2.0.0');
        const v3 = await version('loan', '3.0.0');
        const first = await pending('loan', v2);
        const second = await pending('loan', v3);
        expect((await decide(String(second['id']), 'approve', checker)).statusCode).toBe(200);
        const stale = await decide(String(first['id']), 'approve', checker);
        expect(stale.statusCode, stale.body).toBe(409);
        expect(json(stale)).toMatchObject({
          code: 'STALE_ACTIVATION',
          details: { from_version_id: first['from_version_id'], current_version_id: v3 },
        });
        expect(await current('loan')).toBe(v3);
        expect(json(await h.get(`/v1/activation-requests/${String(first['id'])}`))['status']).toBe('PENDING');
        const rejected = await decide(String(first['id']), 'reject', checker, { reason: 'stale' });
        expect(json(rejected)).toMatchObject({ status: 'REJECTED', decision_reason: 'stale' });
        expect(await activations('loan')).toHaveLength(2);
      });

      it('rejects only with a reason; a rejection changes nothing', async () => {
        const v1 = await version('loan', '1.0.0', 'NEW_PRODUCT');
        const v2 = await version('loan', '2.0.0');
        const request = await pending('loan', v2);
        const bare = await decide(String(request['id']), 'reject', checker);
        expect(bare.statusCode).toBe(400);
        expect(json(bare)['field_violations']).toEqual([
          { field: 'reason', description: expect.any(String) },
        ]);
        expect((await decide(String(request['id']), 'reject', checker, { reason: 'no' })).statusCode).toBe(
          200,
        );
        expect(await current('loan')).toBe(v1);
        expect(await activations('loan')).toHaveLength(1);
      });

      it('replays an activation call and a decision by request id, with their statuses', async () => {
        await version('loan', '1.0.0', 'NEW_PRODUCT');
        const v2 = await version('loan', '2.0.0');
        const body = { request_id: 'same-activation', product_version_id: v2 };
        const a = await h.post('/v1/products/loan:activateVersion', body, maker);
        const b = await h.post('/v1/products/loan:activateVersion', body, maker);
        expect([a.statusCode, b.statusCode]).toEqual([202, 202]);
        expect(b.headers['idempotent-replay']).toBe('true');
        expect(b.body).toBe(a.body);
        expect(json(await h.get('/v1/activation-requests'))['activation_requests']).toHaveLength(1);
        const id = String((json(a)['activation_request'] as Obj)['id']);
        const decision = { request_id: 'same-decision' };
        const x = await h.post(`/v1/activation-requests/${id}:approve`, decision, checker);
        const y = await h.post(`/v1/activation-requests/${id}:approve`, decision, checker);
        expect([x.statusCode, y.statusCode]).toEqual([200, 200]);
        expect(y.headers['idempotent-replay']).toBe('true');
        expect(await activations('loan')).toHaveLength(2);
        const reused = await h.post(
          `/v1/activation-requests/${id}:reject`,
          { ...decision, reason: 'r' },
          checker,
        );
        expect(json(reused)['code']).toBe('REQUEST_ID_REUSED');
      });

      it('two racing approvals of one request apply it once', async () => {
        await version('loan', '1.0.0', 'NEW_PRODUCT');
        const v2 = await version('loan', '2.0.0');
        const request = await pending('loan', v2);
        const other = (await issueToken(h.storage, { scopes: ['config:approve'], name: 'checker-2' })).token;
        const results = await Promise.all([
          decide(String(request['id']), 'approve', checker),
          decide(String(request['id']), 'approve', other),
        ]);
        expect(results.map((r) => r.statusCode).sort()).toEqual([200, 409]);
        expect(await activations('loan')).toHaveLength(2);
      });

      it('activating the current version is a no-op, not a request', async () => {
        const v1 = await version('loan', '1.0.0', 'NEW_PRODUCT');
        const res = await activate('loan', v1, maker);
        expect(res.statusCode).toBe(200);
        expect(json(await h.get('/v1/activation-requests'))['activation_requests']).toEqual([]);
      });

      it('refuses migration strategies that would activate without approval', async () => {
        await version('loan', '1.0.0', 'NEW_PRODUCT');
        const res = await h.post('/v1/product-versions', {
          request_id: rid(),
          product_version: { product_id: 'loan', display_name: 'loan', code: contractCode('2.0.0') },
          migration_strategy: `${STRATEGY}ADD_VERSION_APPLY_NEW_USERS`,
        });
        expect(res.statusCode, res.body).toBe(409);
        expect(json(res)['code']).toBe('APPROVAL_REQUIRED');
        expect(json(await h.get('/v1/product-versions?product_id=loan'))['product_versions']).toHaveLength(1);
      });

      it('puts workflow default versions under approval too', async () => {
        for (const dv of ['1.0.0', '2.0.0']) {
          const res = await h.post('/v1/workflow-definition-versions', {
            request_id: rid(),
            workflow_definition_version: {
              workflow_definition_id: 'ONBOARD',
              specification: workflowSpec(dv),
            },
          });
          expect(res.statusCode, res.body).toBe(200);
        }
        const put = await h.put(
          '/v1/workflow-definitions/ONBOARD',
          {
            request_id: rid(),
            workflow_definition: { default_workflow_definition_version_id: '2.0.0,ONBOARD' },
            update_mask: { paths: ['default_workflow_definition_version_id'] },
            reason: 'new flow',
          },
          maker,
        );
        expect(put.statusCode, put.body).toBe(202);
        const request = json(put)['activation_request'] as Obj;
        expect(request).toMatchObject({ workflow_definition_id: 'ONBOARD', to_version_id: '2.0.0,ONBOARD' });
        expect((await decide(String(request['id']), 'approve', checker)).statusCode).toBe(200);
        expect(
          json(await h.get('/v1/workflow-definitions/ONBOARD'))['default_workflow_definition_version_id'],
        ).toBe('2.0.0,ONBOARD');
        const acts = json(await h.get('/v1/activations?workflow_definition_id=ONBOARD'))[
          'activations'
        ] as Obj[];
        expect(acts[1]).toMatchObject({ reason: 'new flow', approved_by: 'checker', actor: 'maker' });
      });

      it('answers 404 for an unknown request and 400 for a bad status filter', async () => {
        expect((await decide('nope', 'approve', checker)).statusCode).toBe(404);
        expect((await h.get('/v1/activation-requests/nope')).statusCode).toBe(404);
        expect((await h.post('/v1/activation-requests/x:cancel', { request_id: rid() })).statusCode).toBe(
          404,
        );
        expect((await h.get('/v1/activation-requests?status=DONE')).statusCode).toBe(400);
      });

      it('pages through requests', async () => {
        await version('loan', '1.0.0', 'NEW_PRODUCT');
        const ids: string[] = [];
        for (const v of ['2.0.0', '3.0.0', '4.0.0'])
          ids.push(String((await pending('loan', await version('loan', v)))['id']));
        const seen: string[] = [];
        let token = '';
        do {
          const page = json(await h.get(`/v1/activation-requests?page_size=2&page_token=${token}`));
          seen.push(...(page['activation_requests'] as Obj[]).map((r) => String(r['id'])));
          token = String(page['next_page_token']);
        } while (token !== '');
        expect(seen).toEqual(ids);
      });
    });
  });
});
