/** Text renderings of the ledger commands' results (JSON output is the result itself). */
import type { BalanceView } from './remote.js';

/** One aligned line per balance: address, asset, denomination, phase, amount. */
export function formatBalances(balances: readonly BalanceView[]): string {
  if (balances.length === 0) return '  (no balances)';
  const rows = balances.map((b) => [
    b.account_address,
    b.asset,
    b.denomination,
    b.phase.replace('POSTING_PHASE_', ''),
    b.amount,
  ]);
  const widths = [0, 1, 2, 3, 4].map((i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows
    .map(
      (r) =>
        `  ${r.map((cell, i) => (i === 4 ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0))).join('  ')}`,
    )
    .join('\n');
}
