/** One line about an event, for the feed; amounts are the API's decimal strings, unchanged. */
import { phaseLabel, type Balance } from './balances.js';
import { versionNumber } from './format.js';
import type { Account, Activation, Batch, LedgerEvent, ProductVersion } from './model.js';

type Payload = Record<string, unknown>;

function batchLine(b: Batch): string {
  const moves = b.posting_instructions.flatMap((pi) =>
    pi.committed_postings.map((p) => `${p.credit ? '+' : '−'}${p.amount} ${p.denomination} ${p.account_id}`),
  );
  const status = b.status.replace('POSTING_INSTRUCTION_BATCH_STATUS_', '').toLowerCase();
  return `batch ${status}: ${moves.join(', ') || 'no postings'}`;
}

function balanceLine(p: Payload): string {
  const balances = (p['balances'] as Balance[] | undefined) ?? [];
  return `${String(p['account_id'] ?? '')}: ${balances
    .map((b) => `${b.account_address} ${phaseLabel(b.phase)} ${b.amount} ${b.denomination}`)
    .join(', ')}`;
}

export function describeEvent(e: LedgerEvent): string {
  const p = e.payload;
  if (p['posting_instruction_batch']) return batchLine(p['posting_instruction_batch'] as Batch);
  if (Array.isArray(p['balances'])) return balanceLine(p);
  const created = p['account_created'] as { account?: Account } | undefined;
  if (created?.account) return `account ${created.account.id} opened on ${created.account.product_id}`;
  const updated = p['account_updated'] as { account?: Account } | undefined;
  if (updated?.account) return `account ${updated.account.id} updated`;
  const version = (p['product_version_created'] as { product_version?: ProductVersion } | undefined)
    ?.product_version;
  if (version)
    return `${version.product_id} version ${versionNumber(version.display_version_number)} created`;
  const activation = p['activation'] as Activation | undefined;
  if (activation) {
    const what = activation.product_id ?? activation.workflow_definition_id ?? '';
    return `${what}: version ${activation.to_version_id} made current by ${activation.actor}`;
  }
  return Object.keys(p).join(', ');
}

/** The last two parts of a topic name: vault.core_api.v1.balances.account_balance.events reads "account_balance.events". */
export function shortTopic(topic: string): string {
  return topic.split('.').slice(-2).join('.');
}
