/**
 * Posting instruction batches in Vault's response shape: amounts as decimal strings with exactly
 * the denomination's exponent of decimal places, timestamps as RFC 3339. Deterministic in its
 * inputs (ids come in), so the stored response and any later rendering agree.
 */
import type { BatchDecision, InstructionOutcome, ResolvedFields } from './engine.js';
import { formatMinorUnits, type Denominations } from './money.js';
import type { BatchRequest, Instruction } from './request.js';
import { formatTimestamp } from './time.js';
import { netAmount, type BalanceTotals, type Dimension, type Posting, type Tside } from './types.js';

export const BATCH_STATUS = {
  ACCEPTED: 'POSTING_INSTRUCTION_BATCH_STATUS_ACCEPTED',
  REJECTED: 'POSTING_INSTRUCTION_BATCH_STATUS_REJECTED',
} as const;

export interface BatchIds {
  batchId: string;
  /** One per instruction, in order. */
  instructionIds: readonly string[];
}

type Json = Record<string, unknown>;

export function renderBatch(
  request: BatchRequest,
  decision: BatchDecision,
  ids: BatchIds,
  denominations: Denominations,
): Json {
  const money = (amount: bigint, denomination: string): string =>
    formatMinorUnits(amount, denominations.exponent(denomination) ?? 0);
  const valueTimestamp = formatTimestamp(decision.valueTime);
  return {
    id: ids.batchId,
    client_id: request.clientId,
    client_batch_id: request.clientBatchId,
    value_timestamp: valueTimestamp,
    insertion_timestamp: formatTimestamp(decision.insertionTime),
    batch_details: request.batchDetails,
    status: BATCH_STATUS[decision.status],
    dry_run: false,
    posting_instructions: decision.instructions.map((o, i) => ({
      id: ids.instructionIds[i] ?? '',
      client_transaction_id: o.request.clientTransactionId,
      instruction_details: o.request.instructionDetails,
      [o.request.instruction.type]: renderInstruction(
        o.request.instruction,
        o.resolved,
        decision.status === 'ACCEPTED',
        money,
      ),
      committed_postings: o.postings.map((p) => renderPosting(p, money)),
      posting_violations: o.postingViolations.map((v) => ({ type: v.type })),
      account_violations: o.accountViolations.map((v) => ({ account_id: v.accountId, type: v.type })),
      restriction_violations: [],
      contract_violations: [],
      value_timestamp: valueTimestamp,
    })),
  };
}

export function renderPosting(p: Posting, money: (amount: bigint, denomination: string) => string): Json {
  return {
    credit: p.credit,
    amount: money(p.amount, p.denomination),
    denomination: p.denomination,
    account_id: p.accountId,
    account_address: p.accountAddress,
    asset: p.asset,
    phase: p.phase,
  };
}

function renderInstruction(
  i: Instruction,
  resolved: ResolvedFields | null,
  accepted: boolean,
  money: (amount: bigint, denomination: string) => string,
): Json {
  const ids = resolved === null ? {} : resolvedIds(resolved);
  switch (i.type) {
    case 'inbound_hard_settlement':
    case 'outbound_hard_settlement':
    case 'inbound_authorisation':
    case 'outbound_authorisation':
      return {
        amount: money(i.amount, i.denomination),
        denomination: i.denomination,
        target_account: { account_id: i.targetAccountId },
        target_account_id: i.targetAccountId,
        internal_account_id: i.internalAccountId,
        target_account_address: i.accountAddress,
        asset: i.asset,
        advice: i.advice,
      };
    case 'transfer':
      return {
        amount: money(i.amount, i.denomination),
        denomination: i.denomination,
        debtor_target_account: { account_id: i.debtorAccountId },
        creditor_target_account: { account_id: i.creditorAccountId },
        debtor_target_account_id: i.debtorAccountId,
        creditor_target_account_id: i.creditorAccountId,
      };
    case 'custom_instruction':
      return { postings: i.postings.map((p) => renderPosting(p, money)) };
    case 'authorisation_adjustment': {
      const given =
        i.change.kind === 'delta' ? { amount: i.change.text } : { replacement_amount: i.change.text };
      const outcome =
        accepted && resolved?.delta !== undefined && resolved.authorised !== undefined
          ? {
              delta_amount: money(resolved.delta, resolved.denomination),
              authorised_amount: money(resolved.authorised, resolved.denomination),
            }
          : {};
      return { ...given, advice: i.advice, ...ids, ...outcome };
    }
    case 'settlement': {
      const amount =
        accepted && resolved?.amount !== undefined
          ? { amount: money(resolved.amount, resolved.denomination) }
          : i.amount !== null
            ? { amount: i.amount.text }
            : {};
      return { ...amount, final: i.final, advice: i.advice, ...ids };
    }
    case 'release':
      return { ...ids };
  }
}

function resolvedIds(r: ResolvedFields): Json {
  return {
    denomination: r.denomination,
    target_account_id: r.targetAccountId,
    internal_account_id: r.internalAccountId,
  };
}

/** The instruction outcomes of a decision that carry violations (for messages and logs). */
export function violationsSummary(instructions: readonly InstructionOutcome[]): string[] {
  return instructions.flatMap((o, i) => [
    ...o.postingViolations.map((v) => `posting_instructions[${i}]: ${v.type}`),
    ...o.accountViolations.map((v) => `posting_instructions[${i}]: ${v.type} (${v.accountId})`),
  ]);
}

/** One live or as-of balance in the shape of `GET /v1/balances/live`. */
export interface BalanceView {
  id: string;
  dimension: Dimension;
  totals: BalanceTotals;
  tside: Tside;
  batchId: string;
  valueTime: number;
}

export function renderBalance(b: BalanceView, denominations: Denominations): Json {
  const exponent = denominations.exponent(b.dimension.denomination) ?? 0;
  return {
    id: b.id,
    account_id: b.dimension.accountId,
    account_address: b.dimension.accountAddress,
    phase: b.dimension.phase,
    asset: b.dimension.asset,
    denomination: b.dimension.denomination,
    posting_instruction_batch_id: b.batchId,
    value_time: formatTimestamp(b.valueTime),
    amount: formatMinorUnits(netAmount(b.totals, b.tside), exponent),
    total_debit: formatMinorUnits(b.totals.debit, exponent),
    total_credit: formatMinorUnits(b.totals.credit, exponent),
  };
}
