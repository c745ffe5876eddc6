/**
 * The ledger's domain types (ledger.md): accounts as the posting engine sees them, postings,
 * balance dimensions and totals, client transactions. Amounts are BigInt minor units; times are
 * integer milliseconds since the epoch.
 */

export const COMMITTED = 'POSTING_PHASE_COMMITTED';
export const PENDING_INCOMING = 'POSTING_PHASE_PENDING_INCOMING';
export const PENDING_OUTGOING = 'POSTING_PHASE_PENDING_OUTGOING';
export const PHASES = [COMMITTED, PENDING_INCOMING, PENDING_OUTGOING] as const;
export type Phase = (typeof PHASES)[number];

export const DEFAULT_ADDRESS = 'DEFAULT';
export const DEFAULT_ASSET = 'COMMERCIAL_BANK_MONEY';

/** Which side increases an account's balance. LIABILITY: credits minus debits; ASSET: the reverse. */
export type Tside = 'ASSET' | 'LIABILITY';

export const ACCOUNT_STATUS_OPEN = 'ACCOUNT_STATUS_OPEN';
export const ACCOUNT_STATUSES = [
  'ACCOUNT_STATUS_OPEN',
  'ACCOUNT_STATUS_PENDING',
  'ACCOUNT_STATUS_CLOSED',
] as const;
export type AccountStatus = (typeof ACCOUNT_STATUSES)[number];

/** What the posting engine needs to know about an account. */
export interface LedgerAccount {
  id: string;
  /** Internal accounts come from the configuration layer; every other account is a customer's. */
  internal: boolean;
  status: AccountStatus;
  tside: Tside;
  /** Checked for customer accounts only (ledger.md 3, rule 2). */
  permittedDenominations: readonly string[];
  /** No posting may have a value time before this. */
  openingTime: number;
}

/** A balance is kept per dimension. */
export interface Dimension {
  accountId: string;
  accountAddress: string;
  asset: string;
  denomination: string;
  phase: Phase;
}

export interface Posting extends Dimension {
  credit: boolean;
  /** Always positive: the direction is `credit`. */
  amount: bigint;
}

/** Running totals of one dimension; the balance is derived from them and the account's tside. */
export interface BalanceTotals {
  debit: bigint;
  credit: bigint;
}

/** The net of totals in a tside (LIABILITY: credits minus debits; ASSET: debits minus credits). */
export function netAmount(totals: BalanceTotals, tside: Tside): bigint {
  return tside === 'LIABILITY' ? totals.credit - totals.debit : totals.debit - totals.credit;
}

/** One string per dimension, for maps. Ids never contain NUL (the id grammar refuses it). */
export function dimensionKey(d: Dimension): string {
  return `${d.accountId}\u0000${d.accountAddress}\u0000${d.asset}\u0000${d.denomination}\u0000${d.phase}`;
}

export type ClientTransactionKind =
  | 'INBOUND_AUTHORISATION'
  | 'OUTBOUND_AUTHORISATION'
  | 'INBOUND_HARD_SETTLEMENT'
  | 'OUTBOUND_HARD_SETTLEMENT'
  | 'TRANSFER'
  | 'CUSTOM';

/**
 * Lifecycle (ledger.md 3, rule 4): an authorisation is AUTHORISED (adjustable), SETTLING after its
 * first settlement (no more adjustments), CLOSED after a final settlement or a release. Hard
 * settlements and transfers are CLOSED at once. Custom instructions leave their transaction OPEN
 * for further custom instructions only.
 */
export type ClientTransactionStatus = 'AUTHORISED' | 'SETTLING' | 'CLOSED' | 'OPEN';

export interface ClientTransaction {
  clientId: string;
  clientTransactionId: string;
  kind: ClientTransactionKind;
  status: ClientTransactionStatus;
  /** Authorisations: where the hold sits (the other side is the internal account). */
  targetAccountId: string | null;
  internalAccountId: string | null;
  accountAddress: string;
  asset: string;
  denomination: string | null;
  /** Authorisations: the authorisation plus its adjustments. */
  authorised: bigint;
  /** Authorisations: what settlements have committed. */
  settled: bigint;
  /** Authorisations: what is ring-fenced now (never negative). */
  pending: bigint;
  /** Latest value time of any instruction on it: later ones may not go back before it. */
  valueTime: number;
}

export function clientTransactionKey(clientId: string, clientTransactionId: string): string {
  return `${clientId}\u0000${clientTransactionId}`;
}
