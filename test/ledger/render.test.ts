import { describe, expect, it } from 'vitest';
import { renderBalance, renderBatch } from '../../src/ledger/render.js';
import { Denominations } from '../../src/ledger/money.js';
import { batchBody, customer, instruction, internal, MemoryLedger, targeted, transfer } from './helpers.js';

function setup() {
  return new MemoryLedger([customer('alice'), customer('bob'), internal('bank')]);
}

function render(l: MemoryLedger, text: string) {
  const request = l.parse(text);
  const decision = l.apply(request);
  return renderBatch(
    request,
    decision,
    { batchId: 'b1', instructionIds: ['i1', 'i2', 'i3'] },
    l.denominations,
  );
}

describe('rendering posting instruction batches', () => {
  it("renders an accepted batch in Vault's shape with exact decimal strings", () => {
    const l = setup();
    const body = render(
      l,
      batchBody(
        [instruction('dep', 'inbound_hard_settlement', targeted('10.5'))],
        { batch_details: { k: 'v' } },
        'r1',
      ),
    );
    expect(body).toEqual({
      id: 'b1',
      client_id: 'client',
      client_batch_id: 'cb',
      value_timestamp: new Date(l.now).toISOString(),
      insertion_timestamp: new Date(l.now).toISOString(),
      batch_details: { k: 'v' },
      status: 'POSTING_INSTRUCTION_BATCH_STATUS_ACCEPTED',
      dry_run: false,
      posting_instructions: [
        {
          id: 'i1',
          client_transaction_id: 'dep',
          instruction_details: {},
          inbound_hard_settlement: {
            amount: '10.50',
            denomination: 'GBP',
            target_account: { account_id: 'alice' },
            target_account_id: 'alice',
            internal_account_id: 'bank',
            target_account_address: 'DEFAULT',
            asset: 'COMMERCIAL_BANK_MONEY',
            advice: false,
          },
          committed_postings: [
            {
              credit: true,
              amount: '10.50',
              denomination: 'GBP',
              account_id: 'alice',
              account_address: 'DEFAULT',
              asset: 'COMMERCIAL_BANK_MONEY',
              phase: 'POSTING_PHASE_COMMITTED',
            },
            {
              credit: false,
              amount: '10.50',
              denomination: 'GBP',
              account_id: 'bank',
              account_address: 'DEFAULT',
              asset: 'COMMERCIAL_BANK_MONEY',
              phase: 'POSTING_PHASE_COMMITTED',
            },
          ],
          posting_violations: [],
          account_violations: [],
          restriction_violations: [],
          contract_violations: [],
          value_timestamp: new Date(l.now).toISOString(),
        },
      ],
    });
  });

  it('renders a rejected batch with its violations and no postings', () => {
    const l = setup();
    const body = render(
      l,
      batchBody([
        instruction('t', 'transfer', transfer('1.00', 'alice', 'bob')),
        instruction('x', 'settlement', { amount: '2.5' }),
      ]),
    );
    expect(body.status).toBe('POSTING_INSTRUCTION_BATCH_STATUS_REJECTED');
    const instructions = body.posting_instructions as Array<Record<string, unknown>>;
    expect(instructions.map((i) => i.committed_postings)).toEqual([[], []]);
    expect(instructions[0]?.account_violations).toEqual([
      { account_id: 'alice', type: 'ACCOUNT_VIOLATION_INSUFFICIENT_FUNDS' },
    ]);
    expect(instructions[1]?.posting_violations).toEqual([
      { type: 'POSTING_VIOLATION_CLIENT_TRANSACTION_DOES_NOT_EXIST' },
    ]);
    // The settlement echoes the amount as given: its denomination is unknown without a transaction.
    expect(instructions[1]?.settlement).toEqual({ amount: '2.5', final: false, advice: false });
  });

  it('shows what settlements and adjustments resolved to', () => {
    const l = setup();
    l.post(batchBody([instruction('dep', 'inbound_hard_settlement', targeted('100'))]));
    l.post(batchBody([instruction('card', 'outbound_authorisation', targeted('10'))]));
    const adjusted = render(
      l,
      batchBody([instruction('card', 'authorisation_adjustment', { replacement_amount: '12.5' })]),
    );
    expect(
      (adjusted.posting_instructions as Array<Record<string, unknown>>)[0]?.authorisation_adjustment,
    ).toEqual({
      replacement_amount: '12.5',
      advice: false,
      denomination: 'GBP',
      target_account_id: 'alice',
      internal_account_id: 'bank',
      delta_amount: '2.50',
      authorised_amount: '12.50',
    });
    const settled = render(l, batchBody([instruction('card', 'settlement', { final: true })]));
    expect((settled.posting_instructions as Array<Record<string, unknown>>)[0]?.settlement).toEqual({
      amount: '12.50',
      final: true,
      advice: false,
      denomination: 'GBP',
      target_account_id: 'alice',
      internal_account_id: 'bank',
    });
  });

  it('renders balances as the net in the account tside, with totals', () => {
    const d = new Denominations();
    const dimension = {
      accountId: 'a',
      accountAddress: 'DEFAULT',
      asset: 'COMMERCIAL_BANK_MONEY',
      denomination: 'JPY',
      phase: 'POSTING_PHASE_COMMITTED' as const,
    };
    const base = { id: 'x', dimension, totals: { debit: 300n, credit: 1000n }, batchId: 'b', valueTime: 0 };
    expect(renderBalance({ ...base, tside: 'LIABILITY' }, d)).toMatchObject({
      amount: '700',
      total_debit: '300',
      total_credit: '1000',
      value_time: '1970-01-01T00:00:00.000Z',
    });
    expect(renderBalance({ ...base, tside: 'ASSET' }, d)).toMatchObject({ amount: '-700' });
  });
});
