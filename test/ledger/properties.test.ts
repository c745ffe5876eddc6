/**
 * Property-based tests of the posting engine: random lifecycles of random batches (valid, violating
 * and malformed) against an in-memory ledger. After every step: an accepted batch nets to zero per
 * (denomination, asset, phase); stored balances equal a recompute from all postings; client
 * transactions agree with their postings; a rejected or malformed batch changed nothing.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { availableBalance, unbalancedGroups } from '../../src/ledger/balances.js';
import type { BatchDecision } from '../../src/ledger/engine.js';
import { LedgerInputError } from '../../src/ledger/errors.js';
import { INSTRUCTION_TYPES } from '../../src/ledger/request.js';
import { formatMinorUnits, MAX_MINOR_UNITS } from '../../src/ledger/money.js';
import { formatTimestamp } from '../../src/ledger/time.js';
import {
  clientTransactionKey,
  COMMITTED,
  DEFAULT_ADDRESS,
  DEFAULT_ASSET,
  dimensionKey,
  PENDING_INCOMING,
  PENDING_OUTGOING,
  PHASES,
  type ClientTransaction,
} from '../../src/ledger/types.js';
import { batchBody, customer, instruction, internal, MemoryLedger, T0, type Json } from './helpers.js';

const CUSTOMERS = ['alice', 'bob', 'carol'];
const ACCOUNT_IDS = [...CUSTOMERS, 'pending', 'closed', 'euro', 'ghost', 'bank', 'bank2'];
const TX_IDS = ['t0', 't1', 't2', 't3', 't4', 't5'];

function newLedger(): MemoryLedger {
  const l = new MemoryLedger([
    customer('alice'),
    customer('bob', { permittedDenominations: ['GBP', 'EUR'] }),
    customer('carol', { tside: 'ASSET' }),
    customer('pending', { status: 'ACCOUNT_STATUS_PENDING' }),
    customer('closed', { status: 'ACCOUNT_STATUS_CLOSED' }),
    customer('euro', { permittedDenominations: ['EUR'], openingTime: T0 + 10_000 }),
    internal('bank'),
    internal('bank2', { tside: 'LIABILITY' }),
  ]);
  l.now = T0 + 1_000_000;
  return l;
}

/** Amounts: mostly small, some huge (beyond 2^53), a few with too many decimals or as JSON numbers. */
const amount = fc.oneof(
  { weight: 20, arbitrary: fc.bigInt({ min: 1n, max: 10_000n }).map((n) => formatMinorUnits(n, 2)) },
  {
    weight: 3,
    arbitrary: fc.bigInt({ min: 2n ** 53n, max: MAX_MINOR_UNITS / 4n }).map((n) => formatMinorUnits(n, 2)),
  },
  { weight: 1, arbitrary: fc.constantFrom('1.234', '0.001') },
  { weight: 1, arbitrary: fc.constant<unknown>(12.5) },
);
const account = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...CUSTOMERS) },
  { weight: 1, arbitrary: fc.constantFrom(...ACCOUNT_IDS) },
);
/** A small pool, so that lifecycles meet (settle what was authorised, reuse ids), and fresh ids. */
const txId = fc.oneof(
  fc.constantFrom(...TX_IDS),
  fc.integer({ min: 0, max: 100_000 }).map((n) => `h${n}`),
);
const denomination = fc.constantFrom('GBP', 'GBP', 'GBP', 'EUR');

function targetedInstruction(type: string, overdraft: boolean) {
  return fc
    .record({
      tx: txId,
      amount,
      target: account,
      internal: fc.constantFrom('bank', 'bank2', 'bank', 'bank2', 'ghost'),
      denomination,
      advice: overdraft ? fc.boolean() : fc.constant(false),
    })
    .map((r) =>
      instruction(r.tx, type, {
        amount: r.amount,
        denomination: r.denomination,
        target_account: { account_id: r.target },
        internal_account_id: r.internal,
        advice: r.advice,
      }),
    );
}

function instructionArb(overdraft: boolean): fc.Arbitrary<Json> {
  const customPosting = fc.record({
    account: overdraft ? account : fc.constantFrom('bank', 'bank2'),
    phase: fc.constantFrom(...PHASES),
    amount,
  });
  return fc.oneof(
    targetedInstruction('inbound_hard_settlement', overdraft),
    targetedInstruction('outbound_hard_settlement', overdraft),
    targetedInstruction('inbound_authorisation', overdraft),
    targetedInstruction('outbound_authorisation', overdraft),
    fc
      .record({
        tx: txId,
        amount,
        sign: fc.constantFrom('', '-', '+'),
        replace: fc.boolean(),
        advice: overdraft ? fc.boolean() : fc.constant(false),
      })
      .map((r) =>
        instruction(r.tx, 'authorisation_adjustment', {
          ...(r.replace
            ? { replacement_amount: r.amount }
            : { amount: typeof r.amount === 'string' ? r.sign + r.amount : r.amount }),
          advice: r.advice,
        }),
      ),
    fc
      .record({
        tx: txId,
        amount: fc.option(amount),
        final: fc.boolean(),
        advice: overdraft ? fc.boolean() : fc.constant(false),
      })
      .map((r) =>
        instruction(r.tx, 'settlement', {
          ...(r.amount === null ? {} : { amount: r.amount }),
          final: r.final,
          advice: r.advice,
        }),
      ),
    txId.map((tx) => instruction(tx, 'release', {})),
    fc.record({ tx: txId, amount, from: account, to: account, denomination }).map((r) =>
      instruction(r.tx, 'transfer', {
        amount: r.amount,
        denomination: r.denomination,
        debtor_target_account: { account_id: r.from },
        creditor_target_account: { account_id: r.to },
      }),
    ),
    // Custom instructions: balanced pairs, and sometimes an unbalanced extra posting.
    fc
      .record({
        tx: txId,
        pairs: fc.array(fc.tuple(customPosting, account), { minLength: 1, maxLength: 3 }),
        unbalanced: fc.boolean(),
      })
      .map((r) => {
        const postings = r.pairs.flatMap(([p, other]) => [
          { credit: true, amount: p.amount, denomination: 'GBP', account_id: p.account, phase: p.phase },
          {
            credit: false,
            amount: p.amount,
            denomination: 'GBP',
            account_id: overdraft ? other : 'bank',
            phase: p.phase,
          },
        ]);
        if (r.unbalanced)
          postings.push({
            credit: true,
            amount: '0.01',
            denomination: 'GBP',
            account_id: 'bank',
            phase: COMMITTED,
          });
        return instruction(r.tx, 'custom_instruction', { postings });
      }),
  );
}

const valueTime = fc.oneof(
  { weight: 6, arbitrary: fc.constant<number | null>(null) },
  { weight: 3, arbitrary: fc.integer({ min: 0, max: 1_000_000 }).map((d) => T0 + d) },
  { weight: 1, arbitrary: fc.constant(T0 + 2_000_000) },
);

function stepArb(overdraft: boolean) {
  return fc.record({
    instructions: fc.oneof(
      { weight: 3, arbitrary: fc.array(instructionArb(overdraft), { minLength: 1, maxLength: 1 }) },
      { weight: 1, arbitrary: fc.array(instructionArb(overdraft), { minLength: 2, maxLength: 3 }) },
    ),
    valueTime,
    clientId: fc.constantFrom('client', 'client', 'other'),
    advance: fc.integer({ min: 0, max: 1000 }),
  });
}

type Step = { instructions: Json[]; valueTime: number | null; clientId: string; advance: number };

function snapshotOf(l: MemoryLedger) {
  return {
    balances: new Map(l.balances),
    transactions: new Map(l.transactions),
    postings: l.postings.length,
  };
}

/** Pending and settled per client transaction, recomputed from the accepted instructions' postings. */
function recomputeTransactions(decisions: readonly BatchDecision[], clientIds: Map<BatchDecision, string>) {
  const out = new Map<string, { pending: bigint; settled: bigint }>();
  for (const d of decisions) {
    if (d.status !== 'ACCEPTED') continue;
    for (const o of d.instructions) {
      const key = clientTransactionKey(clientIds.get(d) ?? '', o.request.clientTransactionId);
      const acc = out.get(key) ?? { pending: 0n, settled: 0n };
      const type = o.request.instruction.type;
      const target =
        o.resolved?.targetAccountId ??
        ('targetAccountId' in o.request.instruction ? o.request.instruction.targetAccountId : '');
      for (const p of o.postings) {
        if (p.accountId !== target) continue;
        const signed = p.credit ? p.amount : -p.amount;
        if (p.phase === PENDING_INCOMING) acc.pending += signed;
        if (p.phase === PENDING_OUTGOING) acc.pending -= signed;
        if (p.phase === COMMITTED && type === 'settlement') acc.settled += signed < 0n ? -signed : signed;
      }
      out.set(key, acc);
    }
  }
  return out;
}

function checkTransaction(
  t: ClientTransaction,
  recomputed: { pending: bigint; settled: bigint } | undefined,
) {
  expect(t.pending >= 0n).toBe(true);
  if (t.kind === 'INBOUND_AUTHORISATION' || t.kind === 'OUTBOUND_AUTHORISATION') {
    expect(recomputed?.pending ?? 0n).toBe(t.pending);
    expect(recomputed?.settled ?? 0n).toBe(t.settled);
    if (t.status === 'CLOSED') expect(t.pending).toBe(0n);
  }
}

function runLifecycle(steps: Step[], overdraft: boolean): void {
  const l = newLedger();
  const clientIds = new Map<BatchDecision, string>();
  for (const step of steps) {
    l.now += step.advance;
    const before = snapshotOf(l);
    const batch: Json = { client_id: step.clientId };
    if (step.valueTime !== null) batch.value_timestamp = formatTimestamp(step.valueTime);
    let decision: BatchDecision;
    try {
      decision = l.post(batchBody(step.instructions, batch));
    } catch (e) {
      expect(e).toBeInstanceOf(LedgerInputError);
      expect(snapshotOf(l)).toEqual(before);
      continue;
    }
    clientIds.set(decision, step.clientId);
    if (decision.status === 'REJECTED') {
      expect(snapshotOf(l)).toEqual(before);
      expect(
        decision.instructions.some((o) => o.postingViolations.length + o.accountViolations.length > 0),
      ).toBe(true);
    } else {
      const postings = decision.instructions.flatMap((o) => o.postings);
      expect(unbalancedGroups(postings)).toEqual([]);
      expect(postings.every((p) => p.amount > 0n)).toBe(true);
      expect(l.postings.length).toBe(before.postings + postings.length);
    }
    expect(l.drift()).toEqual([]);
    const recomputed = recomputeTransactions(l.decisions, clientIds);
    for (const [key, t] of l.transactions) checkTransaction(t, recomputed.get(key));
    for (const totals of l.balances.values()) {
      expect(totals.debit <= MAX_MINOR_UNITS && totals.credit <= MAX_MINOR_UNITS).toBe(true);
    }
    if (!overdraft) {
      for (const id of CUSTOMERS) {
        const a = l.accounts.get(id);
        if (!a || a.tside !== 'LIABILITY') continue;
        const at = {
          accountId: id,
          accountAddress: DEFAULT_ADDRESS,
          asset: DEFAULT_ASSET,
          denomination: 'GBP',
        };
        const available = availableBalance(
          (d) => l.balances.get(dimensionKey(d)) ?? { debit: 0n, credit: 0n },
          at,
          a.tside,
        );
        expect(available >= 0n).toBe(true);
      }
    }
  }
}

describe('posting engine properties', () => {
  it('every step keeps the books balanced and consistent (any instruction, any outcome)', () => {
    fc.assert(
      fc.property(fc.array(stepArb(true), { minLength: 1, maxLength: 40 }), (steps) =>
        runLifecycle(steps, true),
      ),
      { numRuns: 150 },
    );
  });

  it('without advice or custom postings to customers, no customer account available balance goes below zero', () => {
    fc.assert(
      fc.property(fc.array(stepArb(false), { minLength: 1, maxLength: 40 }), (steps) =>
        runLifecycle(steps, false),
      ),
      { numRuns: 150 },
    );
  });

  it('accepts a good share of the random batches (the generators exercise the accepted path)', () => {
    const sample = fc.sample(fc.array(stepArb(true), { minLength: 30, maxLength: 30 }), {
      numRuns: 20,
      seed: 42,
    });
    let accepted = 0;
    let rejected = 0;
    let malformed = 0;
    const types = new Set<string>();
    for (const steps of sample) {
      const l = newLedger();
      for (const s of steps) {
        try {
          const d = l.post(batchBody(s.instructions, { client_id: s.clientId }));
          if (d.status === 'ACCEPTED') accepted += 1;
          else rejected += 1;
          if (d.status === 'ACCEPTED') for (const o of d.instructions) types.add(o.request.instruction.type);
        } catch {
          malformed += 1;
        }
      }
    }
    // 600 batches: each outcome must be common enough that the properties above test it.
    expect(accepted).toBeGreaterThan(100);
    expect(rejected).toBeGreaterThan(100);
    expect(malformed).toBeGreaterThan(30);
    expect([...types].sort()).toEqual([...INSTRUCTION_TYPES].sort());
  });
});
