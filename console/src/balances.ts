/** Balances as the API returns them; amounts are decimal strings, shown exactly as given. */
export interface Balance {
  id: string;
  account_id: string;
  account_address: string;
  phase: string;
  asset: string;
  denomination: string;
  posting_instruction_batch_id: string;
  value_time: string;
  amount: string;
  total_debit: string;
  total_credit: string;
}

export function dimensionOf(b: Balance): string {
  return [b.account_id, b.account_address, b.asset, b.denomination, b.phase].join('\u0000');
}

/**
 * The as-of balances from a time range's values (oldest first, as the API lists them): per
 * dimension, the last value at or before the time.
 */
export function balancesAsOf(values: readonly Balance[], at: string): Balance[] {
  const cutoff = Date.parse(at);
  const last = new Map<string, Balance>();
  for (const b of values) if (Date.parse(b.value_time) <= cutoff) last.set(dimensionOf(b), b);
  return sortBalances([...last.values()]);
}

/** By address, then asset, denomination and phase, so tables read the same every time. */
export function sortBalances(values: Balance[]): Balance[] {
  return values.sort((a, b) =>
    dimensionOf(a) < dimensionOf(b) ? -1 : dimensionOf(a) > dimensionOf(b) ? 1 : 0,
  );
}

/** "POSTING_PHASE_PENDING_OUTGOING" reads as "pending outgoing". */
export function phaseLabel(phase: string): string {
  return phase
    .replace(/^POSTING_PHASE_/, '')
    .replaceAll('_', ' ')
    .toLowerCase();
}
