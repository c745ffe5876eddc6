/** The ledger API through the real HTTP server, on both storages: the rules of ledger.md line by line. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { STORAGE_FACTORIES } from '../storage/factories.js';
import {
  deposit,
  instruction,
  json,
  ledgerHarness,
  rid,
  transfer,
  type LedgerHarness,
} from './server-helpers.js';

type Obj = Record<string, unknown>;

const ACCEPTED = 'POSTING_INSTRUCTION_BATCH_STATUS_ACCEPTED';
const REJECTED = 'POSTING_INSTRUCTION_BATCH_STATUS_REJECTED';

function violations(res: { body: string }): string[][] {
  const b = JSON.parse(res.body) as {
    posting_instructions: Array<{ posting_violations: Obj[]; account_violations: Obj[] }>;
  };
  return b.posting_instructions.map((i) => [
    ...i.posting_violations.map((v) => String(v['type'])),
    ...i.account_violations.map((v) => `${String(v['type'])}:${String(v['account_id'])}`),
  ]);
}

describe.each(STORAGE_FACTORIES)('ledger API on $name', (factory) => {
  describe.skipIf(factory.skip)('', () => {
    let h: LedgerHarness;
    beforeEach(async () => {
      h = await ledgerHarness(factory);
    });
    afterEach(async () => {
      await h.close();
    });

    async function accepted(instructions: unknown[], batch: Obj = {}): Promise<Obj> {
      const res = await h.batch(instructions, batch);
      expect(res.statusCode, res.body).toBe(200);
      const body = json(res);
      expect(body['status'], res.body).toBe(ACCEPTED);
      return body;
    }

    async function rejected(instructions: unknown[], batch: Obj = {}): Promise<string[][]> {
      const res = await h.batch(instructions, batch);
      expect(res.statusCode, res.body).toBe(200);
      expect(json(res)['status'], res.body).toBe(REJECTED);
      return violations(res);
    }

    it('opens accounts, deposits, transfers and reads balances exactly (0.10 three times is 0.30)', async () => {
      const account = await h.openAccount('acc-1');
      expect(account).toMatchObject({
        id: 'acc-1',
        product_id: 'current_account',
        status: 'ACCOUNT_STATUS_OPEN',
        stakeholder_ids: ['alice'],
        permitted_denominations: ['GBP'],
        accounting: { tside: 'TSIDE_LIABILITY' },
      });
      expect(json(await h.get('/v1/accounts/acc-1'))).toEqual(account);
      await h.openAccount('acc-2');
      for (const id of ['a', 'b', 'c'])
        await accepted([instruction(id, 'inbound_hard_settlement', deposit('0.10', 'acc-1'))]);
      expect(await h.balance('acc-1')).toBe('0.30');
      await accepted([instruction('t1', 'transfer', transfer('0.25', 'acc-1', 'acc-2'))]);
      expect([await h.balance('acc-1'), await h.balance('acc-2'), await h.balance('BANK')]).toEqual([
        '0.05',
        '0.25',
        '0.30',
      ]);
      const live = json(await h.get('/v1/balances/live?account_ids=acc-1'))['balances'] as Obj[];
      expect(live).toEqual([
        expect.objectContaining({
          account_id: 'acc-1',
          account_address: 'DEFAULT',
          asset: 'COMMERCIAL_BANK_MONEY',
          denomination: 'GBP',
          phase: 'POSTING_PHASE_COMMITTED',
          amount: '0.05',
          total_debit: '0.25',
          total_credit: '0.30',
        }),
      ]);
    });

    it('handles amounts beyond 2^53 minor units exactly, end to end', async () => {
      await h.openAccount('big');
      await accepted([instruction('b1', 'inbound_hard_settlement', deposit('90071992547409.93', 'big'))]);
      await accepted([instruction('b2', 'inbound_hard_settlement', deposit('90071992547409.93', 'big'))]);
      expect(await h.balance('big')).toBe('180143985094819.86');
    });

    it('refuses a JSON number where an amount is expected: 400 INVALID_AMOUNT naming the field', async () => {
      await h.openAccount('acc');
      const text = `{"request_id":"${rid()}","posting_instruction_batch":{"client_id":"c","posting_instructions":[{"client_transaction_id":"x","inbound_hard_settlement":{"amount":12345678901234567.89,"denomination":"GBP","target_account":{"account_id":"acc"},"internal_account_id":"BANK"}}]}}`;
      const res = await h.postText('/v1/posting-instruction-batches', text);
      expect(res.statusCode).toBe(400);
      expect(json(res)).toMatchObject({
        code: 'INVALID_AMOUNT',
        field_violations: [
          {
            field: 'posting_instruction_batch.posting_instructions[0].inbound_hard_settlement.amount',
            description: expect.stringContaining('"12345678901234567.89"'),
          },
        ],
      });
      expect(await h.balance('acc')).toBe('none');
    });

    it('refuses malformed batches with 400s that name the problem, and writes nothing', async () => {
      await h.openAccount('acc');
      const precision = await h.batch([instruction('x', 'inbound_hard_settlement', deposit('1.234', 'acc'))]);
      expect(json(precision)).toMatchObject({ code: 'AMOUNT_PRECISION' });
      const unbalanced = await h.batch([
        instruction('x', 'custom_instruction', {
          postings: [
            {
              credit: true,
              amount: '1.00',
              denomination: 'GBP',
              account_id: 'acc',
              phase: 'POSTING_PHASE_COMMITTED',
            },
            {
              credit: false,
              amount: '0.99',
              denomination: 'GBP',
              account_id: 'BANK',
              phase: 'POSTING_PHASE_COMMITTED',
            },
          ],
        }),
      ]);
      expect(unbalanced.statusCode).toBe(400);
      expect(json(unbalanced)).toMatchObject({ code: 'UNBALANCED_POSTINGS' });
      const unknown = await h.batch([{ client_transaction_id: 'x', wire: {} }]);
      expect(json(unknown)).toMatchObject({
        code: 'INVALID_ARGUMENT',
        field_violations: [{ field: 'posting_instruction_batch.posting_instructions[0]' }],
      });
      const missing = await h.batch([instruction('x', 'transfer', { amount: '1', denomination: 'GBP' })]);
      expect(json(missing)).toMatchObject({ code: 'INVALID_ARGUMENT' });
      const syntax = await h.postText('/v1/posting-instruction-batches', '{"request_id": "r", ');
      expect(syntax.statusCode).toBe(400);
      expect(json(syntax)['message']).toMatch(/not valid JSON.*line 1/);
      const deep = await h.postText('/v1/posting-instruction-batches', '['.repeat(10_000));
      expect(json(deep)).toMatchObject({
        code: 'INVALID_ARGUMENT',
        message: expect.stringContaining('nesting deeper'),
      });
      expect(json(await h.get('/v1/posting-instruction-batches'))['posting_instruction_batches']).toEqual([]);
    });

    it('rule 1: replays accepted and rejected batches identically, refuses a reused request id', async () => {
      await h.openAccount('acc');
      const body = [instruction('d1', 'inbound_hard_settlement', deposit('5.00', 'acc'))];
      const first = await h.batch(body, {}, 'req-a');
      const again = await h.batch(body, {}, 'req-a');
      expect(again.body).toBe(first.body);
      expect(again.headers['idempotent-replay']).toBe('true');
      expect(await h.balance('acc')).toBe('5.00');
      const bad = [instruction('d2', 'outbound_hard_settlement', deposit('50.00', 'acc'))];
      const r1 = await h.batch(bad, {}, 'req-b');
      await accepted([instruction('d3', 'inbound_hard_settlement', deposit('100.00', 'acc'))]);
      const r2 = await h.batch(bad, {}, 'req-b');
      expect(json(r2)['status']).toBe(REJECTED);
      expect(r2.body).toBe(r1.body);
      const reused = await h.batch(
        [instruction('d4', 'inbound_hard_settlement', deposit('1.00', 'acc'))],
        {},
        'req-a',
      );
      expect(reused.statusCode).toBe(409);
      expect(json(reused)['code']).toBe('REQUEST_ID_REUSED');
      // A malformed request is not recorded: it answers the same 400 every time.
      const m1 = await h.batch(
        [instruction('d5', 'inbound_hard_settlement', deposit('1.001', 'acc'))],
        {},
        'req-c',
      );
      const m2 = await h.batch(
        [instruction('d5', 'inbound_hard_settlement', deposit('1.001', 'acc'))],
        {},
        'req-c',
      );
      expect([m1.statusCode, m2.statusCode]).toEqual([400, 400]);
      expect(m2.body).toBe(m1.body);
    });

    it('rule 2: accounts must exist and be open; customer accounts must permit the denomination', async () => {
      await h.openAccount('pending', { status: 'ACCOUNT_STATUS_PENDING' });
      await h.openAccount('euro', { permitted_denominations: ['EUR'] });
      expect(await rejected([instruction('x', 'inbound_hard_settlement', deposit('1', 'ghost'))])).toEqual([
        ['ACCOUNT_VIOLATION_ACCOUNT_NOT_PRESENT:ghost'],
      ]);
      expect(await rejected([instruction('x', 'inbound_hard_settlement', deposit('1', 'pending'))])).toEqual([
        ['ACCOUNT_VIOLATION_ACCOUNT_STATUS_INVALID:pending'],
      ]);
      expect(await rejected([instruction('x', 'inbound_hard_settlement', deposit('1', 'euro'))])).toEqual([
        ['ACCOUNT_VIOLATION_UNSUPPORTED_DENOMINATION:euro'],
      ]);
      await accepted([
        instruction('x', 'inbound_hard_settlement', { ...deposit('1', 'euro'), denomination: 'EUR' }),
      ]);
    });

    it('rule 4: authorise, adjust, settle partially, settle final; release; closed ids stay closed', async () => {
      await h.openAccount('acc');
      await accepted([instruction('fund', 'inbound_hard_settlement', deposit('100.00', 'acc'))]);
      await accepted([instruction('card', 'outbound_authorisation', deposit('30.00', 'acc'))]);
      expect(await h.balance('acc', 'POSTING_PHASE_PENDING_OUTGOING')).toBe('-30.00');
      const adjusted = await accepted([instruction('card', 'authorisation_adjustment', { amount: '5.00' })]);
      const adj = (adjusted['posting_instructions'] as Obj[])[0]?.['authorisation_adjustment'];
      expect(adj).toMatchObject({ delta_amount: '5.00', authorised_amount: '35.00' });
      await accepted([instruction('card', 'settlement', { amount: '10.00' })]);
      expect(await rejected([instruction('card', 'authorisation_adjustment', { amount: '1.00' })])).toEqual([
        ['POSTING_VIOLATION_CLIENT_TRANSACTION_INVALID_OPERATION'],
      ]);
      expect(await rejected([instruction('card', 'settlement', { amount: '25.01' })])).toEqual([
        ['POSTING_VIOLATION_SETTLEMENT_EXCEEDS_AUTHORISATION'],
      ]);
      await accepted([instruction('card', 'settlement', { amount: '20.00', final: true })]);
      expect([await h.balance('acc'), await h.balance('acc', 'POSTING_PHASE_PENDING_OUTGOING')]).toEqual([
        '70.00',
        '0.00',
      ]);
      expect(await rejected([instruction('card', 'release', {})])).toEqual([
        ['POSTING_VIOLATION_CLIENT_TRANSACTION_CLOSED'],
      ]);
      expect(await rejected([instruction('fund', 'inbound_hard_settlement', deposit('1', 'acc'))])).toEqual([
        ['POSTING_VIOLATION_CLIENT_TRANSACTION_ALREADY_EXISTS'],
      ]);
      expect(await rejected([instruction('nope', 'settlement', {})])).toEqual([
        ['POSTING_VIOLATION_CLIENT_TRANSACTION_DOES_NOT_EXIST'],
      ]);
      await accepted([instruction('in', 'inbound_authorisation', deposit('7.00', 'acc'))]);
      expect(await h.balance('acc', 'POSTING_PHASE_PENDING_INCOMING')).toBe('7.00');
      await accepted([instruction('in', 'release', {})]);
      expect(await h.balance('acc', 'POSTING_PHASE_PENDING_INCOMING')).toBe('0.00');
      expect(await rejected([instruction('in', 'authorisation_adjustment', { amount: '-1' })])).toEqual([
        ['POSTING_VIOLATION_CLIENT_TRANSACTION_CLOSED'],
      ]);
    });

    it('rule 4: an advice settlement may exceed the authorisation', async () => {
      await h.openAccount('acc');
      await accepted([
        instruction('card', 'outbound_authorisation', deposit('5.00', 'acc', 'BANK', { advice: true })),
      ]);
      await accepted([instruction('card', 'settlement', { amount: '8.00', advice: true, final: true })]);
      expect(await h.balance('acc')).toBe('-8.00');
    });

    it('rule 5: no outbound takes available below zero unless it is an advice', async () => {
      await h.openAccount('acc');
      await h.openAccount('other');
      await accepted([instruction('fund', 'inbound_hard_settlement', deposit('10.00', 'acc'))]);
      expect(await rejected([instruction('w', 'outbound_hard_settlement', deposit('10.01', 'acc'))])).toEqual(
        [['ACCOUNT_VIOLATION_INSUFFICIENT_FUNDS:acc']],
      );
      expect(await rejected([instruction('t', 'transfer', transfer('10.01', 'acc', 'other'))])).toEqual([
        ['ACCOUNT_VIOLATION_INSUFFICIENT_FUNDS:acc'],
      ]);
      await accepted([instruction('hold', 'outbound_authorisation', deposit('6.00', 'acc'))]);
      expect(await rejected([instruction('w2', 'outbound_hard_settlement', deposit('4.01', 'acc'))])).toEqual(
        [['ACCOUNT_VIOLATION_INSUFFICIENT_FUNDS:acc']],
      );
      await accepted([
        instruction('w3', 'outbound_hard_settlement', deposit('20.00', 'acc', 'BANK', { advice: true })),
      ]);
      expect(await h.balance('acc')).toBe('-10.00');
    });

    it('rule 6: backdating is counted in as-of reads; the future and before opening are refused', async () => {
      const opened = Date.parse('2024-01-01T00:00:00Z');
      await h.openAccount('acc', { opening_timestamp: '2024-01-01T00:00:00Z' });
      const at = (iso: string) => ({ value_timestamp: iso });
      await accepted(
        [instruction('d1', 'inbound_hard_settlement', deposit('10.00', 'acc'))],
        at('2024-03-01T00:00:00Z'),
      );
      await accepted(
        [instruction('d2', 'inbound_hard_settlement', deposit('5.00', 'acc'))],
        at('2024-05-01T00:00:00Z'),
      );
      // Backdated between the two: as-of reads after it count it; the live balance too.
      await accepted(
        [instruction('d3', 'inbound_hard_settlement', deposit('1.00', 'acc'))],
        at('2024-04-01T00:00:00Z'),
      );
      expect(await h.balance('acc')).toBe('16.00');
      const range = json(
        await h.get(
          '/v1/balances/timerange?account_ids=acc&from_time=2024-02-01T00:00:00Z&to_time=2024-06-01T00:00:00Z',
        ),
      );
      const amounts = (range['balances'] as Obj[])
        .filter((b) => b['phase'] === 'POSTING_PHASE_COMMITTED')
        .map((b) => [b['value_time'], b['amount']]);
      expect(amounts).toEqual([
        ['2024-03-01T00:00:00.000Z', '10.00'],
        ['2024-04-01T00:00:00.000Z', '11.00'],
        ['2024-05-01T00:00:00.000Z', '16.00'],
      ]);
      const asOf = json(
        await h.get(
          '/v1/balances/timerange?account_ids=acc&from_time=2024-04-15T00:00:00Z&to_time=2024-04-15T00:00:00Z',
        ),
      );
      expect((asOf['balances'] as Obj[]).map((b) => b['amount'])).toEqual(['11.00']);
      expect(
        await rejected(
          [instruction('f', 'inbound_hard_settlement', deposit('1', 'acc'))],
          at('2999-01-01T00:00:00Z'),
        ),
      ).toEqual([['POSTING_VIOLATION_VALUE_TIMESTAMP_IN_FUTURE']]);
      expect(
        await rejected(
          [instruction('e', 'inbound_hard_settlement', deposit('1', 'acc'))],
          at(new Date(opened - 1).toISOString()),
        ),
      ).toEqual([['ACCOUNT_VIOLATION_VALUE_TIMESTAMP_BEFORE_OPENING:acc']]);
    });

    it('closing an account needs every balance at zero (ACCOUNT_HAS_BALANCE), then postings are refused', async () => {
      await h.openAccount('acc');
      await h.openAccount('other');
      await accepted([instruction('d', 'inbound_hard_settlement', deposit('3.00', 'acc'))]);
      const close = {
        request_id: rid(),
        account: { status: 'ACCOUNT_STATUS_CLOSED' },
        update_mask: { paths: ['status'] },
      };
      const refused = await h.put('/v1/accounts/acc', close);
      expect(refused.statusCode).toBe(400);
      expect(json(refused)).toMatchObject({
        code: 'ACCOUNT_HAS_BALANCE',
        details: {
          account_id: 'acc',
          balances: [
            { balance: 'DEFAULT/COMMERCIAL_BANK_MONEY/GBP/POSTING_PHASE_COMMITTED', amount: '3.00' },
          ],
        },
      });
      await accepted([instruction('t', 'transfer', transfer('3.00', 'acc', 'other'))]);
      const closed = await h.put('/v1/accounts/acc', { ...close, request_id: rid() });
      expect(closed.statusCode, closed.body).toBe(200);
      expect(json(closed)).toMatchObject({
        status: 'ACCOUNT_STATUS_CLOSED',
        closing_timestamp: expect.any(String),
      });
      expect(await rejected([instruction('d2', 'inbound_hard_settlement', deposit('1', 'acc'))])).toEqual([
        ['ACCOUNT_VIOLATION_ACCOUNT_STATUS_INVALID:acc'],
      ]);
      const reopen = await h.put('/v1/accounts/acc', {
        request_id: rid(),
        account: { status: 'ACCOUNT_STATUS_OPEN' },
        update_mask: { paths: ['status'] },
      });
      expect(json(reopen)).toMatchObject({
        code: 'INVALID_ARGUMENT',
        message: expect.stringContaining('stays closed'),
      });
    });

    it('opens accounts on a product current version, checks references, and lists them', async () => {
      const a = await h.openAccount('loan-1', { product_id: 'loan' });
      expect(a).toMatchObject({ product_id: 'loan', accounting: { tside: 'TSIDE_ASSET' } });
      const generated = await h.post('/v1/accounts', {
        request_id: rid(),
        account: {
          product_version_id: a['product_version_id'],
          stakeholder_ids: ['bob'],
          permitted_denominations: ['GBP'],
        },
      });
      expect(json(generated)['id']).toMatch(/.+/);
      const missing = await h.post('/v1/accounts', {
        request_id: rid(),
        account: {
          product_id: 'current_account',
          stakeholder_ids: ['zed'],
          permitted_denominations: ['GBP'],
        },
      });
      expect(json(missing)).toMatchObject({ code: 'REFERENCE_NOT_FOUND' });
      const internal = await h.post('/v1/accounts', {
        request_id: rid(),
        account: { product_id: 'gl', permitted_denominations: ['GBP'] },
      });
      expect(json(internal)).toMatchObject({
        code: 'INVALID_ARGUMENT',
        message: expect.stringContaining('internal'),
      });
      const clash = await h.post('/v1/accounts', {
        request_id: rid(),
        account: { id: 'BANK', product_id: 'current_account', permitted_denominations: ['GBP'] },
      });
      expect(clash.statusCode).toBe(409);
      const same = await h.post('/v1/accounts', {
        request_id: rid(),
        account: {
          id: 'loan-1',
          product_id: 'loan',
          stakeholder_ids: ['alice'],
          permitted_denominations: ['GBP'],
        },
      });
      expect(same.body).toBe(JSON.stringify(a));
      const different = await h.post('/v1/accounts', {
        request_id: rid(),
        account: {
          id: 'loan-1',
          product_id: 'loan',
          stakeholder_ids: ['bob'],
          permitted_denominations: ['GBP'],
        },
      });
      expect(json(different)).toMatchObject({ code: 'ALREADY_EXISTS' });
      const byBob = json(await h.get('/v1/accounts?stakeholder_id=bob'))['accounts'] as Obj[];
      expect(byBob.map((x) => x['id'])).toEqual([json(generated)['id']]);
      const byProduct = json(await h.get('/v1/accounts?product_id=loan&page_size=1'));
      expect((byProduct['accounts'] as Obj[]).length).toBe(1);
      expect(byProduct['next_page_token']).not.toBe('');
      const page2 = json(
        await h.get(
          `/v1/accounts?product_id=loan&page_size=1&page_token=${String(byProduct['next_page_token'])}`,
        ),
      );
      expect((page2['accounts'] as Obj[]).length).toBe(1);
      expect(json(await h.get('/v1/accounts:batchGet?ids=loan-1'))['accounts']).toEqual({ 'loan-1': a });
      expect((await h.get('/v1/accounts/BANK')).statusCode).toBe(404);
    });

    it('gets, batch-gets and lists batches by account and client batch id, in insertion order', async () => {
      await h.openAccount('acc');
      await h.openAccount('other');
      const b1 = await accepted([instruction('d', 'inbound_hard_settlement', deposit('3.00', 'acc'))], {
        client_batch_id: 'x',
      });
      const b2 = await accepted([instruction('t', 'transfer', transfer('1.00', 'acc', 'other'))], {
        client_batch_id: 'y',
      });
      expect(json(await h.get(`/v1/posting-instruction-batches/${String(b1['id'])}`))).toEqual(b1);
      const both = json(
        await h.get(
          `/v1/posting-instruction-batches:batchGet?ids=${String(b1['id'])}&ids=${String(b2['id'])}`,
        ),
      );
      expect(Object.keys(both['posting_instruction_batches'] as Obj).sort()).toEqual(
        [String(b1['id']), String(b2['id'])].sort(),
      );
      const ids = async (q: string) =>
        (
          json(await h.get(`/v1/posting-instruction-batches?${q}`))['posting_instruction_batches'] as Obj[]
        ).map((b) => b['id']);
      expect(await ids('account_ids=acc')).toEqual([b1['id'], b2['id']]);
      expect(await ids('account_ids=other')).toEqual([b2['id']]);
      expect(await ids('client_batch_ids=y')).toEqual([b2['id']]);
      expect(await ids('start_time=2999-01-01T00:00:00Z')).toEqual([]);
      expect((await h.get('/v1/posting-instruction-batches/nope')).statusCode).toBe(404);
    });

    it('needs ledger scopes', async () => {
      const reader = await h.tokenWith('ledger:read');
      const res = await h.post('/v1/customers', { request_id: rid(), customer: { id: 'c' } }, reader);
      expect(res.statusCode).toBe(403);
      expect((await h.get('/v1/customers/alice', reader)).statusCode).toBe(200);
    });
  });
});
