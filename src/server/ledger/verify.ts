/**
 * Verify (ledger.md 6): reads everything the ledger stored and checks its invariants, naming the
 * rows at fault. Read-only; runs over the API (`GET /v1/ledger:verify`) or offline
 * (`strata server verify`). Pages through the tables, so memory grows with the number of
 * dimensions, batches and client transactions, not with the number of postings' bytes.
 */
import { addPosting, ZERO_TOTALS } from '../../ledger/balances.js';
import { formatMinorUnits } from '../../ledger/money.js';
import {
  clientTransactionKey,
  COMMITTED,
  dimensionKey,
  PENDING_INCOMING,
  PENDING_OUTGOING,
  type BalanceTotals,
  type ClientTransaction,
} from '../../ledger/types.js';
import type { PostingRecord } from '../../storage/ledger-types.js';
import type { ReadTx, Storage } from '../../storage/types.js';
import { UsageError } from '../../errors.js';
import { openStorage, parseDatabase } from '../../storage/open.js';
import { BATCH_EVENTS } from './service.js';

export type VerifyCheck =
  | 'BATCH_NOT_BALANCED'
  | 'POSTING_WITHOUT_ACCEPTED_BATCH'
  | 'BALANCE_DIFFERS_FROM_POSTINGS'
  | 'BALANCE_ENTRIES_DIFFER'
  | 'REQUEST_ID_HAS_TWO_BATCHES'
  | 'EVENT_SEQUENCE_GAP'
  | 'BATCH_WITHOUT_EVENT'
  | 'CLIENT_TRANSACTION_DIFFERS';

export interface VerifyFinding {
  check: VerifyCheck;
  message: string;
  /** The rows at fault (table and key). */
  rows: string[];
}

export interface VerifyReport {
  ok: boolean;
  counts: {
    batches: number;
    postings: number;
    balances: number;
    events: number;
    client_transactions: number;
  };
  findings: VerifyFinding[];
}

const PAGE = 5000;
/** Findings reported per check at most (the count says how many there were). */
const MAX_FINDINGS = 100;

export async function verifyLedger(storage: Storage): Promise<VerifyReport> {
  return storage.read(async (tx) => {
    const findings: VerifyFinding[] = [];
    const add = (f: VerifyFinding): void => {
      if (findings.filter((x) => x.check === f.check).length < MAX_FINDINGS) findings.push(f);
    };
    const postings = await checkPostings(tx, add);
    const balances = await checkBalances(tx, postings.totals, add);
    const batches = await checkBatches(tx, add);
    checkPostingOwners(postings.batchSeqs, batches.accepted, add);
    const events = await checkEvents(tx, batches.ids, add);
    const clientTransactions = await checkClientTransactions(tx, postings.byTransaction, add);
    return {
      ok: findings.length === 0,
      counts: {
        batches: batches.ids.size,
        postings: postings.count,
        balances,
        events,
        client_transactions: clientTransactions,
      },
      findings,
    };
  });
}

type Add = (f: VerifyFinding) => void;

interface PostingScan {
  count: number;
  /** Totals per dimension recomputed from the postings. */
  totals: Map<string, BalanceTotals>;
  /** Per client transaction: totals per `account\0phase`. */
  byTransaction: Map<string, Map<string, BalanceTotals>>;
  /** The batches (seq) the postings name. */
  batchSeqs: Set<number>;
}

async function checkPostings(tx: ReadTx, add: Add): Promise<PostingScan> {
  const scan: PostingScan = { count: 0, totals: new Map(), byTransaction: new Map(), batchSeqs: new Set() };
  const nets = new Map<number, Map<string, bigint>>();
  for (let after = 0; ;) {
    const page = await tx.ledger.scanPostings(after, PAGE);
    for (const p of page) record(scan, nets, p);
    if (page.length < PAGE) break;
    after = page[page.length - 1]?.seq ?? after;
  }
  for (const [batchSeq, groups] of nets) {
    scan.batchSeqs.add(batchSeq);
    const off = [...groups].filter(([, v]) => v !== 0n);
    if (off.length === 0) continue;
    add({
      check: 'BATCH_NOT_BALANCED',
      message: `batch ${batchSeq} does not net to zero: ${off.map(([g, v]) => `${g} nets to ${formatMinorUnits(v, 0)} minor units`).join('; ')}`,
      rows: [`ledger_batches seq=${batchSeq}`],
    });
  }
  return scan;
}

function record(scan: PostingScan, nets: Map<number, Map<string, bigint>>, p: PostingRecord): void {
  scan.count += 1;
  const key = dimensionKey(p);
  scan.totals.set(key, addPosting(scan.totals.get(key) ?? ZERO_TOTALS, p));
  const groups = nets.get(p.batchSeq) ?? new Map<string, bigint>();
  const group = `${p.denomination}/${p.asset}/${p.phase}`;
  groups.set(group, (groups.get(group) ?? 0n) + (p.credit ? p.amount : -p.amount));
  nets.set(p.batchSeq, groups);
  const txKey = clientTransactionKey(p.clientId, p.clientTransactionId);
  const perTx = scan.byTransaction.get(txKey) ?? new Map<string, BalanceTotals>();
  const at = `${p.accountId}\u0000${p.phase}`;
  perTx.set(at, addPosting(perTx.get(at) ?? ZERO_TOTALS, p));
  scan.byTransaction.set(txKey, perTx);
}

function describeTotals(t: BalanceTotals): string {
  return `debit ${t.debit} credit ${t.credit}`;
}

async function checkBalances(tx: ReadTx, recomputed: Map<string, BalanceTotals>, add: Add): Promise<number> {
  const unseen = new Map(recomputed);
  let count = 0;
  for (let after = 0; ;) {
    const page = await tx.ledger.scanBalances(after, PAGE);
    for (const b of page) {
      count += 1;
      const key = dimensionKey(b.dimension);
      const expected = recomputed.get(key) ?? ZERO_TOTALS;
      unseen.delete(key);
      const row = `ledger_balances dim_seq=${b.dimSeq} (${key.split('\u0000').join('/')})`;
      if (expected.debit !== b.totals.debit || expected.credit !== b.totals.credit) {
        add({
          check: 'BALANCE_DIFFERS_FROM_POSTINGS',
          message: `stored ${describeTotals(b.totals)} but the postings add up to ${describeTotals(expected)} (minor units)`,
          rows: [row],
        });
      }
      const entries = await tx.ledger.entryTotals(b.dimSeq);
      if (entries.debit !== b.totals.debit || entries.credit !== b.totals.credit) {
        add({
          check: 'BALANCE_ENTRIES_DIFFER',
          message: `stored ${describeTotals(b.totals)} but its balance entries add up to ${describeTotals(entries)}`,
          rows: [row],
        });
      }
    }
    if (page.length < PAGE) break;
    after = page[page.length - 1]?.dimSeq ?? after;
  }
  for (const [key, totals] of unseen) {
    add({
      check: 'BALANCE_DIFFERS_FROM_POSTINGS',
      message: `postings add up to ${describeTotals(totals)} but there is no balance row`,
      rows: [`ledger_postings of ${key.split('\u0000').join('/')}`],
    });
  }
  return count;
}

/** Postings belong to a stored ACCEPTED batch (a batch row lost, or a rejected one with postings, is named). */
function checkPostingOwners(batchSeqs: ReadonlySet<number>, accepted: ReadonlySet<number>, add: Add): void {
  for (const seq of batchSeqs) {
    if (accepted.has(seq)) continue;
    add({
      check: 'POSTING_WITHOUT_ACCEPTED_BATCH',
      message: `postings name batch ${seq}, which is not a stored ACCEPTED batch`,
      rows: [`ledger_postings batch_seq=${seq}`],
    });
  }
}

async function checkBatches(tx: ReadTx, add: Add): Promise<{ ids: Set<string>; accepted: Set<number> }> {
  const ids = new Set<string>();
  const accepted = new Set<number>();
  const requests = new Map<string, number>();
  for (let after = 0; ;) {
    const page = await tx.ledger.scanBatches(after, PAGE);
    for (const b of page) {
      ids.add(b.id);
      if (b.status === 'ACCEPTED') accepted.add(b.seq);
      const other = requests.get(b.requestId);
      if (other !== undefined) {
        add({
          check: 'REQUEST_ID_HAS_TWO_BATCHES',
          message: `request_id ${b.requestId} has two batches`,
          rows: [`ledger_batches seq=${other}`, `ledger_batches seq=${b.seq}`],
        });
      }
      requests.set(b.requestId, b.seq);
    }
    if (page.length < PAGE) break;
    after = page[page.length - 1]?.seq ?? after;
  }
  return { ids, accepted };
}

async function checkEvents(tx: ReadTx, batchIds: ReadonlySet<string>, add: Add): Promise<number> {
  const evented = new Set<string>();
  let expected = 1;
  let count = 0;
  for (let after = 0; ;) {
    const page = await tx.events.read({ afterSeq: after, limit: PAGE });
    for (const e of page) {
      count += 1;
      if (e.sequence !== expected) {
        add({
          check: 'EVENT_SEQUENCE_GAP',
          message: `event sequence jumps from ${expected - 1} to ${e.sequence}`,
          rows: [`events seq=${e.sequence}`],
        });
      }
      expected = e.sequence + 1;
      if (e.topic === BATCH_EVENTS) evented.add(e.key);
    }
    if (page.length < PAGE) break;
    after = page[page.length - 1]?.sequence ?? after;
  }
  for (const id of batchIds) {
    if (!evented.has(id)) {
      add({
        check: 'BATCH_WITHOUT_EVENT',
        message: `batch ${id} has no ${BATCH_EVENTS} event`,
        rows: [`ledger_batches id=${id}`],
      });
    }
  }
  return count;
}

/** What a client transaction's postings say its hold and its settled total are. */
function fromPostings(
  t: ClientTransaction,
  perTx: Map<string, BalanceTotals> | undefined,
): { pending: bigint; settled: bigint } {
  const at = (phase: string) => perTx?.get(`${t.targetAccountId ?? ''}\u0000${phase}`) ?? ZERO_TOTALS;
  if (t.kind === 'OUTBOUND_AUTHORISATION') {
    const hold = at(PENDING_OUTGOING);
    const committed = at(COMMITTED);
    return { pending: hold.debit - hold.credit, settled: committed.debit - committed.credit };
  }
  const hold = at(PENDING_INCOMING);
  const committed = at(COMMITTED);
  return { pending: hold.credit - hold.debit, settled: committed.credit - committed.debit };
}

async function checkClientTransactions(
  tx: ReadTx,
  byTransaction: Map<string, Map<string, BalanceTotals>>,
  add: Add,
): Promise<number> {
  let count = 0;
  for (let after: { clientId: string; clientTransactionId: string } | null = null; ;) {
    const page = await tx.ledger.scanClientTransactions(after, PAGE);
    for (const t of page) {
      count += 1;
      if (t.kind !== 'INBOUND_AUTHORISATION' && t.kind !== 'OUTBOUND_AUTHORISATION') continue;
      const key = clientTransactionKey(t.clientId, t.clientTransactionId);
      const actual = fromPostings(t, byTransaction.get(key));
      const closedWithHold = t.status === 'CLOSED' && t.pending !== 0n;
      if (actual.pending !== t.pending || actual.settled !== t.settled || closedWithHold) {
        add({
          check: 'CLIENT_TRANSACTION_DIFFERS',
          message: `stored ${t.status} pending ${t.pending} settled ${t.settled}; its postings say pending ${actual.pending} settled ${actual.settled} (minor units)`,
          rows: [`ledger_client_transactions (${t.clientId}, ${t.clientTransactionId})`],
        });
      }
    }
    if (page.length < PAGE) break;
    const last = page[page.length - 1];
    after = last ? { clientId: last.clientId, clientTransactionId: last.clientTransactionId } : after;
  }
  return count;
}

/** `strata server verify`: opens the data dir's (or database's) storage and verifies it. */
export async function verifyDatabase(options: {
  dataDir: string;
  database?: string | undefined;
}): Promise<VerifyReport> {
  const spec = parseDatabase(options.database, options.dataDir);
  if (!spec)
    throw new UsageError(`--database ${options.database ?? ''} is neither sqlite:PATH nor a postgres:// URL`);
  const storage = await openStorage(spec);
  try {
    return await verifyLedger(storage);
  } finally {
    await storage.close();
  }
}
