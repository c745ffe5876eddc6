/**
 * Balance arithmetic shared by the engine, verify and the tests: totals per dimension from
 * postings, and the double-entry invariant.
 */
import { LedgerInvariantError } from './errors.js';
import { formatMinorUnits } from './money.js';
import {
  COMMITTED,
  dimensionKey,
  netAmount,
  PENDING_OUTGOING,
  type BalanceTotals,
  type Dimension,
  type Posting,
  type Tside,
} from './types.js';

export const ZERO_TOTALS: BalanceTotals = Object.freeze({ debit: 0n, credit: 0n });

export function addPosting(totals: BalanceTotals, posting: Posting): BalanceTotals {
  return posting.credit
    ? { debit: totals.debit, credit: totals.credit + posting.amount }
    : { debit: totals.debit + posting.amount, credit: totals.credit };
}

/** Totals per dimension recomputed from postings alone (what verify compares stored balances to). */
export function totalsFromPostings(
  postings: Iterable<Posting>,
): Map<string, { dimension: Dimension; totals: BalanceTotals }> {
  const out = new Map<string, { dimension: Dimension; totals: BalanceTotals }>();
  for (const p of postings) {
    const key = dimensionKey(p);
    const entry = out.get(key);
    if (entry) entry.totals = addPosting(entry.totals, p);
    else out.set(key, { dimension: dimensionOf(p), totals: addPosting(ZERO_TOTALS, p) });
  }
  return out;
}

export function dimensionOf(p: Dimension): Dimension {
  return {
    accountId: p.accountId,
    accountAddress: p.accountAddress,
    asset: p.asset,
    denomination: p.denomination,
    phase: p.phase,
  };
}

/**
 * What a customer may spend: COMMITTED net plus PENDING_OUTGOING net in the account's tside
 * (outbound holds are debits, so on a LIABILITY account they make that net negative).
 */
export function availableBalance(
  totalsOf: (d: Dimension) => BalanceTotals,
  at: Omit<Dimension, 'phase'>,
  tside: Tside,
): bigint {
  return (
    netAmount(totalsOf({ ...at, phase: COMMITTED }), tside) +
    netAmount(totalsOf({ ...at, phase: PENDING_OUTGOING }), tside)
  );
}

/** The (denomination, asset, phase) groups whose credits and debits differ, with their net. */
export function unbalancedGroups(postings: readonly Posting[]): Array<{ group: string; net: bigint }> {
  const net = new Map<string, bigint>();
  for (const p of postings) {
    const group = `${p.denomination}/${p.asset}/${p.phase}`;
    net.set(group, (net.get(group) ?? 0n) + (p.credit ? p.amount : -p.amount));
  }
  return [...net].filter(([, v]) => v !== 0n).map(([group, v]) => ({ group, net: v }));
}

/**
 * Invariant (ledger.md 3, rule 3): what is about to be stored nets to zero per (denomination,
 * asset, phase), and every posting moves a positive amount. The write path calls this on the
 * rows it writes; a failure is a bug and stops the write.
 */
export function assertBalanced(postings: readonly Posting[]): void {
  for (const p of postings) {
    if (p.amount <= 0n)
      throw new LedgerInvariantError(`posting of ${p.amount} to ${p.accountId} is not positive`);
  }
  const off = unbalancedGroups(postings);
  if (off.length > 0) {
    const what = off.map((o) => `${o.group} nets to ${formatMinorUnits(o.net, 0)} minor units`).join('; ');
    throw new LedgerInvariantError(`batch does not net to zero: ${what}`);
  }
}
