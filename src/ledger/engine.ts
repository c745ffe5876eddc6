/**
 * The posting engine (pure). Given a parsed batch request and a snapshot of the state it touches,
 * it decides: ACCEPTED, with the postings to append, the balance totals to update in place and the
 * client transactions to write; or REJECTED, with the violations of each instruction and nothing
 * to post. It reads no clock, storage or randomness: the caller passes the insertion time and a
 * snapshot, and must run this inside the transaction that writes the result, so that the rules of
 * ledger.md 3 are checked against exactly the state the batch is applied to.
 *
 * Instructions are applied in order: each sees the balances and client transactions left by the
 * ones before it in the same batch (authorise then settle in one batch works; a second hard
 * settlement reusing the first's client transaction id is a violation). Invariants asserted before
 * an ACCEPTED decision is returned: the batch nets to zero per (denomination, asset, phase); every
 * balance change equals its dimension's postings.
 */
import { addPosting, assertBalanced, availableBalance, dimensionOf, ZERO_TOTALS } from './balances.js';
import { LedgerInputError, LedgerInvariantError } from './errors.js';
import { MAX_MINOR_UNITS, toMinorUnits, type Decimal, type Denominations } from './money.js';
import type {
  AdjustmentInstruction,
  BatchRequest,
  CustomInstruction,
  Instruction,
  PostingInstructionRequest,
  SettlementInstruction,
  TargetedInstruction,
  TransferInstruction,
} from './request.js';
import {
  ACCOUNT_STATUS_OPEN,
  clientTransactionKey,
  COMMITTED,
  DEFAULT_ADDRESS,
  DEFAULT_ASSET,
  dimensionKey,
  PENDING_INCOMING,
  PENDING_OUTGOING,
  type BalanceTotals,
  type ClientTransaction,
  type Dimension,
  type LedgerAccount,
  type Phase,
  type Posting,
} from './types.js';
import type { AccountViolation, PostingViolation, PostingViolationType } from './violations.js';

/** The state a batch is checked against, read inside the writing transaction. */
export interface LedgerSnapshot {
  /** Every account the batch names or its client transactions use (absent: does not exist). */
  accounts: ReadonlyMap<string, LedgerAccount>;
  /** The client transactions the batch names, by `clientTransactionKey` (absent: none yet). */
  clientTransactions: ReadonlyMap<string, ClientTransaction>;
  /** Live totals by `dimensionKey`, for every dimension of every account above (absent: zero). */
  balances: ReadonlyMap<string, BalanceTotals>;
}

export interface EvaluationContext {
  /** Insertion time (ms): the value time when the batch gives none, and the limit for backdating. */
  now: number;
  denominations: Denominations;
}

/** Fields an instruction's response shows that the request did not give (resolved from state). */
export interface ResolvedFields {
  denomination: string;
  targetAccountId: string;
  internalAccountId: string;
  /** Settlements: the amount committed. */
  amount?: bigint;
  /** Adjustments: the change and the new total authorised. */
  delta?: bigint;
  authorised?: bigint;
}

export interface InstructionOutcome {
  request: PostingInstructionRequest;
  /** The committed postings (empty when the batch is rejected). */
  postings: Posting[];
  postingViolations: PostingViolation[];
  accountViolations: AccountViolation[];
  resolved: ResolvedFields | null;
}

export interface BalanceChange {
  dimension: Dimension;
  before: BalanceTotals;
  after: BalanceTotals;
}

export interface BatchDecision {
  status: 'ACCEPTED' | 'REJECTED';
  valueTime: number;
  insertionTime: number;
  instructions: InstructionOutcome[];
  /** Accepted: one per dimension the batch touches. Rejected: none. */
  balanceChanges: BalanceChange[];
  /** Accepted: the new state of every client transaction the batch opened or changed. */
  clientTransactions: ClientTransaction[];
}

/** The keys of the client transactions a request names. */
export function clientTransactionKeysOf(
  request: BatchRequest,
): Array<{ clientId: string; clientTransactionId: string }> {
  const seen = new Map<string, { clientId: string; clientTransactionId: string }>();
  for (const i of request.instructions) {
    seen.set(clientTransactionKey(request.clientId, i.clientTransactionId), {
      clientId: request.clientId,
      clientTransactionId: i.clientTransactionId,
    });
  }
  return [...seen.values()];
}

/** Every account id the request names or the given client transactions use, sorted (lock order). */
export function accountIdsOf(request: BatchRequest, transactions: Iterable<ClientTransaction>): string[] {
  const ids = new Set<string>();
  for (const { instruction: i } of request.instructions) {
    if ('targetAccountId' in i) ids.add(i.targetAccountId).add(i.internalAccountId);
    if (i.type === 'transfer') ids.add(i.debtorAccountId).add(i.creditorAccountId);
    if (i.type === 'custom_instruction') for (const p of i.postings) ids.add(p.accountId);
  }
  for (const t of transactions) {
    if (t.targetAccountId !== null) ids.add(t.targetAccountId);
    if (t.internalAccountId !== null) ids.add(t.internalAccountId);
  }
  return [...ids].sort();
}

/** What one instruction would do, before account, range and funds checks. */
interface Plan {
  postings: Posting[];
  violations: PostingViolationType[];
  /** The client transaction after the instruction (null: unchanged, e.g. when violated). */
  transaction: ClientTransaction | null;
  /** Accounts to check (rule 2), with the denomination posted to each. */
  accounts: Array<{ accountId: string; denomination: string }>;
  /** The customer account whose available balance rule 5 protects, if any. */
  fundsCheck: Omit<Dimension, 'phase'> | null;
  resolved: ResolvedFields | null;
}

/** Decides a batch against a snapshot (see the module comment). */
export function evaluateBatch(
  request: BatchRequest,
  snapshot: LedgerSnapshot,
  ctx: EvaluationContext,
): BatchDecision {
  const valueTime = request.valueTime ?? ctx.now;
  const state = new WorkingState(snapshot);
  const instructions = request.instructions.map((item) => {
    const outcome = evaluateInstruction(request, item, valueTime, state, ctx);
    if (valueTime > ctx.now)
      outcome.postingViolations.push({ type: 'POSTING_VIOLATION_VALUE_TIMESTAMP_IN_FUTURE' });
    return outcome;
  });
  const rejected = instructions.some((o) => o.postingViolations.length > 0 || o.accountViolations.length > 0);
  if (rejected) {
    for (const o of instructions) o.postings = [];
    return {
      status: 'REJECTED',
      valueTime,
      insertionTime: ctx.now,
      instructions,
      balanceChanges: [],
      clientTransactions: [],
    };
  }
  const postings = instructions.flatMap((o) => o.postings);
  assertBalanced(postings);
  const balanceChanges = state.balanceChanges();
  assertChangesMatch(balanceChanges, postings);
  return {
    status: 'ACCEPTED',
    valueTime,
    insertionTime: ctx.now,
    instructions,
    balanceChanges,
    clientTransactions: state.changedTransactions(),
  };
}

function evaluateInstruction(
  request: BatchRequest,
  item: PostingInstructionRequest,
  valueTime: number,
  state: WorkingState,
  ctx: EvaluationContext,
): InstructionOutcome {
  const key = clientTransactionKey(request.clientId, item.clientTransactionId);
  const existing = state.transaction(key);
  const plan = planInstruction(item, existing, { clientId: request.clientId, valueTime, ctx });
  const outcome: InstructionOutcome = {
    request: item,
    postings: [],
    postingViolations: plan.violations.map((type) => ({ type })),
    accountViolations: checkAccounts(plan.accounts, state, valueTime),
    resolved: plan.resolved,
  };
  if (outcome.postingViolations.length > 0 || outcome.accountViolations.length > 0) return outcome;
  const staged = state.stage(plan.postings);
  if (staged.outOfRange) {
    outcome.postingViolations.push({ type: 'POSTING_VIOLATION_BALANCE_OUT_OF_RANGE' });
    return outcome;
  }
  if (plan.fundsCheck !== null && takesBelowZero(plan.fundsCheck, state, staged.totals)) {
    outcome.accountViolations.push({
      accountId: plan.fundsCheck.accountId,
      type: 'ACCOUNT_VIOLATION_INSUFFICIENT_FUNDS',
    });
    return outcome;
  }
  state.commit(staged.totals, key, plan.transaction);
  outcome.postings = plan.postings;
  return outcome;
}

/** Rules 2 and 6 for each account an instruction posts to. */
function checkAccounts(
  accounts: Plan['accounts'],
  state: WorkingState,
  valueTime: number,
): AccountViolation[] {
  const out: AccountViolation[] = [];
  const add = (v: AccountViolation): void => {
    if (!out.some((o) => o.accountId === v.accountId && o.type === v.type)) out.push(v);
  };
  for (const { accountId, denomination } of accounts) {
    const account = state.account(accountId);
    if (account === undefined) {
      add({ accountId, type: 'ACCOUNT_VIOLATION_ACCOUNT_NOT_PRESENT' });
      continue;
    }
    if (account.status !== ACCOUNT_STATUS_OPEN)
      add({ accountId, type: 'ACCOUNT_VIOLATION_ACCOUNT_STATUS_INVALID' });
    if (!account.internal && !account.permittedDenominations.includes(denomination)) {
      add({ accountId, type: 'ACCOUNT_VIOLATION_UNSUPPORTED_DENOMINATION' });
    }
    if (valueTime < account.openingTime)
      add({ accountId, type: 'ACCOUNT_VIOLATION_VALUE_TIMESTAMP_BEFORE_OPENING' });
  }
  return out;
}

/** Rule 5: the instruction lowers a customer account's available balance to below zero. */
function takesBelowZero(
  at: Omit<Dimension, 'phase'>,
  state: WorkingState,
  staged: ReadonlyMap<string, BalanceChange>,
): boolean {
  const account = state.account(at.accountId);
  if (account === undefined || account.internal) return false;
  const before = availableBalance((d) => state.totals(d), at, account.tside);
  const after = availableBalance(
    (d) => staged.get(dimensionKey(d))?.after ?? state.totals(d),
    at,
    account.tside,
  );
  return after < 0n && after < before;
}

interface PlanContext {
  clientId: string;
  valueTime: number;
  ctx: EvaluationContext;
}

function planInstruction(
  item: PostingInstructionRequest,
  existing: ClientTransaction | undefined,
  pc: PlanContext,
): Plan {
  const i: Instruction = item.instruction;
  switch (i.type) {
    case 'inbound_hard_settlement':
    case 'outbound_hard_settlement':
    case 'inbound_authorisation':
    case 'outbound_authorisation':
      return planTargeted(i, item, existing, pc);
    case 'transfer':
      return planTransfer(i, item, existing, pc);
    case 'custom_instruction':
      return planCustom(i, item, existing, pc);
    case 'authorisation_adjustment':
    case 'settlement':
    case 'release':
      return planOnAuthorisation(i, item, existing, pc);
  }
}

function violated(...violations: PostingViolationType[]): Plan {
  return { postings: [], violations, transaction: null, accounts: [], fundsCheck: null, resolved: null };
}

function posting(credit: boolean, amount: bigint, at: Omit<Dimension, 'phase'>, phase: Phase): Posting {
  return { credit, amount, ...at, phase };
}

/** Postings of a targeted instruction: (credit to target?, phase). The internal side mirrors it. */
const TARGETED_POSTINGS: Record<TargetedInstruction['type'], { creditTarget: boolean; phase: Phase }> = {
  inbound_hard_settlement: { creditTarget: true, phase: COMMITTED },
  outbound_hard_settlement: { creditTarget: false, phase: COMMITTED },
  inbound_authorisation: { creditTarget: true, phase: PENDING_INCOMING },
  outbound_authorisation: { creditTarget: false, phase: PENDING_OUTGOING },
};

function newTransaction(
  pc: PlanContext,
  item: PostingInstructionRequest,
  fields: Partial<ClientTransaction> & Pick<ClientTransaction, 'kind' | 'status'>,
): ClientTransaction {
  return {
    clientId: pc.clientId,
    clientTransactionId: item.clientTransactionId,
    targetAccountId: null,
    internalAccountId: null,
    accountAddress: DEFAULT_ADDRESS,
    asset: DEFAULT_ASSET,
    denomination: null,
    authorised: 0n,
    settled: 0n,
    pending: 0n,
    valueTime: pc.valueTime,
    ...fields,
  };
}

function planTargeted(
  i: TargetedInstruction,
  item: PostingInstructionRequest,
  existing: ClientTransaction | undefined,
  pc: PlanContext,
): Plan {
  if (existing !== undefined) return violated('POSTING_VIOLATION_CLIENT_TRANSACTION_ALREADY_EXISTS');
  const { creditTarget, phase } = TARGETED_POSTINGS[i.type];
  const target = {
    accountId: i.targetAccountId,
    accountAddress: i.accountAddress,
    asset: i.asset,
    denomination: i.denomination,
  };
  const internal = { ...target, accountId: i.internalAccountId, accountAddress: DEFAULT_ADDRESS };
  const authorisation = i.type === 'inbound_authorisation' || i.type === 'outbound_authorisation';
  const transaction = newTransaction(pc, item, {
    kind: i.type.toUpperCase() as ClientTransaction['kind'],
    status: authorisation ? 'AUTHORISED' : 'CLOSED',
    targetAccountId: i.targetAccountId,
    internalAccountId: i.internalAccountId,
    accountAddress: i.accountAddress,
    asset: i.asset,
    denomination: i.denomination,
    authorised: authorisation ? i.amount : 0n,
    pending: authorisation ? i.amount : 0n,
  });
  const outbound = i.type === 'outbound_hard_settlement' || i.type === 'outbound_authorisation';
  return {
    postings: [
      posting(creditTarget, i.amount, target, phase),
      posting(!creditTarget, i.amount, internal, phase),
    ],
    violations: [],
    transaction,
    accounts: [
      { accountId: i.targetAccountId, denomination: i.denomination },
      { accountId: i.internalAccountId, denomination: i.denomination },
    ],
    fundsCheck: outbound && !i.advice ? target : null,
    resolved: null,
  };
}

function planTransfer(
  i: TransferInstruction,
  item: PostingInstructionRequest,
  existing: ClientTransaction | undefined,
  pc: PlanContext,
): Plan {
  if (existing !== undefined) return violated('POSTING_VIOLATION_CLIENT_TRANSACTION_ALREADY_EXISTS');
  const at = { accountAddress: DEFAULT_ADDRESS, asset: DEFAULT_ASSET, denomination: i.denomination };
  const debtor = { ...at, accountId: i.debtorAccountId };
  return {
    postings: [
      posting(false, i.amount, debtor, COMMITTED),
      posting(true, i.amount, { ...at, accountId: i.creditorAccountId }, COMMITTED),
    ],
    violations: [],
    transaction: newTransaction(pc, item, {
      kind: 'TRANSFER',
      status: 'CLOSED',
      denomination: i.denomination,
    }),
    accounts: [
      { accountId: i.debtorAccountId, denomination: i.denomination },
      { accountId: i.creditorAccountId, denomination: i.denomination },
    ],
    fundsCheck: debtor,
    resolved: null,
  };
}

function planCustom(
  i: CustomInstruction,
  item: PostingInstructionRequest,
  existing: ClientTransaction | undefined,
  pc: PlanContext,
): Plan {
  if (existing !== undefined && existing.kind !== 'CUSTOM')
    return violated('POSTING_VIOLATION_CLIENT_TRANSACTION_INVALID_OPERATION');
  if (existing !== undefined && pc.valueTime < existing.valueTime)
    return violated('POSTING_VIOLATION_CLIENT_TRANSACTION_INVALID_OPERATION');
  return {
    postings: i.postings,
    violations: [],
    transaction:
      existing !== undefined
        ? { ...existing, valueTime: pc.valueTime }
        : newTransaction(pc, item, { kind: 'CUSTOM', status: 'OPEN' }),
    accounts: i.postings.map((p) => ({ accountId: p.accountId, denomination: p.denomination })),
    fundsCheck: null,
    resolved: null,
  };
}

/** Adjustments, settlements and releases act on an open authorisation (rule 4). */
function lifecycleViolation(
  i: AdjustmentInstruction | SettlementInstruction | { type: 'release' },
  tx: ClientTransaction | undefined,
  valueTime: number,
): PostingViolationType | null {
  if (tx === undefined) return 'POSTING_VIOLATION_CLIENT_TRANSACTION_DOES_NOT_EXIST';
  if (tx.status === 'CLOSED') return 'POSTING_VIOLATION_CLIENT_TRANSACTION_CLOSED';
  if (tx.kind !== 'INBOUND_AUTHORISATION' && tx.kind !== 'OUTBOUND_AUTHORISATION') {
    return 'POSTING_VIOLATION_CLIENT_TRANSACTION_INVALID_OPERATION';
  }
  if (i.type === 'authorisation_adjustment' && tx.status === 'SETTLING')
    return 'POSTING_VIOLATION_CLIENT_TRANSACTION_INVALID_OPERATION';
  if (valueTime < tx.valueTime) return 'POSTING_VIOLATION_CLIENT_TRANSACTION_INVALID_OPERATION';
  return null;
}

function planOnAuthorisation(
  i: AdjustmentInstruction | SettlementInstruction | { type: 'release' },
  item: PostingInstructionRequest,
  tx: ClientTransaction | undefined,
  pc: PlanContext,
): Plan {
  const problem = lifecycleViolation(i, tx, pc.valueTime);
  if (problem !== null || tx === undefined)
    return violated(problem ?? 'POSTING_VIOLATION_CLIENT_TRANSACTION_DOES_NOT_EXIST');
  const auth = new Authorisation(tx);
  const base: Plan = {
    postings: [],
    violations: [],
    transaction: null,
    accounts: [
      { accountId: auth.target.accountId, denomination: auth.target.denomination },
      { accountId: auth.internal.accountId, denomination: auth.target.denomination },
    ],
    fundsCheck: null,
    resolved: {
      denomination: auth.target.denomination,
      targetAccountId: auth.target.accountId,
      internalAccountId: auth.internal.accountId,
    },
  };
  if (i.type === 'authorisation_adjustment') return planAdjustment(i, item, auth, pc, base);
  if (i.type === 'settlement') return planSettlement(i, item, auth, pc, base);
  return {
    ...base,
    postings: auth.release(tx.pending),
    transaction: { ...tx, status: 'CLOSED', pending: 0n, valueTime: pc.valueTime },
  };
}

function planAdjustment(
  i: AdjustmentInstruction,
  item: PostingInstructionRequest,
  auth: Authorisation,
  pc: PlanContext,
  base: Plan,
): Plan {
  const tx = auth.tx;
  const amount = minorUnitsOf(
    i.change.amount,
    auth.target.denomination,
    `${item.path}.authorisation_adjustment.${i.change.kind === 'delta' ? 'amount' : 'replacement_amount'}`,
    pc.ctx,
  );
  const delta = i.change.kind === 'delta' ? amount : amount - tx.authorised;
  if (tx.pending + delta < 0n)
    return violated('POSTING_VIOLATION_ADJUSTMENT_YIELDS_AUTHORISATION_WITH_NEGATIVE_AMOUNT');
  return {
    ...base,
    postings: delta >= 0n ? auth.hold(delta) : auth.release(-delta),
    transaction: {
      ...tx,
      authorised: tx.authorised + delta,
      pending: tx.pending + delta,
      valueTime: pc.valueTime,
    },
    fundsCheck: tx.kind === 'OUTBOUND_AUTHORISATION' && delta > 0n && !i.advice ? auth.target : null,
    resolved: { ...(base.resolved as ResolvedFields), delta, authorised: tx.authorised + delta },
  };
}

function planSettlement(
  i: SettlementInstruction,
  item: PostingInstructionRequest,
  auth: Authorisation,
  pc: PlanContext,
  base: Plan,
): Plan {
  const tx = auth.tx;
  const amount =
    i.amount === null
      ? tx.pending
      : minorUnitsOf(i.amount.value, auth.target.denomination, `${item.path}.settlement.amount`, pc.ctx);
  if (amount > tx.pending && !i.advice) return violated('POSTING_VIOLATION_SETTLEMENT_EXCEEDS_AUTHORISATION');
  const released = i.final || amount > tx.pending ? tx.pending : amount;
  return {
    ...base,
    postings: [...auth.release(released), ...auth.commit(amount)],
    transaction: {
      ...tx,
      status: i.final ? 'CLOSED' : 'SETTLING',
      settled: tx.settled + amount,
      pending: tx.pending - released,
      valueTime: pc.valueTime,
    },
    resolved: { ...(base.resolved as ResolvedFields), amount },
  };
}

/** The postings that move an authorisation's hold and settle it (Vault's tables, both directions). */
class Authorisation {
  readonly target: Omit<Dimension, 'phase'>;
  readonly internal: Omit<Dimension, 'phase'>;
  readonly #outbound: boolean;
  readonly #phase: Phase;

  constructor(readonly tx: ClientTransaction) {
    this.#outbound = tx.kind === 'OUTBOUND_AUTHORISATION';
    this.#phase = this.#outbound ? PENDING_OUTGOING : PENDING_INCOMING;
    const at = { accountAddress: tx.accountAddress, asset: tx.asset, denomination: tx.denomination ?? '' };
    this.target = { ...at, accountId: tx.targetAccountId ?? '' };
    this.internal = { ...at, accountId: tx.internalAccountId ?? '', accountAddress: DEFAULT_ADDRESS };
  }

  /** Increases the hold by `amount` (what the authorisation itself posted). */
  hold(amount: bigint): Posting[] {
    return this.#pair(amount, this.#phase, !this.#outbound);
  }

  /** Gives back `amount` of the hold. */
  release(amount: bigint): Posting[] {
    return this.#pair(amount, this.#phase, this.#outbound);
  }

  /** Moves `amount` for real (COMMITTED), in the authorisation's direction. */
  commit(amount: bigint): Posting[] {
    return this.#pair(amount, COMMITTED, !this.#outbound);
  }

  #pair(amount: bigint, phase: Phase, creditTarget: boolean): Posting[] {
    if (amount === 0n) return [];
    return [
      posting(creditTarget, amount, this.target, phase),
      posting(!creditTarget, amount, this.internal, phase),
    ];
  }
}

function minorUnitsOf(decimal: Decimal, denomination: string, field: string, ctx: EvaluationContext): bigint {
  const exponent = ctx.denominations.exponent(denomination);
  if (exponent === undefined) {
    throw new LedgerInvariantError(`client transaction in ${denomination}, which has no exponent configured`);
  }
  const minor = toMinorUnits(decimal, exponent, denomination);
  if (!minor.ok) throw new LedgerInputError(minor.code, field, minor.reason);
  return minor.value;
}

/** Balances and client transactions as the instructions so far leave them (copy on write). */
class WorkingState {
  readonly #changes = new Map<string, BalanceChange>();
  readonly #transactions = new Map<string, ClientTransaction>();

  constructor(readonly snapshot: LedgerSnapshot) {}

  account(id: string): LedgerAccount | undefined {
    return this.snapshot.accounts.get(id);
  }

  transaction(key: string): ClientTransaction | undefined {
    return this.#transactions.get(key) ?? this.snapshot.clientTransactions.get(key);
  }

  totals(d: Dimension): BalanceTotals {
    const key = dimensionKey(d);
    return this.#changes.get(key)?.after ?? this.snapshot.balances.get(key) ?? ZERO_TOTALS;
  }

  /** The totals `postings` would leave, without applying them yet. */
  stage(postings: readonly Posting[]): { totals: Map<string, BalanceChange>; outOfRange: boolean } {
    const totals = new Map<string, BalanceChange>();
    let outOfRange = false;
    for (const p of postings) {
      const key = dimensionKey(p);
      const current = totals.get(key) ??
        this.#changes.get(key) ?? {
          dimension: dimensionOf(p),
          before: this.totals(p),
          after: this.totals(p),
        };
      const after = addPosting(current.after, p);
      if (after.debit > MAX_MINOR_UNITS || after.credit > MAX_MINOR_UNITS) outOfRange = true;
      totals.set(key, { ...current, after });
    }
    return { totals, outOfRange };
  }

  commit(
    staged: ReadonlyMap<string, BalanceChange>,
    key: string,
    transaction: ClientTransaction | null,
  ): void {
    for (const [k, change] of staged) this.#changes.set(k, change);
    if (transaction !== null) this.#transactions.set(key, transaction);
  }

  balanceChanges(): BalanceChange[] {
    return [...this.#changes.values()];
  }

  changedTransactions(): ClientTransaction[] {
    return [...this.#transactions.values()];
  }
}

/** Invariant: each dimension's change is exactly the sum of the batch's postings to it. */
function assertChangesMatch(changes: readonly BalanceChange[], postings: readonly Posting[]): void {
  const expected = new Map<string, BalanceTotals>();
  for (const p of postings)
    expected.set(dimensionKey(p), addPosting(expected.get(dimensionKey(p)) ?? ZERO_TOTALS, p));
  for (const c of changes) {
    const e = expected.get(dimensionKey(c.dimension)) ?? ZERO_TOTALS;
    if (c.after.debit - c.before.debit !== e.debit || c.after.credit - c.before.credit !== e.credit) {
      throw new LedgerInvariantError(
        `balance change of ${dimensionKey(c.dimension)} differs from its postings`,
      );
    }
    expected.delete(dimensionKey(c.dimension));
  }
  if (expected.size > 0) throw new LedgerInvariantError('postings to a dimension without a balance change');
}
