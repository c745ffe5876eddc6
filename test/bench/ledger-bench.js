// Benchmark of the ledger: `npm run bench:ledger` (builds first). Starts a bare `node:http` server
// (test/bench/bare-server.js, the ceiling on this machine), `strata server start` on SQLite (whose
// group commit acknowledges only what is synced, FULL's guarantee) and on PostgreSQL, and seeds
// each ledger with 2,000 accounts funded with 1,000,000.00 GBP each. The load comes from autocannon
// in its own process (test/bench/ledger-load.js, configured like load.js), the same requests for
// all three targets. Measured:
//   - transfers between the 2,000 accounts at 32 connections, in STRATA_BENCH_ROUNDS rounds
//     (default 3), each round the ceiling, SQLite and PostgreSQL back to back; medians reported,
//     ratios as the median of the per-round ratios;
//   - transfers between 10 hot accounts; live balance reads of one account;
//   - as-of reads (timerange with from = to) of an account with 100,000 postings (100,000
//     batches, value times over a year, 1% backdated), at 32 connections and at 1.
// PostgreSQL URL: STRATA_BENCH_PG_URL, else STRATA_TEST_PG_URL, else the local default; a fresh
// schema, dropped afterwards. Figures are printed, never asserted. STRATA_BENCH_SECONDS (10),
// STRATA_BENCH_HISTORY (100000), STRATA_BENCH_ACCOUNTS (2000) shorten a run.
/* global fetch */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CONNECTIONS,
  RUN,
  TOKEN,
  drive,
  load,
  openPostgres,
  printMachine,
  row,
  runRounds,
  startBare,
  startStrata,
  stop,
  summarize,
  uptime,
} from './common.js';

const ACCOUNTS = Number(process.env.STRATA_BENCH_ACCOUNTS ?? 2000);
const HOT = 10;
const HISTORY = Number(process.env.STRATA_BENCH_HISTORY ?? 100_000);
const HISTORY_START = Date.UTC(2025, 0, 1);
const HISTORY_STEP_MS = 5 * 60_000;

/** Runs one ledger workload (ledger-load.js) against `url`. */
const ledgerLoad = (url, workload, extra) => drive('ledger-load.js', url, workload, extra);

// ---- seeding -----------------------------------------------------------------------------------

async function post(url, path, body) {
  const res = await fetch(url + path, {
    method: 'POST',
    headers: { 'x-auth-token': TOKEN, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`${path} answered ${res.status}: ${text.slice(0, 300)}`);
  const json = JSON.parse(text);
  if (json.status?.endsWith('REJECTED')) throw new Error(`${path} rejected: ${text.slice(0, 300)}`);
  return json;
}

/** Runs `count` calls of `fn(i)` with 32 in flight. */
async function inParallel(count, fn) {
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < count; i = next++) await fn(i);
  };
  await Promise.all(Array.from({ length: CONNECTIONS }, worker));
}

const code = (extra) => `api = "4.0.0"\nversion = "1.0.0"\n${extra}`;

const deposit = (account, amount) => (i) => ({
  client_transaction_id: `d-${account}-${i}`,
  inbound_hard_settlement: {
    amount,
    denomination: 'GBP',
    target_account: { account_id: account },
    internal_account_id: 'BENCH_BANK',
  },
});

function batch(id, instructions, valueTime) {
  return {
    request_id: id,
    posting_instruction_batch: {
      client_id: 'bench-seed',
      client_batch_id: id,
      ...(valueTime !== undefined ? { value_timestamp: new Date(valueTime).toISOString() } : {}),
      posting_instructions: instructions,
    },
  };
}

/** Products, BENCH_BANK, a customer, 2,000 funded accounts and the history account. */
async function seed(url) {
  const started = Date.now();
  await post(url, '/v1/product-versions', {
    request_id: 'seed-gl',
    product_version: { product_id: 'bench_gl', display_name: 'GL', code: code('') },
    migration_strategy: 'PRODUCT_VERSION_MIGRATION_STRATEGY_NEW_PRODUCT',
    is_internal: true,
  });
  await post(url, '/v1/product-versions', {
    request_id: 'seed-current',
    product_version: {
      product_id: 'bench_current',
      display_name: 'Current',
      code: code('tside = Tside.LIABILITY\n'),
    },
    migration_strategy: 'PRODUCT_VERSION_MIGRATION_STRATEGY_NEW_PRODUCT',
  });
  await post(url, '/v1/internal-accounts', {
    request_id: 'seed-bank',
    internal_account: { id: 'BENCH_BANK', product_id: 'bench_gl', accounting: { tside: 'TSIDE_ASSET' } },
  });
  await post(url, '/v1/customers', { request_id: 'seed-customer', customer: { id: 'bench_customer' } });
  const open = (id) =>
    post(url, '/v1/accounts', {
      request_id: `seed-${id}`,
      account: {
        id,
        product_id: 'bench_current',
        stakeholder_ids: ['bench_customer'],
        permitted_denominations: ['GBP'],
        opening_timestamp: '2024-01-01T00:00:00.000Z',
      },
    });
  await inParallel(ACCOUNTS, (i) => open(`b_acc_${i}`));
  await open('b_hist');
  // 64 deposits per batch: 32 batches fund the 2,000 accounts.
  await inParallel(Math.ceil(ACCOUNTS / 64), (b) => {
    const ids = Array.from({ length: 64 }, (_, k) => b * 64 + k).filter((i) => i < ACCOUNTS);
    return post(
      url,
      '/v1/posting-instruction-batches',
      batch(
        `seed-fund-${b}`,
        ids.map((i) => deposit(`b_acc_${i}`, '1000000.00')(i)),
      ),
    );
  });
  const accountsSeconds = (Date.now() - started) / 1000;
  const historyStarted = Date.now();
  await inParallel(HISTORY, (i) => {
    // 1% backdated to a random earlier time: the as-of path must count them in.
    const at =
      i % 100 === 99
        ? HISTORY_START + Math.floor(Math.random() * i) * HISTORY_STEP_MS
        : HISTORY_START + i * HISTORY_STEP_MS;
    return post(
      url,
      '/v1/posting-instruction-batches',
      batch(`seed-hist-${i}`, [deposit('b_hist', '1.00')(i)], at),
    );
  });
  const historySeconds = (Date.now() - historyStarted) / 1000;
  return { accountsSeconds, historySeconds };
}

const transfers = (accounts, name, r) => ({
  accounts,
  accountPrefix: 'b_acc_',
  prefix: `${RUN}_${name}_${r}`,
  seed: r,
});

async function transferRounds(servers) {
  const title = `transfers between ${ACCOUNTS} accounts`;
  const rounds = await runRounds(servers, title, (server, name, r) =>
    ledgerLoad(server.url, 'transfer', transfers(ACCOUNTS, name, r)),
  );
  summarize(rounds, Object.keys(servers), title, {
    'sqlite/bare': 'target >= 0.25',
    'postgres/sqlite': 'target >= 0.5',
  });
}

async function otherWorkloads(servers) {
  const loadBefore = load();
  const rows = [];
  for (const name of ['sqlite', 'postgres']) {
    const server = servers[name];
    if (!server) continue;
    rows.push(
      row(
        `${name}: transfers, ${HOT} hot accounts`,
        await ledgerLoad(server.url, 'transfer', transfers(HOT, `${name}_hot`, 9)),
      ),
    );
    rows.push(
      row(
        `${name}: live balances of 1 account`,
        await ledgerLoad(server.url, 'balance-live', { accounts: ACCOUNTS, accountPrefix: 'b_acc_' }),
      ),
    );
    const asOf = {
      account: 'b_hist',
      fromMs: HISTORY_START,
      toMs: HISTORY_START + HISTORY * HISTORY_STEP_MS,
    };
    rows.push(
      row(`${name}: as-of balance, ${HISTORY} postings`, await ledgerLoad(server.url, 'balance-asof', asOf)),
    );
    rows.push(
      row(
        `${name}: as-of balance, ${HISTORY} postings, 1 conn`,
        await ledgerLoad(server.url, 'balance-asof', { ...asOf, connections: 1 }),
      ),
    );
  }
  console.log(`\nother workloads (one run each; load before: ${loadBefore})`);
  console.table(rows);
}

printMachine();

const dataDir = mkdtempSync(join(tmpdir(), 'strata-ledger-bench-'));
const postgres = await openPostgres('strata_ledger_bench');
const servers = {};
try {
  servers.bare = await startBare();
  servers.sqlite = await startStrata(['--quiet', '--data-dir', dataDir]);
  if (postgres) servers.postgres = await startStrata(['--quiet', '--database', postgres.database]);
  for (const name of ['sqlite', 'postgres']) {
    if (!servers[name]) continue;
    const s = await seed(servers[name].url);
    console.log(
      `${name}: seeded ${ACCOUNTS} funded accounts in ${s.accountsSeconds.toFixed(1)} s; ` +
        `${HISTORY} history batches in ${s.historySeconds.toFixed(1)} s (${Math.round(HISTORY / s.historySeconds)} batches/s at ${CONNECTIONS} in flight, fetch)`,
    );
  }
  await transferRounds(servers);
  await otherWorkloads(servers);
  console.log(`\nload at end: ${uptime()}`);
} finally {
  for (const s of Object.values(servers)) await stop(s);
  await postgres?.drop();
  rmSync(dataDir, { recursive: true, force: true });
}
