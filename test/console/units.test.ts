/** The console's pure parts: the SSE parser, as-of balances, event lines. */
import { describe, expect, it } from 'vitest';
import { balancesAsOf, phaseLabel, type Balance } from '../../console/src/balances.js';
import { describeEvent, shortTopic } from '../../console/src/describe.js';
import { SseParser } from '../../console/src/sse.js';

describe('SseParser', () => {
  it('returns whole events however the text is split, dropping comments and keep-alives', () => {
    const text =
      ': connected\n\nid: 7\nevent: t.one\ndata: {"a":1}\n\n: keep-alive\n\nid: 8\nevent: t.two\ndata: x\ndata: y\n\n';
    for (const size of [1, 2, 3, 5, 8, 13, text.length]) {
      const p = new SseParser();
      const out = [];
      for (let i = 0; i < text.length; i += size) out.push(...p.push(text.slice(i, i + size)));
      expect(out, `chunks of ${size}`).toEqual([
        { id: '7', event: 't.one', data: '{"a":1}' },
        { id: '8', event: 't.two', data: 'x\ny' },
      ]);
    }
  });

  it('accepts CRLF and CR line ends, and keeps the last id for later events', () => {
    const p = new SseParser();
    expect(p.push('id: 3\r\ndata: a\r\n\r\ndata: b\r\r\n')).toEqual([
      { id: '3', event: 'message', data: 'a' },
      { id: '3', event: 'message', data: 'b' },
    ]);
  });

  it('holds an event until its blank line arrives', () => {
    const p = new SseParser();
    expect(p.push('data: half')).toEqual([]);
    expect(p.push('\n')).toEqual([]);
    expect(p.push('\n')).toEqual([{ id: undefined, event: 'message', data: 'half' }]);
  });
});

function balance(phase: string, amount: string, valueTime: string, address = 'DEFAULT'): Balance {
  return {
    id: `${valueTime}:${phase}`,
    account_id: 'a',
    account_address: address,
    phase: `POSTING_PHASE_${phase}`,
    asset: 'COMMERCIAL_BANK_MONEY',
    denomination: 'GBP',
    posting_instruction_batch_id: 'b',
    value_time: valueTime,
    amount,
    total_debit: '0.00',
    total_credit: amount,
  };
}

describe('balancesAsOf', () => {
  const values = [
    balance('COMMITTED', '100.00', '2026-01-01T10:00:00.000Z'),
    balance('PENDING_OUTGOING', '-10.00', '2026-01-01T11:00:00.000Z'),
    balance('COMMITTED', '74.50', '2026-01-02T10:00:00.000Z'),
    balance('COMMITTED', '0.000000000000000001', '2026-01-01T12:00:00.000Z', 'INTEREST'),
  ];

  it('takes the last value at or before the time per dimension, amounts untouched', () => {
    expect(
      balancesAsOf(values, '2026-01-01T12:00:00.000Z').map((b) => [b.account_address, b.phase, b.amount]),
    ).toEqual([
      ['DEFAULT', 'POSTING_PHASE_COMMITTED', '100.00'],
      ['DEFAULT', 'POSTING_PHASE_PENDING_OUTGOING', '-10.00'],
      ['INTEREST', 'POSTING_PHASE_COMMITTED', '0.000000000000000001'],
    ]);
    expect(balancesAsOf(values, '2026-01-02T10:00:00.000Z')[0]!.amount).toBe('74.50');
    expect(balancesAsOf(values, '2025-12-31T00:00:00.000Z')).toEqual([]);
  });

  it('labels phases for people', () => {
    expect(phaseLabel('POSTING_PHASE_PENDING_OUTGOING')).toBe('pending outgoing');
  });
});

describe('describeEvent', () => {
  it('tells what a batch moved, with the amounts as given', () => {
    const line = describeEvent({
      sequence: 1,
      topic: 'vault.core_api.v1.postings.posting_instruction_batch.created',
      key: 'b1',
      timestamp: '2026-01-01T00:00:00.000Z',
      payload: {
        posting_instruction_batch: {
          status: 'POSTING_INSTRUCTION_BATCH_STATUS_ACCEPTED',
          posting_instructions: [
            {
              committed_postings: [
                { credit: false, amount: '25.50', denomination: 'GBP', account_id: 'alice' },
                { credit: true, amount: '25.50', denomination: 'GBP', account_id: 'bob' },
              ],
            },
          ],
        },
      },
    });
    expect(line).toBe('batch accepted: −25.50 GBP alice, +25.50 GBP bob');
    expect(shortTopic('vault.core_api.v1.balances.account_balance.events')).toBe('account_balance.events');
  });
});
