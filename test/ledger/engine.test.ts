import { describe, expect, it } from 'vitest';
import { assertBalanced } from '../../src/ledger/balances.js';
import { LedgerInputError, LedgerInvariantError } from '../../src/ledger/errors.js';
import { formatTimestamp } from '../../src/ledger/time.js';
import {
  COMMITTED,
  PENDING_INCOMING,
  PENDING_OUTGOING,
  type Phase,
  type Posting,
} from '../../src/ledger/types.js';
import {
  batchBody,
  customer,
  instruction,
  internal,
  MemoryLedger,
  T0,
  targeted,
  transfer,
  type Json,
} from './helpers.js';

function ledger(): MemoryLedger {
  return new MemoryLedger([
    customer('alice'),
    customer('bob'),
    customer('loan', { tside: 'ASSET' }),
    customer('pending', { status: 'ACCOUNT_STATUS_PENDING' }),
    customer('closed', { status: 'ACCOUNT_STATUS_CLOSED' }),
    customer('euro', { permittedDenominations: ['EUR'] }),
    customer('late', { openingTime: T0 + 3_600_000 }),
    internal('bank'),
    internal('bank-liability', { tside: 'LIABILITY' }),
  ]);
}

function post(l: MemoryLedger, ...instructions: Json[]) {
  return l.post(batchBody(instructions));
}

function violations(decision: ReturnType<MemoryLedger['post']>) {
  return decision.instructions.map((o) => [
    ...o.postingViolations.map((v) => v.type),
    ...o.accountViolations.map((v) => `${v.type}:${v.accountId}`),
  ]);
}

function deposit(l: MemoryLedger, amount: string, account = 'alice', id = `dep-${amount}-${account}`) {
  const d = post(l, instruction(id, 'inbound_hard_settlement', targeted(amount, account)));
  expect(d.status).toBe('ACCEPTED');
  return d;
}

const postingsOf = (d: ReturnType<MemoryLedger['post']>, i = 0) =>
  d.instructions[i]?.postings.map(
    (p) => `${p.credit ? 'Cr' : 'Dr'} ${p.accountId} ${p.phase.replace('POSTING_PHASE_', '')} ${p.amount}`,
  );

describe('posting engine: instruction types', () => {
  it('inbound hard settlement credits the target and debits the internal account, COMMITTED', () => {
    const l = ledger();
    const d = deposit(l, '10.00');
    expect(postingsOf(d)).toEqual(['Cr alice COMMITTED 1000', 'Dr bank COMMITTED 1000']);
    expect(l.balance('alice')).toBe('10.00');
    expect(l.balance('bank')).toBe('10.00'); // ASSET tside: debits minus credits
    expect(l.transaction('dep-10.00-alice')).toMatchObject({
      kind: 'INBOUND_HARD_SETTLEMENT',
      status: 'CLOSED',
    });
  });

  it('outbound hard settlement debits the target and credits the internal account', () => {
    const l = ledger();
    deposit(l, '10.00');
    const d = post(l, instruction('w', 'outbound_hard_settlement', targeted('2.50')));
    expect(postingsOf(d)).toEqual(['Dr alice COMMITTED 250', 'Cr bank COMMITTED 250']);
    expect(l.balance('alice')).toBe('7.50');
  });

  it('inbound authorisation holds PENDING_INCOMING and settles into COMMITTED', () => {
    const l = ledger();
    const a = post(l, instruction('in', 'inbound_authorisation', targeted('5.00')));
    expect(postingsOf(a)).toEqual(['Cr alice PENDING_INCOMING 500', 'Dr bank PENDING_INCOMING 500']);
    expect(l.balance('alice', PENDING_INCOMING)).toBe('5.00');
    const s = post(l, instruction('in', 'settlement', {}));
    expect(postingsOf(s)).toEqual([
      'Dr alice PENDING_INCOMING 500',
      'Cr bank PENDING_INCOMING 500',
      'Cr alice COMMITTED 500',
      'Dr bank COMMITTED 500',
    ]);
    expect(l.balance('alice', PENDING_INCOMING)).toBe('0.00');
    expect(l.balance('alice')).toBe('5.00');
    expect(l.transaction('in')).toMatchObject({ status: 'SETTLING', settled: 500n, pending: 0n });
  });

  it('outbound authorisation holds PENDING_OUTGOING, reduces available, and partial settlements commit', () => {
    const l = ledger();
    deposit(l, '20.00');
    const a = post(l, instruction('card', 'outbound_authorisation', targeted('10.00')));
    expect(postingsOf(a)).toEqual(['Dr alice PENDING_OUTGOING 1000', 'Cr bank PENDING_OUTGOING 1000']);
    expect(l.balance('alice', PENDING_OUTGOING)).toBe('-10.00');
    // Available is 10.00 now: an outbound of 10.01 is refused, 10.00 is not.
    expect(violations(post(l, instruction('w1', 'outbound_hard_settlement', targeted('10.01'))))).toEqual([
      ['ACCOUNT_VIOLATION_INSUFFICIENT_FUNDS:alice'],
    ]);
    const s = post(l, instruction('card', 'settlement', { amount: '4.00' }));
    expect(postingsOf(s)).toEqual([
      'Cr alice PENDING_OUTGOING 400',
      'Dr bank PENDING_OUTGOING 400',
      'Dr alice COMMITTED 400',
      'Cr bank COMMITTED 400',
    ]);
    expect(l.balance('alice')).toBe('16.00');
    expect(l.balance('alice', PENDING_OUTGOING)).toBe('-6.00');
    const f = post(l, instruction('card', 'settlement', { amount: '1.00', final: true }));
    expect(postingsOf(f)).toEqual([
      'Cr alice PENDING_OUTGOING 600',
      'Dr bank PENDING_OUTGOING 600',
      'Dr alice COMMITTED 100',
      'Cr bank COMMITTED 100',
    ]);
    expect(l.balance('alice')).toBe('15.00');
    expect(l.balance('alice', PENDING_OUTGOING)).toBe('0.00');
    expect(l.transaction('card')).toMatchObject({
      status: 'CLOSED',
      authorised: 1000n,
      settled: 500n,
      pending: 0n,
    });
  });

  it('authorisation adjustments change the hold either way, by delta or by replacement', () => {
    const l = ledger();
    deposit(l, '100.00');
    post(l, instruction('card', 'outbound_authorisation', targeted('10.00')));
    const up = post(l, instruction('card', 'authorisation_adjustment', { amount: '+2.50' }));
    expect(postingsOf(up)).toEqual(['Dr alice PENDING_OUTGOING 250', 'Cr bank PENDING_OUTGOING 250']);
    expect(up.instructions[0]?.resolved).toMatchObject({ delta: 250n, authorised: 1250n });
    const down = post(l, instruction('card', 'authorisation_adjustment', { amount: '-5' }));
    expect(postingsOf(down)).toEqual(['Cr alice PENDING_OUTGOING 500', 'Dr bank PENDING_OUTGOING 500']);
    const replaced = post(
      l,
      instruction('card', 'authorisation_adjustment', { replacement_amount: '20.00' }),
    );
    expect(postingsOf(replaced)).toEqual(['Dr alice PENDING_OUTGOING 1250', 'Cr bank PENDING_OUTGOING 1250']);
    expect(l.balance('alice', PENDING_OUTGOING)).toBe('-20.00');
    expect(l.transaction('card')).toMatchObject({ authorised: 2000n, pending: 2000n, status: 'AUTHORISED' });
  });

  it('adjusts an inbound authorisation on PENDING_INCOMING', () => {
    const l = ledger();
    post(l, instruction('in', 'inbound_authorisation', targeted('10.00')));
    const d = post(l, instruction('in', 'authorisation_adjustment', { amount: '-4.00' }));
    expect(postingsOf(d)).toEqual(['Dr alice PENDING_INCOMING 400', 'Cr bank PENDING_INCOMING 400']);
    expect(l.balance('alice', PENDING_INCOMING)).toBe('6.00');
  });

  it('release gives back what remains of the hold and closes the transaction', () => {
    const l = ledger();
    deposit(l, '10.00');
    post(l, instruction('card', 'outbound_authorisation', targeted('8.00')));
    post(l, instruction('card', 'settlement', { amount: '3.00' }));
    const r = post(l, instruction('card', 'release', {}));
    expect(postingsOf(r)).toEqual(['Cr alice PENDING_OUTGOING 500', 'Dr bank PENDING_OUTGOING 500']);
    expect(l.balance('alice')).toBe('7.00');
    expect(l.balance('alice', PENDING_OUTGOING)).toBe('0.00');
    expect(l.transaction('card')).toMatchObject({ status: 'CLOSED', pending: 0n });
  });

  it('releases an inbound authorisation', () => {
    const l = ledger();
    post(l, instruction('in', 'inbound_authorisation', targeted('3.00')));
    const r = post(l, instruction('in', 'release', {}));
    expect(postingsOf(r)).toEqual(['Dr alice PENDING_INCOMING 300', 'Cr bank PENDING_INCOMING 300']);
  });

  it('transfer debits the debtor and credits the creditor, COMMITTED', () => {
    const l = ledger();
    deposit(l, '1.00');
    const d = post(l, instruction('t', 'transfer', transfer('0.40', 'alice', 'bob')));
    expect(postingsOf(d)).toEqual(['Dr alice COMMITTED 40', 'Cr bob COMMITTED 40']);
    expect([l.balance('alice'), l.balance('bob')]).toEqual(['0.60', '0.40']);
    expect(l.transaction('t')).toMatchObject({ kind: 'TRANSFER', status: 'CLOSED' });
  });

  it('custom instructions post exactly what they say, with addresses and assets', () => {
    const l = ledger();
    const d = post(
      l,
      instruction('c', 'custom_instruction', {
        postings: [
          {
            credit: true,
            amount: '1.00',
            denomination: 'GBP',
            account_id: 'alice',
            account_address: 'INTEREST',
            phase: 'POSTING_PHASE_COMMITTED',
          },
          {
            credit: false,
            amount: '1.00',
            denomination: 'GBP',
            account_id: 'bank',
            phase: 'POSTING_PHASE_COMMITTED',
          },
        ],
      }),
    );
    expect(d.status).toBe('ACCEPTED');
    expect(d.instructions[0]?.postings[0]).toMatchObject({
      accountAddress: 'INTEREST',
      asset: 'COMMERCIAL_BANK_MONEY',
    });
    expect(l.balance('alice')).toBe('0.00');
    expect(d.balanceChanges.map((c) => c.dimension.accountAddress).sort()).toEqual(['DEFAULT', 'INTEREST']);
    // Further custom instructions may join the same client transaction.
    expect(post(l, instruction('c', 'custom_instruction', { postings: balancedCustom() })).status).toBe(
      'ACCEPTED',
    );
    expect(l.balance('alice')).toBe('1.00');
  });

  it('applies the tside: LIABILITY is credits minus debits, ASSET debits minus credits', () => {
    const l = ledger();
    post(l, instruction('x', 'inbound_hard_settlement', targeted('10.00', 'alice', 'bank-liability')));
    expect(l.balance('alice')).toBe('10.00');
    expect(l.balance('bank-liability')).toBe('-10.00');
    post(l, instruction('draw', 'outbound_hard_settlement', targeted('250.00', 'loan', 'bank-liability')));
    // An outbound on an ASSET account raises its balance: no available-balance check applies.
    expect(l.balance('loan')).toBe('250.00');
  });

  it('is exact: 0.10 three times is 0.30, and amounts beyond 2^53 minor units add up exactly', () => {
    const l = ledger();
    for (const id of ['a', 'b', 'c']) deposit(l, '0.10', 'alice', id);
    expect(l.balance('alice')).toBe('0.30');
    deposit(l, '90071992547409.93', 'bob', 'big1');
    deposit(l, '90071992547409.93', 'bob', 'big2');
    expect(l.balance('bob')).toBe('180143985094819.86');
  });

  it('applies instructions in order within a batch: authorise and settle together', () => {
    const l = ledger();
    deposit(l, '5.00');
    const d = post(
      l,
      instruction('card', 'outbound_authorisation', targeted('5.00')),
      instruction('card', 'settlement', { final: true }),
    );
    expect(d.status).toBe('ACCEPTED');
    expect(l.balance('alice')).toBe('0.00');
    expect(l.balance('alice', PENDING_OUTGOING)).toBe('0.00');
    expect(d.balanceChanges.length).toBe(4);
  });
});

describe('posting engine: rules and rejections', () => {
  it('rule 2: accounts must exist and be open; customer accounts must permit the denomination', () => {
    const l = ledger();
    expect(
      violations(post(l, instruction('a', 'inbound_hard_settlement', targeted('1', 'ghost', 'nobank')))),
    ).toEqual([
      ['ACCOUNT_VIOLATION_ACCOUNT_NOT_PRESENT:ghost', 'ACCOUNT_VIOLATION_ACCOUNT_NOT_PRESENT:nobank'],
    ]);
    expect(
      violations(post(l, instruction('b', 'inbound_hard_settlement', targeted('1', 'pending')))),
    ).toEqual([['ACCOUNT_VIOLATION_ACCOUNT_STATUS_INVALID:pending']]);
    expect(violations(post(l, instruction('c', 'inbound_hard_settlement', targeted('1', 'closed'))))).toEqual(
      [['ACCOUNT_VIOLATION_ACCOUNT_STATUS_INVALID:closed']],
    );
    expect(violations(post(l, instruction('d', 'inbound_hard_settlement', targeted('1', 'euro'))))).toEqual([
      ['ACCOUNT_VIOLATION_UNSUPPORTED_DENOMINATION:euro'],
    ]);
    // Internal accounts take any denomination.
    expect(
      post(l, instruction('e', 'inbound_hard_settlement', { ...targeted('1', 'euro'), denomination: 'EUR' }))
        .status,
    ).toBe('ACCEPTED');
  });

  it('rule 4: client transaction lifecycle violations', () => {
    const l = ledger();
    deposit(l, '50.00', 'alice', 'hs');
    expect(violations(post(l, instruction('hs', 'inbound_hard_settlement', targeted('1'))))).toEqual([
      ['POSTING_VIOLATION_CLIENT_TRANSACTION_ALREADY_EXISTS'],
    ]);
    expect(violations(post(l, instruction('hs', 'transfer', transfer('1', 'alice', 'bob'))))).toEqual([
      ['POSTING_VIOLATION_CLIENT_TRANSACTION_ALREADY_EXISTS'],
    ]);
    expect(violations(post(l, instruction('hs', 'settlement', {})))).toEqual([
      ['POSTING_VIOLATION_CLIENT_TRANSACTION_CLOSED'],
    ]);
    expect(violations(post(l, instruction('none', 'release', {})))).toEqual([
      ['POSTING_VIOLATION_CLIENT_TRANSACTION_DOES_NOT_EXIST'],
    ]);
    expect(violations(post(l, instruction('none', 'authorisation_adjustment', { amount: '1' })))).toEqual([
      ['POSTING_VIOLATION_CLIENT_TRANSACTION_DOES_NOT_EXIST'],
    ]);
    post(l, instruction('auth', 'outbound_authorisation', targeted('10.00')));
    expect(violations(post(l, instruction('auth', 'outbound_authorisation', targeted('1'))))).toEqual([
      ['POSTING_VIOLATION_CLIENT_TRANSACTION_ALREADY_EXISTS'],
    ]);
    expect(
      violations(post(l, instruction('auth', 'authorisation_adjustment', { amount: '-10.01' }))),
    ).toEqual([['POSTING_VIOLATION_ADJUSTMENT_YIELDS_AUTHORISATION_WITH_NEGATIVE_AMOUNT']]);
    expect(violations(post(l, instruction('auth', 'settlement', { amount: '10.01' })))).toEqual([
      ['POSTING_VIOLATION_SETTLEMENT_EXCEEDS_AUTHORISATION'],
    ]);
    expect(post(l, instruction('auth', 'settlement', { amount: '2.00' })).status).toBe('ACCEPTED');
    // Once settling, no more adjustments.
    expect(violations(post(l, instruction('auth', 'authorisation_adjustment', { amount: '1' })))).toEqual([
      ['POSTING_VIOLATION_CLIENT_TRANSACTION_INVALID_OPERATION'],
    ]);
    expect(
      violations(post(l, instruction('auth', 'custom_instruction', { postings: balancedCustom() }))),
    ).toEqual([['POSTING_VIOLATION_CLIENT_TRANSACTION_INVALID_OPERATION']]);
    expect(post(l, instruction('auth', 'release', {})).status).toBe('ACCEPTED');
    for (const type of ['release', 'settlement']) {
      expect(violations(post(l, instruction('auth', type, {})))).toEqual([
        ['POSTING_VIOLATION_CLIENT_TRANSACTION_CLOSED'],
      ]);
    }
    post(l, instruction('cust', 'custom_instruction', { postings: balancedCustom() }));
    expect(violations(post(l, instruction('cust', 'settlement', {})))).toEqual([
      ['POSTING_VIOLATION_CLIENT_TRANSACTION_INVALID_OPERATION'],
    ]);
    expect(violations(post(l, instruction('cust', 'inbound_authorisation', targeted('1'))))).toEqual([
      ['POSTING_VIOLATION_CLIENT_TRANSACTION_ALREADY_EXISTS'],
    ]);
  });

  it('rule 4: an advice settlement may settle more than authorised; it commits all and releases the hold', () => {
    const l = ledger();
    deposit(l, '5.00');
    post(l, instruction('card', 'outbound_authorisation', targeted('5.00')));
    const d = post(l, instruction('card', 'settlement', { amount: '7.00', advice: true }));
    expect(postingsOf(d)).toEqual([
      'Cr alice PENDING_OUTGOING 500',
      'Dr bank PENDING_OUTGOING 500',
      'Dr alice COMMITTED 700',
      'Cr bank COMMITTED 700',
    ]);
    expect(l.balance('alice')).toBe('-2.00');
    expect(l.transaction('card')).toMatchObject({
      status: 'SETTLING',
      settled: 700n,
      pending: 0n,
      authorised: 500n,
    });
  });

  it('rule 5: outbound instructions may not take available below zero unless they are advice', () => {
    const l = ledger();
    deposit(l, '10.00');
    expect(violations(post(l, instruction('o1', 'outbound_hard_settlement', targeted('10.01'))))).toEqual([
      ['ACCOUNT_VIOLATION_INSUFFICIENT_FUNDS:alice'],
    ]);
    expect(violations(post(l, instruction('o2', 'outbound_authorisation', targeted('10.01'))))).toEqual([
      ['ACCOUNT_VIOLATION_INSUFFICIENT_FUNDS:alice'],
    ]);
    expect(violations(post(l, instruction('o3', 'transfer', transfer('10.01', 'alice', 'bob'))))).toEqual([
      ['ACCOUNT_VIOLATION_INSUFFICIENT_FUNDS:alice'],
    ]);
    expect(post(l, instruction('o4', 'outbound_authorisation', targeted('9.00'))).status).toBe('ACCEPTED');
    expect(violations(post(l, instruction('o4', 'authorisation_adjustment', { amount: '1.01' })))).toEqual([
      ['ACCOUNT_VIOLATION_INSUFFICIENT_FUNDS:alice'],
    ]);
    expect(
      post(l, instruction('o4', 'authorisation_adjustment', { amount: '1.01', advice: true })).status,
    ).toBe('ACCEPTED');
    expect(
      post(
        l,
        instruction('o5', 'outbound_hard_settlement', targeted('3.00', 'alice', 'bank', { advice: true })),
      ).status,
    ).toBe('ACCEPTED');
    // Available is now 10.00 - 10.01 (hold) - 3.00 = -3.01; a further outbound is refused, an inbound is not.
    expect(violations(post(l, instruction('o6', 'outbound_hard_settlement', targeted('0.01'))))).toEqual([
      ['ACCOUNT_VIOLATION_INSUFFICIENT_FUNDS:alice'],
    ]);
    expect(post(l, instruction('i1', 'inbound_hard_settlement', targeted('0.01'))).status).toBe('ACCEPTED');
    // Internal accounts have no available-balance check.
    expect(
      post(l, instruction('o7', 'outbound_hard_settlement', targeted('1.00', 'bank-liability', 'bank')))
        .status,
    ).toBe('ACCEPTED');
  });

  it('rule 5 counts earlier instructions of the same batch', () => {
    const l = ledger();
    deposit(l, '10.00');
    const d = post(
      l,
      instruction('a', 'outbound_hard_settlement', targeted('6.00')),
      instruction('b', 'outbound_hard_settlement', targeted('6.00')),
    );
    expect(violations(d)).toEqual([[], ['ACCOUNT_VIOLATION_INSUFFICIENT_FUNDS:alice']]);
    expect(d.status).toBe('REJECTED');
  });

  it('rule 6: backdating is allowed, but not into the future nor before an account opened', () => {
    const l = ledger();
    const at = (t: number) => ({ value_timestamp: formatTimestamp(t) });
    const back = l.post(
      batchBody([instruction('b1', 'inbound_hard_settlement', targeted('1'))], at(T0 + 1000)),
    );
    expect(back).toMatchObject({ status: 'ACCEPTED', valueTime: T0 + 1000, insertionTime: l.now });
    const future = l.post(
      batchBody([instruction('f1', 'inbound_hard_settlement', targeted('1'))], at(l.now + 1)),
    );
    expect(violations(future)).toEqual([['POSTING_VIOLATION_VALUE_TIMESTAMP_IN_FUTURE']]);
    const early = l.post(
      batchBody([instruction('e1', 'inbound_hard_settlement', targeted('1', 'late'))], at(T0 + 1000)),
    );
    expect(violations(early)).toEqual([['ACCOUNT_VIOLATION_VALUE_TIMESTAMP_BEFORE_OPENING:late']]);
    expect(
      l.post(
        batchBody([instruction('e2', 'inbound_hard_settlement', targeted('1', 'late'))], at(T0 + 3_600_000)),
      ).status,
    ).toBe('ACCEPTED');
  });

  it('rule 4: instructions on a client transaction may not go back in value time', () => {
    const l = ledger();
    const at = (t: number) => ({ value_timestamp: formatTimestamp(t) });
    l.post(batchBody([instruction('auth', 'inbound_authorisation', targeted('5'))], at(T0 + 5000)));
    const before = l.post(batchBody([instruction('auth', 'settlement', {})], at(T0 + 4999)));
    expect(violations(before)).toEqual([['POSTING_VIOLATION_CLIENT_TRANSACTION_INVALID_OPERATION']]);
    expect(l.post(batchBody([instruction('auth', 'settlement', {})], at(T0 + 5000))).status).toBe('ACCEPTED');
  });

  it('keeps every balance total within 2^63 - 1 minor units (a violation, not an overflow)', () => {
    const l = ledger();
    const max = '92233720368547758.07';
    deposit(l, max, 'alice', 'm1');
    const d = post(l, instruction('m2', 'inbound_hard_settlement', targeted('0.01')));
    expect(violations(d)).toEqual([['POSTING_VIOLATION_BALANCE_OUT_OF_RANGE']]);
    expect(l.balance('alice')).toBe(max);
  });

  it('a rejected batch changes nothing, and reports violations on every instruction that has one', () => {
    const l = ledger();
    deposit(l, '10.00');
    const before = {
      balances: new Map(l.balances),
      postings: l.postings.length,
      txs: new Map(l.transactions),
    };
    const d = post(
      l,
      instruction('ok', 'transfer', transfer('1.00', 'alice', 'bob')),
      instruction('bad', 'release', {}),
      instruction('bad2', 'inbound_hard_settlement', targeted('1', 'closed')),
    );
    expect(d.status).toBe('REJECTED');
    expect(violations(d)).toEqual([
      [],
      ['POSTING_VIOLATION_CLIENT_TRANSACTION_DOES_NOT_EXIST'],
      ['ACCOUNT_VIOLATION_ACCOUNT_STATUS_INVALID:closed'],
    ]);
    expect(d.instructions.every((o) => o.postings.length === 0)).toBe(true);
    expect(d.balanceChanges).toEqual([]);
    expect(d.clientTransactions).toEqual([]);
    expect(l.balances).toEqual(before.balances);
    expect(l.postings.length).toBe(before.postings);
    expect(l.transactions).toEqual(before.txs);
    // The client transaction id of the rejected transfer is still free.
    expect(post(l, instruction('ok', 'transfer', transfer('1.00', 'alice', 'bob'))).status).toBe('ACCEPTED');
  });

  it('a settlement amount finer than the transaction denomination is a malformed request (400)', () => {
    const l = new MemoryLedger([customer('yen', { permittedDenominations: ['JPY'] }), internal('bank')]);
    l.post(
      batchBody([
        instruction('auth', 'inbound_authorisation', { ...targeted('100', 'yen'), denomination: 'JPY' }),
      ]),
    );
    expect(() => l.post(batchBody([instruction('auth', 'settlement', { amount: '1.5' })]))).toThrow(
      LedgerInputError,
    );
    try {
      l.post(batchBody([instruction('auth', 'settlement', { amount: '1.5' })]));
    } catch (e) {
      expect(e).toMatchObject({
        code: 'AMOUNT_PRECISION',
        fieldViolations: [{ field: 'posting_instruction_batch.posting_instructions[0].settlement.amount' }],
      });
    }
  });

  it('keeps stored totals equal to a recompute from the postings', () => {
    const l = ledger();
    deposit(l, '100.00');
    post(l, instruction('c', 'outbound_authorisation', targeted('30.00')));
    post(l, instruction('c', 'authorisation_adjustment', { amount: '5.00' }));
    post(l, instruction('c', 'settlement', { amount: '10.00' }));
    post(l, instruction('c', 'settlement', { amount: '1.00', final: true }));
    post(l, instruction('t', 'transfer', transfer('12.34', 'alice', 'bob')));
    expect(l.drift()).toEqual([]);
    expect(l.balance('alice')).toBe('76.66');
  });
});

describe('the double-entry invariant', () => {
  const p = (credit: boolean, amount: bigint, phase: Phase = COMMITTED): Posting => ({
    credit,
    amount,
    accountId: credit ? 'a' : 'b',
    accountAddress: 'DEFAULT',
    asset: 'COMMERCIAL_BANK_MONEY',
    denomination: 'GBP',
    phase,
  });

  it('passes balanced postings and stops unbalanced or non-positive ones as a bug', () => {
    expect(() => assertBalanced([p(true, 5n), p(false, 5n)])).not.toThrow();
    expect(() => assertBalanced([p(true, 5n), p(false, 4n)])).toThrow(LedgerInvariantError);
    expect(() => assertBalanced([p(true, 5n), p(false, 5n, PENDING_INCOMING)])).toThrow(
      /does not net to zero/,
    );
    expect(() => assertBalanced([p(true, 0n), p(false, 0n)])).toThrow(/not positive/);
  });
});

function balancedCustom(): Json[] {
  return [
    {
      credit: true,
      amount: '1.00',
      denomination: 'GBP',
      account_id: 'alice',
      phase: 'POSTING_PHASE_COMMITTED',
    },
    {
      credit: false,
      amount: '1.00',
      denomination: 'GBP',
      account_id: 'bank',
      phase: 'POSTING_PHASE_COMMITTED',
    },
  ];
}
