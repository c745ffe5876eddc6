/**
 * The `ledger` part of a transaction (ledger.md): records as stored, and the reads and writes the
 * ledger service makes. Money is BigInt minor units; times are integer ms. Business rules live in
 * src/ledger (pure) and the ledger service; this only stores and reads.
 */
import type { BalanceTotals, ClientTransaction, Dimension, LedgerAccount, Posting } from '../ledger/types.js';

export interface CustomerRecord {
  seq: number;
  id: string;
  /** The customer as the API returns it, JSON text. */
  body: string;
  createdAt: number;
}

export interface AccountRecord extends LedgerAccount {
  seq: number;
  productId: string | null;
  productVersionId: string | null;
  stakeholderIds: string[];
  /** The account as the API returns it, JSON text (internal accounts: ''). */
  body: string;
  createdAt: number;
}

export type NewAccount = Omit<AccountRecord, 'seq'>;

export interface BatchRecord {
  /** Insertion order. */
  seq: number;
  id: string;
  requestId: string;
  clientId: string;
  clientBatchId: string;
  status: string;
  valueTime: number;
  insertionTime: number;
  /** The batch as the API returns it, JSON text. */
  body: string;
}

export type NewBatch = Omit<BatchRecord, 'seq'>;

/** A posting as stored, with what it belongs to. */
export interface PostingRecord extends Posting {
  seq: number;
  batchSeq: number;
  instructionIndex: number;
  clientId: string;
  clientTransactionId: string;
  valueTime: number;
}

export type NewPosting = Omit<PostingRecord, 'seq' | 'batchSeq'>;

/** One balance dimension: live totals, updated in place. */
export interface BalanceRecord {
  dimSeq: number;
  dimension: Dimension;
  totals: BalanceTotals;
  /** The latest entry by value time (then insertion): its batch and value time. */
  lastBatchId: string;
  lastValueTime: number;
  /** Entries appended since the last checkpoint. */
  sinceCheckpoint: number;
}

/** A balance as of a time: totals of the entries at or before it, and the last of them. */
export interface BalanceAsOf {
  dimension: Dimension;
  totals: BalanceTotals;
  lastBatchId: string;
  lastValueTime: number;
}

/** One change of one dimension by one batch (the delta), for time ranges. */
export interface BalanceEntry {
  dimension: Dimension;
  valueTime: number;
  batchSeq: number;
  batchId: string;
  debit: bigint;
  credit: bigint;
}

/** Where an entry sits in the order of `balanceEntries`. */
export interface EntryPosition {
  dimension: Dimension;
  valueTime: number;
  batchSeq: number;
}

export interface BatchListQuery {
  accountIds?: readonly string[] | undefined;
  clientBatchIds?: readonly string[] | undefined;
  /** Insertion time bounds, ms (inclusive start, exclusive end). */
  startTime?: number | undefined;
  endTime?: number | undefined;
  afterSeq: number;
  limit: number;
}

export interface AccountListQuery {
  stakeholderIds?: readonly string[] | undefined;
  productIds?: readonly string[] | undefined;
  afterSeq: number;
  limit: number;
}

export interface ClientTransactionKey {
  clientId: string;
  clientTransactionId: string;
}

export interface LedgerReads {
  getCustomers(ids: readonly string[]): Promise<CustomerRecord[]>;
  listCustomers(afterSeq: number, limit: number): Promise<CustomerRecord[]>;
  getAccounts(ids: readonly string[]): Promise<AccountRecord[]>;
  listAccounts(query: AccountListQuery): Promise<AccountRecord[]>;
  /** Live balances of the accounts, every dimension. */
  balances(accountIds: readonly string[]): Promise<BalanceRecord[]>;
  /** Balances as of `time` (entries with value time <= time), without scanning history. */
  balancesAsOf(accountIds: readonly string[], time: number): Promise<BalanceAsOf[]>;
  /**
   * Entries with `fromTime < value time <= toTime`, by dimension then value time then batch,
   * starting after `after` (a page's last entry) when given.
   */
  balanceEntries(
    accountIds: readonly string[],
    fromTime: number,
    toTime: number,
    limit: number,
    after?: EntryPosition,
  ): Promise<BalanceEntry[]>;
  getBatches(ids: readonly string[]): Promise<BatchRecord[]>;
  listBatches(query: BatchListQuery): Promise<BatchRecord[]>;
  clientTransactions(keys: readonly ClientTransactionKey[]): Promise<ClientTransaction[]>;
  /** For verify: everything in storage order, a page at a time. */
  scanPostings(afterSeq: number, limit: number): Promise<PostingRecord[]>;
  scanBalances(afterDimSeq: number, limit: number): Promise<BalanceRecord[]>;
  scanBatches(afterSeq: number, limit: number): Promise<BatchRecord[]>;
  scanClientTransactions(after: ClientTransactionKey | null, limit: number): Promise<ClientTransaction[]>;
  /** For verify: totals of a dimension's entries and of its latest checkpoint chain. */
  entryTotals(dimSeq: number): Promise<BalanceTotals>;
}

export interface LedgerWrites extends LedgerReads {
  insertCustomer(customer: Omit<CustomerRecord, 'seq'>): Promise<void>;
  insertAccount(account: NewAccount): Promise<void>;
  updateAccount(id: string, change: { status: string; body: string }): Promise<void>;
  /** Like getAccounts, holding the rows until commit. */
  lockAccounts(ids: readonly string[]): Promise<AccountRecord[]>;
  /** Like balances, holding the rows until commit (sorted: a fixed lock order). */
  lockBalances(accountIds: readonly string[]): Promise<BalanceRecord[]>;
  lockClientTransactions(keys: readonly ClientTransactionKey[]): Promise<ClientTransaction[]>;
  /** Inserts the batch; resolves with its insertion sequence. */
  insertBatch(batch: NewBatch): Promise<number>;
  appendPostings(batchSeq: number, postings: readonly NewPosting[]): Promise<void>;
  /**
   * Writes a batch's new totals (in place), its entries and checkpoints. `current` holds the
   * locked rows of the dimensions that existed (absent: new dimension).
   */
  applyBalances(
    batch: { seq: number; id: string; valueTime: number },
    changes: ReadonlyArray<{ dimension: Dimension; before: BalanceTotals; after: BalanceTotals }>,
    current: ReadonlyMap<string, BalanceRecord>,
  ): Promise<void>;
  /** Inserts new client transactions and updates existing ones (`existing`: keys that exist). */
  putClientTransactions(
    transactions: readonly ClientTransaction[],
    existing: ReadonlySet<string>,
  ): Promise<void>;
}
