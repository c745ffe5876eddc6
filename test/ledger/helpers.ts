/**
 * An in-memory ledger over the pure core, standing in for the storage in core tests: it builds the
 * snapshot a batch needs, evaluates it and applies an accepted decision the way the write path
 * will (postings appended, balance totals replaced, client transactions written).
 */
import { totalsFromPostings } from '../../src/ledger/balances.js';
import {
  accountIdsOf,
  clientTransactionKeysOf,
  evaluateBatch,
  type BatchDecision,
} from '../../src/ledger/engine.js';
import { parseJson } from '../../src/ledger/json.js';
import { Denominations, formatMinorUnits } from '../../src/ledger/money.js';
import { parseBatchRequest, type BatchRequest } from '../../src/ledger/request.js';
import {
  clientTransactionKey,
  COMMITTED,
  DEFAULT_ADDRESS,
  DEFAULT_ASSET,
  dimensionKey,
  netAmount,
  type BalanceTotals,
  type ClientTransaction,
  type LedgerAccount,
  type Phase,
  type Posting,
} from '../../src/ledger/types.js';

export const T0 = Date.UTC(2024, 0, 1);

export function customer(id: string, extra: Partial<LedgerAccount> = {}): LedgerAccount {
  return {
    id,
    internal: false,
    status: 'ACCOUNT_STATUS_OPEN',
    tside: 'LIABILITY',
    permittedDenominations: ['GBP'],
    openingTime: T0,
    ...extra,
  };
}

export function internal(id: string, extra: Partial<LedgerAccount> = {}): LedgerAccount {
  return { ...customer(id), internal: true, tside: 'ASSET', permittedDenominations: [], ...extra };
}

export type Json = Record<string, unknown>;

let counter = 0;
export function batchBody(instructions: Json[], batch: Json = {}, requestId = `req-${++counter}`): string {
  return JSON.stringify({
    request_id: requestId,
    posting_instruction_batch: {
      client_id: 'client',
      client_batch_id: 'cb',
      ...batch,
      posting_instructions: instructions,
    },
  });
}

export function instruction(clientTransactionId: string, type: string, fields: Json): Json {
  return { client_transaction_id: clientTransactionId, [type]: fields };
}

export function targeted(amount: string, target = 'alice', internalId = 'bank', extra: Json = {}): Json {
  return {
    amount,
    denomination: 'GBP',
    target_account: { account_id: target },
    internal_account_id: internalId,
    ...extra,
  };
}

export function transfer(amount: string, from: string, to: string): Json {
  return {
    amount,
    denomination: 'GBP',
    debtor_target_account: { account_id: from },
    creditor_target_account: { account_id: to },
  };
}

export class MemoryLedger {
  readonly accounts = new Map<string, LedgerAccount>();
  readonly balances = new Map<string, BalanceTotals>();
  readonly transactions = new Map<string, ClientTransaction>();
  readonly postings: Posting[] = [];
  readonly decisions: BatchDecision[] = [];
  now = T0 + 86_400_000;

  constructor(
    accounts: LedgerAccount[],
    readonly denominations = new Denominations(),
  ) {
    for (const a of accounts) this.accounts.set(a.id, a);
  }

  parse(text: string): BatchRequest {
    return parseBatchRequest(parseJson(text), this.denominations);
  }

  /** Evaluates and, when accepted, applies; returns the decision. Throws LedgerInputError on 400s. */
  post(text: string): BatchDecision {
    return this.apply(this.parse(text));
  }

  apply(request: BatchRequest): BatchDecision {
    const transactions = new Map<string, ClientTransaction>();
    for (const k of clientTransactionKeysOf(request)) {
      const key = clientTransactionKey(k.clientId, k.clientTransactionId);
      const t = this.transactions.get(key);
      if (t) transactions.set(key, t);
    }
    const accounts = new Map<string, LedgerAccount>();
    for (const id of accountIdsOf(request, transactions.values())) {
      const a = this.accounts.get(id);
      if (a) accounts.set(id, a);
    }
    // The snapshot holds the balances of the accounts involved only, as the storage will.
    const balances = new Map([...this.balances].filter(([k]) => accounts.has(k.split('\u0000')[0] ?? '')));
    const decision = evaluateBatch(
      request,
      { accounts, clientTransactions: transactions, balances },
      {
        now: this.now,
        denominations: this.denominations,
      },
    );
    this.decisions.push(decision);
    if (decision.status === 'ACCEPTED') {
      for (const o of decision.instructions) this.postings.push(...o.postings);
      for (const c of decision.balanceChanges) this.balances.set(dimensionKey(c.dimension), c.after);
      for (const t of decision.clientTransactions) {
        this.transactions.set(clientTransactionKey(t.clientId, t.clientTransactionId), t);
      }
    }
    return decision;
  }

  totals(accountId: string, phase: Phase = COMMITTED, denomination = 'GBP'): BalanceTotals {
    return (
      this.balances.get(
        dimensionKey({
          accountId,
          accountAddress: DEFAULT_ADDRESS,
          asset: DEFAULT_ASSET,
          denomination,
          phase,
        }),
      ) ?? { debit: 0n, credit: 0n }
    );
  }

  /** The balance in the account's tside as a decimal string (GBP). */
  balance(accountId: string, phase: Phase = COMMITTED): string {
    const a = this.accounts.get(accountId);
    if (!a) throw new Error(`no account ${accountId}`);
    return formatMinorUnits(netAmount(this.totals(accountId, phase), a.tside), 2);
  }

  transaction(id: string, clientId = 'client'): ClientTransaction | undefined {
    return this.transactions.get(clientTransactionKey(clientId, id));
  }

  /** Stored balances differ from a recompute from the postings (empty when they agree). */
  drift(): string[] {
    const recomputed = totalsFromPostings(this.postings);
    const out: string[] = [];
    for (const [key, totals] of this.balances) {
      const r = recomputed.get(key)?.totals ?? { debit: 0n, credit: 0n };
      if (r.debit !== totals.debit || r.credit !== totals.credit) out.push(key);
    }
    for (const key of recomputed.keys()) if (!this.balances.has(key)) out.push(key);
    return out;
  }
}
