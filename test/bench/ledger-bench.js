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
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, platform, release, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const CONNECTIONS = 32;
const DURATION = Number(process.env.STRATA_BENCH_SECONDS ?? 10);
const ROUNDS = Number(process.env.STRATA_BENCH_ROUNDS ?? 3);
const ACCOUNTS = Number(process.env.STRATA_BENCH_ACCOUNTS ?? 2000);
const HOT = 10;
const HISTORY = Number(process.env.STRATA_BENCH_HISTORY ?? 100_000);
const HISTORY_START = Date.UTC(2025, 0, 1);
const HISTORY_STEP_MS = 5 * 60_000;
const PG_URL =
  process.env.STRATA_BENCH_PG_URL ??
  process.env.STRATA_TEST_PG_URL ??
  'postgres://postgres@127.0.0.1:5432/test';
const SAFE_PG_URL = PG_URL.replace(/:[^:@/]*@/, ':***@');
const TOKEN = `strata_bench_${randomBytes(16).toString('hex')}`;
const RUN = randomBytes(4).toString('hex');

const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(', ');

function uptime() {
  try {
    return execFileSync('uptime', { encoding: 'utf8' }).trim();
  } catch {
    return `load average: ${load()}`;
  }
}

/** Starts a server process and resolves once it prints `listening on URL`. */
function start(args, env = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd: root,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d.toString();
      const m = /listening on (\S+)/.exec(out);
      if (m) resolve({ child, url: m[1] });
    });
    child.on('exit', (code) => reject(new Error(`server exited (${code}): ${out}`)));
  });
}

const startStrata = (args) =>
  start([join(root, 'bin', 'run.js'), 'server', 'start', '--port', '0', '--quiet', ...args], {
    STRATA_BOOTSTRAP_TOKEN: TOKEN,
  });

async function stop(server) {
  if (!server) return;
  server.child.removeAllListeners('exit');
  const exited = new Promise((r) => server.child.once('exit', r));
  server.child.kill('SIGTERM');
  await exited;
}

/** Runs one workload in the load-generator process; resolves with its figures. */
function drive(url, workload, extra = {}) {
  const config = { url, workload, token: TOKEN, connections: CONNECTIONS, duration: DURATION, ...extra };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(here, 'ledger-load.js'), JSON.stringify(config)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d.toString()));
    child.on('exit', (code) =>
      code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`load generator exited ${code}`)),
    );
  });
}

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

// ---- reporting ---------------------------------------------------------------------------------

function row(target, r) {
  return {
    target,
    'req/s': Math.round(r.rps),
    'p50 ms': r.p50,
    'p99 ms': r.p99,
    requests: r.total,
    non2xx: r.non2xx === 0 ? 0 : `${r.non2xx} (${r.statusCodes.join(' ')})`,
    errors: r.errors,
  };
}

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

async function openPostgres() {
  const admin = new pg.Client({ connectionString: PG_URL });
  try {
    await admin.connect();
  } catch (e) {
    console.log(`PostgreSQL SKIPPED: cannot connect to ${SAFE_PG_URL}: ${e.message}`);
    return undefined;
  }
  const schema = `strata_ledger_bench_${RUN}`;
  await admin.query(`CREATE SCHEMA "${schema}"`);
  const sep = PG_URL.includes('?') ? '&' : '?';
  return {
    database: `${PG_URL}${sep}options=${encodeURIComponent(`-c search_path=${schema}`)}`,
    drop: async () => {
      await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await admin.end();
    },
  };
}

const transfers = (accounts, name, r) => ({
  accounts,
  accountPrefix: 'b_acc_',
  prefix: `${RUN}_${name}_${r}`,
  seed: r,
});

async function transferRounds(servers) {
  const rounds = [];
  for (let r = 1; r <= ROUNDS; r++) {
    const round = { loadBefore: load() };
    for (const [name, server] of Object.entries(servers)) {
      if (server) round[name] = await drive(server.url, 'transfer', transfers(ACCOUNTS, name, r));
    }
    rounds.push(round);
    console.log(
      `\nround ${r} of ${ROUNDS}: transfers between ${ACCOUNTS} accounts (load before: ${round.loadBefore})`,
    );
    console.table(Object.keys(servers).flatMap((n) => (round[n] ? [row(n, round[n])] : [])));
  }
  const med = {};
  for (const n of Object.keys(servers)) {
    const runs = rounds.map((x) => x[n]).filter(Boolean);
    if (runs.length > 0)
      med[n] = {
        rps: median(runs.map((x) => x.rps)),
        p50: median(runs.map((x) => x.p50)),
        p99: median(runs.map((x) => x.p99)),
      };
  }
  const ratio = (a, b) =>
    median(rounds.filter((x) => x[a] && x[b]).map((x) => x[a].rps / x[b].rps)).toFixed(2);
  console.log(`\nmedians of ${rounds.length} rounds: transfers between ${ACCOUNTS} accounts`);
  console.table(
    Object.entries(med).map(([n, m]) => ({
      target: n,
      'req/s': Math.round(m.rps),
      'p50 ms': m.p50,
      'p99 ms': m.p99,
    })),
  );
  const lines = [];
  if (med.sqlite && med.bare)
    lines.push(`SQLite / bare node:http      = ${ratio('sqlite', 'bare')} (target >= 0.25)`);
  if (med.postgres && med.bare) lines.push(`PostgreSQL / bare node:http  = ${ratio('postgres', 'bare')}`);
  if (med.postgres && med.sqlite)
    lines.push(`PostgreSQL / SQLite          = ${ratio('postgres', 'sqlite')} (target >= 0.5)`);
  console.log(`ratios (median of the per-round ratios):\n  ${lines.join('\n  ')}`);
}

async function otherWorkloads(servers) {
  const rows = [];
  for (const name of ['sqlite', 'postgres']) {
    const server = servers[name];
    if (!server) continue;
    rows.push(
      row(
        `${name}: transfers, ${HOT} hot accounts`,
        await drive(server.url, 'transfer', transfers(HOT, `${name}_hot`, 9)),
      ),
    );
    rows.push(
      row(
        `${name}: live balances of 1 account`,
        await drive(server.url, 'balance-live', { accounts: ACCOUNTS, accountPrefix: 'b_acc_' }),
      ),
    );
    const asOf = {
      account: 'b_hist',
      fromMs: HISTORY_START,
      toMs: HISTORY_START + HISTORY * HISTORY_STEP_MS,
    };
    rows.push(
      row(`${name}: as-of balance, ${HISTORY} postings`, await drive(server.url, 'balance-asof', asOf)),
    );
    rows.push(
      row(
        `${name}: as-of balance, ${HISTORY} postings, 1 conn`,
        await drive(server.url, 'balance-asof', { ...asOf, connections: 1 }),
      ),
    );
  }
  console.log(`\nother workloads (one run each; load before: ${load()})`);
  console.table(rows);
}

const cpu = cpus();
console.log(
  `machine: ${cpu.length} cores x ${cpu[0]?.model ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB RAM, ` +
    `${platform()} ${release()}, Node ${process.version}\n` +
    `load at start: ${uptime()}\n` +
    `autocannon in its own process, ${CONNECTIONS} connections, ${DURATION}s per run; PostgreSQL ${SAFE_PG_URL}`,
);

const dataDir = mkdtempSync(join(tmpdir(), 'strata-ledger-bench-'));
const postgres = await openPostgres();
const servers = {};
try {
  servers.bare = await start([join(here, 'bare-server.js')]);
  servers.sqlite = await startStrata(['--data-dir', dataDir]);
  if (postgres) servers.postgres = await startStrata(['--database', postgres.database]);
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
