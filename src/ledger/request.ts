/**
 * `POST /v1/posting-instruction-batches` bodies, parsed into typed requests (ledger.md 3).
 * Everything that makes a request malformed is found here, before any state is read: missing or
 * unknown fields, amounts that are not decimal strings (INVALID_AMOUNT) or need rounding
 * (AMOUNT_PRECISION), unknown instruction types, custom postings that do not net to zero
 * (UNBALANCED_POSTINGS). Settlement and adjustment amounts are in the denomination of the client
 * transaction they act on, so they stay exact decimals here and become minor units in the engine.
 */
import { LedgerInputError } from './errors.js';
import { describe, FieldReader } from './fields.js';
import { JsonNumber, type JsonValue } from './json.js';
import type { Denominations } from './money.js';
import { isDenominationCode, parseDecimal, toMinorUnits, type Decimal } from './money.js';
import { DEFAULT_ADDRESS, DEFAULT_ASSET, PHASES, type Phase, type Posting } from './types.js';

/** Most posting instructions in one batch, and most postings in one custom instruction. */
export const MAX_INSTRUCTIONS = 64;
export const MAX_CUSTOM_POSTINGS = 128;

/** Hard settlements and authorisations: one target account against one internal account. */
export interface TargetedInstruction {
  type:
    | 'inbound_hard_settlement'
    | 'outbound_hard_settlement'
    | 'inbound_authorisation'
    | 'outbound_authorisation';
  amount: bigint;
  denomination: string;
  targetAccountId: string;
  internalAccountId: string;
  accountAddress: string;
  asset: string;
  advice: boolean;
}

export interface AdjustmentInstruction {
  type: 'authorisation_adjustment';
  /** Exactly one of a signed change and a replacement total is set. */
  change: { kind: 'delta' | 'replacement'; amount: Decimal; text: string };
  advice: boolean;
}

export interface SettlementInstruction {
  type: 'settlement';
  /** Absent: all that remains ring-fenced. */
  amount: { value: Decimal; text: string } | null;
  final: boolean;
  advice: boolean;
}

export interface ReleaseInstruction {
  type: 'release';
}

export interface TransferInstruction {
  type: 'transfer';
  amount: bigint;
  denomination: string;
  debtorAccountId: string;
  creditorAccountId: string;
}

export interface CustomInstruction {
  type: 'custom_instruction';
  postings: Posting[];
}

export type Instruction =
  | TargetedInstruction
  | AdjustmentInstruction
  | SettlementInstruction
  | ReleaseInstruction
  | TransferInstruction
  | CustomInstruction;

export type InstructionType = Instruction['type'];

export const INSTRUCTION_TYPES: readonly InstructionType[] = [
  'inbound_hard_settlement',
  'outbound_hard_settlement',
  'inbound_authorisation',
  'outbound_authorisation',
  'authorisation_adjustment',
  'settlement',
  'release',
  'transfer',
  'custom_instruction',
];

export interface PostingInstructionRequest {
  clientTransactionId: string;
  instructionDetails: Record<string, string>;
  instruction: Instruction;
  /** Where the instruction is in the body, for error messages. */
  path: string;
}

export interface BatchRequest {
  requestId: string;
  clientId: string;
  clientBatchId: string;
  /** Absent: the insertion time. */
  valueTime: number | null;
  batchDetails: Record<string, string>;
  instructions: PostingInstructionRequest[];
}

/** Parses a request body (already parsed losslessly); throws LedgerInputError on the first fault. */
export function parseBatchRequest(body: JsonValue, denominations: Denominations): BatchRequest {
  const top = FieldReader.of(body, '');
  const requestId = top.id('request_id');
  const batch = top.reader('posting_instruction_batch');
  top.done();
  const clientId = batch.id('client_id');
  const clientBatchId = batch.optionalId('client_batch_id') ?? '';
  const valueTime = batch.optionalTimestamp('value_timestamp') ?? null;
  const batchDetails = batch.stringMap('batch_details');
  if (batch.bool('dry_run', false))
    batch.fail('dry_run', 'dry runs are not supported by this server; leave it out');
  const items = batch.array('posting_instructions', { min: 1, max: MAX_INSTRUCTIONS });
  batch.done();
  const instructions = items.map((item, i) =>
    parseInstruction(item, batch.at(`posting_instructions[${i}]`), denominations),
  );
  return { requestId, clientId, clientBatchId, valueTime, batchDetails, instructions };
}

function parseInstruction(
  value: JsonValue,
  path: string,
  denominations: Denominations,
): PostingInstructionRequest {
  const r = FieldReader.of(value, path);
  const clientTransactionId = r.id('client_transaction_id');
  const instructionDetails = r.stringMap('instruction_details');
  const present = INSTRUCTION_TYPES.filter((t) => r.has(t));
  if (present.length !== 1) {
    const unknown = Object.keys(r.object).filter(
      (k) =>
        k !== 'client_transaction_id' &&
        k !== 'instruction_details' &&
        !present.includes(k as InstructionType),
    );
    const hint = unknown.length > 0 ? ` (unknown: ${unknown.join(', ')})` : '';
    throw new LedgerInputError(
      'INVALID_ARGUMENT',
      path,
      present.length === 0
        ? `needs exactly one instruction: one of ${INSTRUCTION_TYPES.join(', ')}${hint}`
        : `has ${present.length} instructions (${present.join(', ')}); give exactly one`,
    );
  }
  const type = present[0] as InstructionType;
  const body = r.reader(type);
  r.done();
  const instruction = INSTRUCTION_PARSERS[type](body, denominations);
  body.done();
  return { clientTransactionId, instructionDetails, instruction, path };
}

const INSTRUCTION_PARSERS: Record<InstructionType, (r: FieldReader, d: Denominations) => Instruction> = {
  inbound_hard_settlement: (r, d) => parseTargeted('inbound_hard_settlement', r, d),
  outbound_hard_settlement: (r, d) => parseTargeted('outbound_hard_settlement', r, d),
  inbound_authorisation: (r, d) => parseTargeted('inbound_authorisation', r, d),
  outbound_authorisation: (r, d) => parseTargeted('outbound_authorisation', r, d),
  authorisation_adjustment: parseAdjustment,
  settlement: parseSettlement,
  release: () => ({ type: 'release' }),
  transfer: parseTransfer,
  custom_instruction: parseCustom,
};

function parseTargeted(
  type: TargetedInstruction['type'],
  r: FieldReader,
  d: Denominations,
): TargetedInstruction {
  const denomination = readDenomination(r, 'denomination', d);
  const amount = readMinorUnits(r, 'amount', denomination, d);
  const targetAccountId = readTargetAccount(r, 'target_account', 'target_account_id');
  const internalAccountId = r.id('internal_account_id');
  if (targetAccountId === internalAccountId) {
    // The two postings would cancel out while the client transaction recorded a hold.
    r.fail(
      'internal_account_id',
      `is the target account too ("${targetAccountId}"); the other side must be another account`,
    );
  }
  return {
    type,
    amount,
    denomination,
    targetAccountId,
    internalAccountId,
    accountAddress: r.optionalId('target_account_address') ?? DEFAULT_ADDRESS,
    asset: r.optionalId('asset') ?? DEFAULT_ASSET,
    advice: r.bool('advice', false),
  };
}

function parseAdjustment(r: FieldReader): AdjustmentInstruction {
  const hasDelta = r.has('amount');
  const hasReplacement = r.has('replacement_amount');
  if (hasDelta === hasReplacement) {
    r.fail('amount', 'give exactly one of amount (a signed change) and replacement_amount (the new total)');
  }
  const key = hasDelta ? 'amount' : 'replacement_amount';
  const amount = readDecimal(r, key, { signed: hasDelta });
  if (amount.value.digits === 0n && hasDelta) {
    throw new LedgerInputError(
      'INVALID_AMOUNT',
      r.at(key),
      'a change of zero adjusts nothing; leave the instruction out',
    );
  }
  return {
    type: 'authorisation_adjustment',
    change: { kind: hasDelta ? 'delta' : 'replacement', amount: amount.value, text: amount.text },
    advice: r.bool('advice', false),
  };
}

function parseSettlement(r: FieldReader): SettlementInstruction {
  const amount = r.has('amount') ? readDecimal(r, 'amount', { signed: false }) : (r.raw('amount'), null);
  if (amount !== null && amount.value.digits === 0n) {
    throw new LedgerInputError(
      'INVALID_AMOUNT',
      r.at('amount'),
      'must be positive; leave it out to settle all that remains',
    );
  }
  return { type: 'settlement', amount, final: r.bool('final', false), advice: r.bool('advice', false) };
}

function parseTransfer(r: FieldReader, d: Denominations): TransferInstruction {
  const denomination = readDenomination(r, 'denomination', d);
  const amount = readMinorUnits(r, 'amount', denomination, d);
  const debtorAccountId = readTargetAccount(r, 'debtor_target_account', 'debtor_target_account_id');
  const creditorAccountId = readTargetAccount(r, 'creditor_target_account', 'creditor_target_account_id');
  if (debtorAccountId === creditorAccountId) {
    r.fail(
      'creditor_target_account',
      `is the debtor account too ("${debtorAccountId}"); a transfer moves money between two accounts`,
    );
  }
  return { type: 'transfer', amount, denomination, debtorAccountId, creditorAccountId };
}

function parseCustom(r: FieldReader, d: Denominations): CustomInstruction {
  const items = r.array('postings', { min: 1, max: MAX_CUSTOM_POSTINGS });
  const postings = items.map((item, i) =>
    parseCustomPosting(FieldReader.of(item, r.at(`postings[${i}]`)), d),
  );
  assertCustomBalanced(postings, r.at('postings'));
  return { type: 'custom_instruction', postings };
}

function parseCustomPosting(r: FieldReader, d: Denominations): Posting {
  const credit = r.raw('credit');
  if (typeof credit !== 'boolean')
    r.fail('credit', `must be true (credit) or false (debit), got ${describe(credit)}`);
  const denomination = readDenomination(r, 'denomination', d);
  const phase = r.string('phase');
  if (!(PHASES as readonly string[]).includes(phase)) r.fail('phase', `must be one of ${PHASES.join(', ')}`);
  const posting: Posting = {
    credit,
    amount: readMinorUnits(r, 'amount', denomination, d),
    denomination,
    accountId: r.id('account_id'),
    accountAddress: r.optionalId('account_address') ?? DEFAULT_ADDRESS,
    asset: r.optionalId('asset') ?? DEFAULT_ASSET,
    phase: phase as Phase,
  };
  r.done();
  return posting;
}

/** A custom instruction must net to zero per (denomination, asset, phase) (ledger.md 3). */
function assertCustomBalanced(postings: readonly Posting[], path: string): void {
  const net = new Map<string, bigint>();
  for (const p of postings) {
    const key = `${p.denomination} ${p.asset} ${p.phase}`;
    net.set(key, (net.get(key) ?? 0n) + (p.credit ? p.amount : -p.amount));
  }
  const off = [...net].filter(([, v]) => v !== 0n).map(([k]) => k);
  if (off.length > 0) {
    throw new LedgerInputError(
      'UNBALANCED_POSTINGS',
      path,
      `credits and debits must be equal per denomination, asset and phase; they differ for ${off.join('; ')}`,
      { unbalanced: off },
    );
  }
}

function readTargetAccount(r: FieldReader, objectKey: string, idKey: string): string {
  const fromId = r.optionalId(idKey);
  if (!r.has(objectKey)) {
    if (fromId !== undefined) return fromId;
    return r.fail(objectKey, 'is required ({"account_id": "..."})');
  }
  const target = r.reader(objectKey);
  const id = target.id('account_id');
  if (target.has('payment_device_token')) {
    target.fail('payment_device_token', 'payment devices are not supported by this server; give account_id');
  }
  target.done();
  if (fromId !== undefined && fromId !== id)
    r.fail(idKey, `is "${fromId}" but ${objectKey}.account_id is "${id}"`);
  return id;
}

function readDenomination(r: FieldReader, key: string, d: Denominations): string {
  const code = r.string(key);
  if (!isDenominationCode(code)) {
    r.fail(key, `"${code.slice(0, 40)}" is not a denomination code (upper case, e.g. GBP)`);
  }
  if (d.exponent(code) === undefined) {
    r.fail(key, `unknown denomination ${code}: start the server with --denomination ${code}=EXPONENT`);
  }
  return code;
}

/** A decimal string where an amount is expected; any other JSON value is INVALID_AMOUNT. */
function readDecimal(
  r: FieldReader,
  key: string,
  options: { signed: boolean },
): { value: Decimal; text: string } {
  const v = r.raw(key);
  if (typeof v !== 'string') {
    const how = v instanceof JsonNumber ? `; write it as a string: "${v.text}"` : '';
    throw new LedgerInputError(
      'INVALID_AMOUNT',
      r.at(key),
      v === undefined || v === null
        ? 'is required (a decimal string like "12.34")'
        : `must be a decimal string like "12.34", got ${describe(v)}${how}`,
    );
  }
  const parsed = parseDecimal(v, options);
  if (!parsed.ok) throw new LedgerInputError(parsed.code, r.at(key), parsed.reason);
  return { value: parsed.value, text: v };
}

function readMinorUnits(r: FieldReader, key: string, denomination: string, d: Denominations): bigint {
  const decimal = readDecimal(r, key, { signed: false });
  const minor = toMinorUnits(decimal.value, d.exponent(denomination) as number, denomination);
  if (!minor.ok) throw new LedgerInputError(minor.code, r.at(key), minor.reason);
  if (minor.value === 0n) throw new LedgerInputError('INVALID_AMOUNT', r.at(key), 'must be positive');
  return minor.value;
}
