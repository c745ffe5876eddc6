import { describe, expect, it } from 'vitest';
import { LedgerInputError } from '../../src/ledger/errors.js';
import { parseJson } from '../../src/ledger/json.js';
import { Denominations } from '../../src/ledger/money.js';
import { MAX_INSTRUCTIONS, parseBatchRequest } from '../../src/ledger/request.js';
import { batchBody, instruction, targeted, transfer, type Json } from './helpers.js';

const denominations = Denominations.fromSettings(['USDC=6']);
const P = 'posting_instruction_batch.posting_instructions[0]';

function parse(text: string) {
  return parseBatchRequest(parseJson(text), denominations);
}

function inputError(text: string): { code: string; field: string; description: string } {
  try {
    parse(text);
  } catch (e) {
    if (!(e instanceof LedgerInputError)) throw e;
    const v = e.fieldViolations[0];
    return { code: e.code, field: v?.field ?? '', description: v?.description ?? '' };
  }
  throw new Error('parsed');
}

function one(type: string, fields: Json): string {
  return batchBody([instruction('tx1', type, fields)]);
}

describe('posting instruction batch requests', () => {
  it('parses every instruction type into exact minor units', () => {
    const r = parse(
      batchBody(
        [
          instruction('a', 'inbound_hard_settlement', targeted('10.05')),
          instruction('b', 'outbound_hard_settlement', targeted('1', 'alice', 'bank', { advice: true })),
          instruction(
            'c',
            'inbound_authorisation',
            targeted('2.50', 'alice', 'bank', { target_account_address: 'SAVINGS' }),
          ),
          instruction('d', 'outbound_authorisation', targeted('3', 'alice', 'bank', { asset: 'GOLD' })),
          instruction('d', 'authorisation_adjustment', { amount: '-1.25' }),
          instruction('d', 'authorisation_adjustment', { replacement_amount: '4.00', advice: true }),
          instruction('d', 'settlement', { amount: '1.00', final: false }),
          instruction('c', 'settlement', {}),
          instruction('d', 'release', {}),
          instruction('e', 'transfer', transfer('0.10', 'alice', 'bob')),
          instruction('f', 'custom_instruction', {
            postings: [
              {
                credit: true,
                amount: '5',
                denomination: 'GBP',
                account_id: 'alice',
                phase: 'POSTING_PHASE_COMMITTED',
              },
              {
                credit: false,
                amount: '5.00',
                denomination: 'GBP',
                account_id: 'bank',
                account_address: 'X',
                asset: 'A',
                phase: 'POSTING_PHASE_COMMITTED',
              },
              {
                credit: true,
                amount: '5',
                denomination: 'GBP',
                account_id: 'bank',
                account_address: 'Y',
                asset: 'A',
                phase: 'POSTING_PHASE_COMMITTED',
              },
              {
                credit: false,
                amount: '5',
                denomination: 'GBP',
                account_id: 'alice',
                phase: 'POSTING_PHASE_COMMITTED',
              },
            ],
          }),
        ],
        { value_timestamp: '2024-01-01T00:00:00Z', batch_details: { note: 'x' } },
        'r-1',
      ),
    );
    expect(r).toMatchObject({
      requestId: 'r-1',
      clientId: 'client',
      clientBatchId: 'cb',
      valueTime: Date.UTC(2024, 0, 1),
      batchDetails: { note: 'x' },
    });
    const i = r.instructions.map((x) => x.instruction);
    expect(i[0]).toEqual({
      type: 'inbound_hard_settlement',
      amount: 1005n,
      denomination: 'GBP',
      targetAccountId: 'alice',
      internalAccountId: 'bank',
      accountAddress: 'DEFAULT',
      asset: 'COMMERCIAL_BANK_MONEY',
      advice: false,
    });
    expect(i[1]).toMatchObject({ amount: 100n, advice: true });
    expect(i[2]).toMatchObject({ amount: 250n, accountAddress: 'SAVINGS' });
    expect(i[3]).toMatchObject({ amount: 300n, asset: 'GOLD' });
    expect(i[4]).toMatchObject({
      type: 'authorisation_adjustment',
      change: { kind: 'delta', text: '-1.25', amount: { negative: true, digits: 125n, scale: 2 } },
    });
    expect(i[5]).toMatchObject({ change: { kind: 'replacement', text: '4.00' }, advice: true });
    expect(i[6]).toMatchObject({ type: 'settlement', amount: { text: '1.00' }, final: false, advice: false });
    expect(i[7]).toEqual({ type: 'settlement', amount: null, final: false, advice: false });
    expect(i[8]).toEqual({ type: 'release' });
    expect(i[9]).toEqual({
      type: 'transfer',
      amount: 10n,
      denomination: 'GBP',
      debtorAccountId: 'alice',
      creditorAccountId: 'bob',
    });
    expect(i[10]).toMatchObject({
      type: 'custom_instruction',
      postings: [
        { credit: true, amount: 500n, accountAddress: 'DEFAULT' },
        { amount: 500n, accountAddress: 'X', asset: 'A' },
        {},
        {},
      ],
    });
  });

  it('accepts target_account_id beside (or instead of) target_account when they agree', () => {
    const r = parse(
      one('inbound_hard_settlement', {
        amount: '1',
        denomination: 'GBP',
        target_account_id: 'alice',
        internal_account_id: 'bank',
      }),
    );
    expect(r.instructions[0]?.instruction).toMatchObject({ targetAccountId: 'alice' });
    expect(
      inputError(
        one('inbound_hard_settlement', targeted('1', 'alice', 'bank', { target_account_id: 'bob' })),
      ),
    ).toMatchObject({
      code: 'INVALID_ARGUMENT',
      field: `${P}.inbound_hard_settlement.target_account_id`,
    });
  });

  it('refuses a JSON number where an amount is expected, naming the field', () => {
    const text = one('transfer', transfer('x', 'alice', 'bob')).replace('"amount":"x"', '"amount":12.34');
    expect(inputError(text)).toEqual({
      code: 'INVALID_AMOUNT',
      field: `${P}.transfer.amount`,
      description:
        'must be a decimal string like "12.34", got the JSON number 12.34; write it as a string: "12.34"',
    });
    const custom = batchBody([
      instruction('t', 'custom_instruction', {
        postings: [
          { credit: true, amount: 1, denomination: 'GBP', account_id: 'a', phase: 'POSTING_PHASE_COMMITTED' },
        ],
      }),
    ]);
    expect(inputError(custom)).toMatchObject({
      code: 'INVALID_AMOUNT',
      field: `${P}.custom_instruction.postings[0].amount`,
    });
    expect(inputError(one('settlement', { amount: 5 }))).toMatchObject({
      code: 'INVALID_AMOUNT',
      field: `${P}.settlement.amount`,
    });
    expect(inputError(one('authorisation_adjustment', { amount: -5 }))).toMatchObject({
      code: 'INVALID_AMOUNT',
    });
  });

  it.each([
    [targeted('1.234'), 'AMOUNT_PRECISION', 'GBP has 2 decimal places'],
    [{ ...targeted('1.5'), denomination: 'JPY' }, 'AMOUNT_PRECISION', 'JPY has 0 decimal places'],
    [{ ...targeted('0.0000001'), denomination: 'USDC' }, 'AMOUNT_PRECISION', 'USDC has 6'],
    [targeted('-1.00'), 'INVALID_AMOUNT', 'must be unsigned'],
    [targeted('0'), 'INVALID_AMOUNT', 'must be positive'],
    [targeted('0.00'), 'INVALID_AMOUNT', 'must be positive'],
    [targeted('1e3'), 'INVALID_AMOUNT', 'is not a decimal string'],
    [targeted(''), 'INVALID_AMOUNT', 'is not a decimal string'],
    [{ ...targeted('1'), amount: true }, 'INVALID_AMOUNT', 'got true'],
    [{ ...targeted('1'), amount: null }, 'INVALID_AMOUNT', 'is required'],
    [{ ...targeted('1'), amount: undefined }, 'INVALID_AMOUNT', 'is required'],
    [targeted('92233720368547758.08'), 'INVALID_AMOUNT', "beyond the ledger's range"],
  ])('refuses the amount of %j (%s)', (fields, code, description) => {
    const e = inputError(one('inbound_hard_settlement', fields));
    expect(e.code).toBe(code);
    expect(e.field).toBe(`${P}.inbound_hard_settlement.amount`);
    expect(e.description).toContain(description);
  });

  it('accepts amounts beyond 2^53 minor units exactly', () => {
    const r = parse(one('inbound_hard_settlement', targeted('90071992547409.93')));
    expect(r.instructions[0]?.instruction).toMatchObject({ amount: 9007199254740993n });
  });

  it.each([
    [{ ...targeted('1'), denomination: 'gbp' }, 'not a denomination code'],
    [{ ...targeted('1'), denomination: 'POINTS' }, 'start the server with --denomination POINTS=EXPONENT'],
    [{ ...targeted('1'), denomination: 7 }, 'must be a string, got the JSON number 7'],
  ])('refuses the denomination of %j', (fields, description) => {
    const e = inputError(one('inbound_hard_settlement', fields));
    expect(e).toMatchObject({ code: 'INVALID_ARGUMENT', field: `${P}.inbound_hard_settlement.denomination` });
    expect(e.description).toContain(description);
  });

  it('refuses custom postings that do not net to zero per denomination, asset and phase', () => {
    const p = (credit: boolean, amount: string, phase = 'POSTING_PHASE_COMMITTED', asset?: string): Json => ({
      credit,
      amount,
      denomination: 'GBP',
      account_id: credit ? 'a' : 'b',
      phase,
      ...(asset ? { asset } : {}),
    });
    const cases = [
      [p(true, '1.00'), p(false, '0.99')],
      [p(true, '1.00')],
      [p(true, '1.00'), p(false, '1.00', 'POSTING_PHASE_PENDING_INCOMING')],
      [p(true, '1.00'), p(false, '1.00', 'POSTING_PHASE_COMMITTED', 'GOLD')],
    ];
    for (const postings of cases) {
      const e = inputError(one('custom_instruction', { postings }));
      expect(e).toMatchObject({ code: 'UNBALANCED_POSTINGS', field: `${P}.custom_instruction.postings` });
    }
  });

  it('refuses an instruction with no type, an unknown type, or two types', () => {
    expect(inputError(batchBody([{ client_transaction_id: 'x', wire_transfer: {} }]))).toMatchObject({
      code: 'INVALID_ARGUMENT',
      field: P,
      description: expect.stringContaining('(unknown: wire_transfer)'),
    });
    expect(inputError(batchBody([{ client_transaction_id: 'x' }])).description).toMatch(
      /^needs exactly one instruction/,
    );
    expect(
      inputError(batchBody([{ client_transaction_id: 'x', release: {}, settlement: {} }])).description,
    ).toBe('has 2 instructions (settlement, release); give exactly one');
  });

  it.each([
    ['request_id', (b: Json) => delete b.request_id, 'request_id', 'is required'],
    [
      'client_id',
      (b: Json) => delete (b.posting_instruction_batch as Json).client_id,
      'posting_instruction_batch.client_id',
      'is required',
    ],
    [
      'empty client_id',
      (b: Json) => ((b.posting_instruction_batch as Json).client_id = ''),
      'posting_instruction_batch.client_id',
      'must not be empty',
    ],
    [
      'client_transaction_id',
      (b: Json) =>
        delete ((b.posting_instruction_batch as Json).posting_instructions as Json[])[0]!
          .client_transaction_id,
      `${P}.client_transaction_id`,
      'is required',
    ],
    [
      'control characters in an id',
      (b: Json) => ((b.posting_instruction_batch as Json).client_id = 'a\u0000b'),
      'posting_instruction_batch.client_id',
      'control characters',
    ],
    [
      'a long id',
      (b: Json) => ((b.posting_instruction_batch as Json).client_id = 'x'.repeat(257)),
      'posting_instruction_batch.client_id',
      'at most 256',
    ],
    [
      'no instructions',
      (b: Json) => ((b.posting_instruction_batch as Json).posting_instructions = []),
      'posting_instruction_batch.posting_instructions',
      'at least 1',
    ],
    [
      'too many instructions',
      (b: Json) =>
        ((b.posting_instruction_batch as Json).posting_instructions = Array(MAX_INSTRUCTIONS + 1).fill(
          instruction('t', 'release', {}),
        )),
      'posting_instruction_batch.posting_instructions',
      `at most ${MAX_INSTRUCTIONS}`,
    ],
    [
      'a bad value_timestamp',
      (b: Json) => ((b.posting_instruction_batch as Json).value_timestamp = '2024-02-30T00:00:00Z'),
      'posting_instruction_batch.value_timestamp',
      'not an RFC 3339 timestamp',
    ],
    [
      'a number in details',
      (b: Json) => ((b.posting_instruction_batch as Json).batch_details = { n: 1 }),
      'posting_instruction_batch.batch_details.n',
      'must be a string',
    ],
    [
      'an unknown batch field',
      (b: Json) => ((b.posting_instruction_batch as Json).booking_timestamp = 'x'),
      'posting_instruction_batch.booking_timestamp',
      'is not a field this server accepts',
    ],
    [
      'dry_run',
      (b: Json) => ((b.posting_instruction_batch as Json).dry_run = true),
      'posting_instruction_batch.dry_run',
      'dry runs are not supported',
    ],
    ['an unknown top-level field', (b: Json) => (b.extra = 1), 'extra', 'is not a field this server accepts'],
    [
      'the batch as an array',
      (b: Json) => (b.posting_instruction_batch = []),
      'posting_instruction_batch',
      'must be a JSON object, got an array',
    ],
  ])('refuses a batch with %s, naming the field', (_name, change, field, description) => {
    const b = JSON.parse(one('release', {})) as Json;
    change(b);
    const e = inputError(JSON.stringify(b));
    expect(e.field).toBe(field);
    expect(e.description).toContain(description);
  });

  it('accepts dry_run false and leaves optional fields at their defaults', () => {
    const r = parse(batchBody([instruction('t', 'release', {})], { dry_run: false, client_batch_id: null }));
    expect(r).toMatchObject({ clientBatchId: '', valueTime: null, batchDetails: {} });
  });

  it.each([
    ['transfer', { ...transfer('1', 'alice', 'bob'), extra: 1 }, `${P}.transfer.extra`],
    ['transfer', transfer('1', 'alice', 'alice'), `${P}.transfer.creditor_target_account`],
    [
      'outbound_authorisation',
      targeted('1', 'bank', 'bank'),
      `${P}.outbound_authorisation.internal_account_id`,
    ],
    [
      'transfer',
      {
        ...transfer('1', 'alice', 'bob'),
        debtor_target_account: { account_id: 'a', payment_device_token: 't' },
      },
      `${P}.transfer.debtor_target_account.payment_device_token`,
    ],
    ['settlement', { amount: '0' }, `${P}.settlement.amount`],
    ['settlement', { final: 'yes' }, `${P}.settlement.final`],
    ['authorisation_adjustment', {}, `${P}.authorisation_adjustment.amount`],
    [
      'authorisation_adjustment',
      { amount: '1', replacement_amount: '2' },
      `${P}.authorisation_adjustment.amount`,
    ],
    ['authorisation_adjustment', { amount: '0.00' }, `${P}.authorisation_adjustment.amount`],
    [
      'authorisation_adjustment',
      { replacement_amount: '-1' },
      `${P}.authorisation_adjustment.replacement_amount`,
    ],
    ['release', { amount: '1' }, `${P}.release.amount`],
    [
      'inbound_hard_settlement',
      { ...targeted('1'), internal_account_id: undefined },
      `${P}.inbound_hard_settlement.internal_account_id`,
    ],
    [
      'inbound_hard_settlement',
      { ...targeted('1'), target_account: undefined },
      `${P}.inbound_hard_settlement.target_account`,
    ],
    [
      'custom_instruction',
      {
        postings: [
          {
            credit: 'true',
            amount: '1',
            denomination: 'GBP',
            account_id: 'a',
            phase: 'POSTING_PHASE_COMMITTED',
          },
        ],
      },
      `${P}.custom_instruction.postings[0].credit`,
    ],
    [
      'custom_instruction',
      { postings: [{ credit: true, amount: '1', denomination: 'GBP', account_id: 'a', phase: 'COMMITTED' }] },
      `${P}.custom_instruction.postings[0].phase`,
    ],
  ])('refuses a malformed %s %j', (type, fields, field) => {
    expect(inputError(one(type, fields as Json)).field).toBe(field);
  });
});
