/**
 * Page tokens of `GET /v1/balances/timerange`: where the last entry of a page sits (its dimension,
 * value time and batch) and that dimension's running totals there, so the next page continues the
 * running sum without re-reading the entries before it. Opaque to clients (base64url JSON).
 */
import type { BalanceTotals } from '../../ledger/types.js';
import type { EntryPosition } from '../../storage/ledger-types.js';
import { invalid } from '../errors.js';

export interface EntryResume {
  position: EntryPosition;
  totals: BalanceTotals;
}

const PHASES = new Set([
  'POSTING_PHASE_COMMITTED',
  'POSTING_PHASE_PENDING_INCOMING',
  'POSTING_PHASE_PENDING_OUTGOING',
]);

export function encodeEntryToken(r: EntryResume): string {
  const d = r.position.dimension;
  const text = JSON.stringify({
    k: [d.accountId, d.accountAddress, d.asset, d.denomination, d.phase],
    t: r.position.valueTime,
    s: r.position.batchSeq,
    d: r.totals.debit.toString(),
    c: r.totals.credit.toString(),
  });
  return Buffer.from(`entry:${text}`, 'utf8').toString('base64url');
}

function refused(): never {
  throw invalid('page_token is not a token this server issued', [
    { field: 'page_token', description: 'pass the next_page_token of the previous page unchanged' },
  ]);
}

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isUnits = (v: unknown): v is string => typeof v === 'string' && /^(0|[1-9][0-9]{0,19})$/.test(v);

export function decodeEntryToken(token: string): EntryResume {
  const text = Buffer.from(token, 'base64url').toString('utf8');
  if (!text.startsWith('entry:')) refused();
  let v: unknown;
  try {
    v = JSON.parse(text.slice('entry:'.length));
  } catch {
    refused();
  }
  const o = v as { k?: unknown; t?: unknown; s?: unknown; d?: unknown; c?: unknown } | null;
  const k = o?.k;
  if (
    !Array.isArray(k) ||
    k.length !== 5 ||
    !k.every((x) => typeof x === 'string') ||
    !PHASES.has(k[4] as string) ||
    !isCount(o?.t) ||
    !isCount(o?.s) ||
    !isUnits(o?.d) ||
    !isUnits(o?.c)
  ) {
    refused();
  }
  const [accountId, accountAddress, asset, denomination, phase] = k as string[];
  return {
    position: {
      dimension: {
        accountId: accountId ?? '',
        accountAddress: accountAddress ?? '',
        asset: asset ?? '',
        denomination: denomination ?? '',
        phase: phase as EntryPosition['dimension']['phase'],
      },
      valueTime: o.t,
      batchSeq: o.s,
    },
    totals: { debit: BigInt(o.d), credit: BigInt(o.c) },
  };
}
