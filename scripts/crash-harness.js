/* global fetch, AbortSignal, clearTimeout */
// The ledger's crash harness: `npm run crash:ledger` (builds first). Starts the real server
// (`strata server start`, as a child process) on SQLite and, when it answers, on PostgreSQL; runs
// concurrent posters (deposits, withdrawals, transfers, authorisations and their settlements, a
// two-instruction batch) against it; SIGKILLs the server at random moments (while requests are in
// flight, sometimes right after it starts listening, sometimes before); restarts it and retries
// every request that had no answer, with the same request id and body, until it is answered.
// Then it checks, against the answers it kept:
//   - no acknowledged batch lost: every answered request is in the batch list with the id and
//     status it was answered with, and replaying its request id answers the same batch;
//   - none applied twice: one batch per request (client_batch_id = request id), no other batch;
//   - money conserved: every live balance equals the sum of the committed postings of the
//     ACCEPTED answers, and total debits equal total credits per (denomination, phase);
//   - verify clean: GET /v1/ledger:verify and the offline `strata server verify` both report ok.
// Usage: node scripts/crash-harness.js [--kills N] [--pg-kills N] [--storage sqlite|postgres|both]
//        [--posters N] [--accounts N] [--seed N] [--json] [--tamper (self-test: the checks must fail)]
// PostgreSQL: STRATA_CRASH_PG_URL, else STRATA_TEST_PG_URL, else the local default; each run uses a
// fresh schema, dropped afterwards. Exit 0 when every check passed, 1 with findings.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import pg from 'pg';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const RUN_JS = join(root, 'bin', 'run.js');
const DEFAULT_PG_URL = 'postgres://postgres@127.0.0.1:5432/test';
const REQUEST_TIMEOUT_MS = 20_000;
const START_TIMEOUT_MS = 60_000;

/** A small seeded generator (mulberry32), so a run can be repeated with --seed. */
export function seeded(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** GBP minor units of a rendered amount ("12.30", "-0.05"). */
function minor(amount) {
  const negative = amount.startsWith('-');
  const [whole, frac = ''] = (negative ? amount.slice(1) : amount).split('.');
  const units = BigInt(whole) * 100n + BigInt((frac + '00').slice(0, 2));
  return negative ? -units : units;
}

function money(units) {
  return `${units / 100n}.${String(units % 100n).padStart(2, '0')}`;
}

// ---------------------------------------------------------------------------------------------
// The server process

/** The server as a killable child process; `url` is set while it is up. */
class ServerProcess {
  child = undefined;
  url = undefined;
  /** Resolves when the server is up again (replaced at every kill). */
  #up;
  #markUp = () => undefined;
  #tail = [];

  constructor(args, token) {
    this.args = args;
    this.token = token;
    this.#resetUp();
  }

  #resetUp() {
    this.#up = new Promise((r) => {
      this.#markUp = r;
    });
  }

  whenUp() {
    return this.#up;
  }

  /**
   * Starts the server; resolves with its URL once it prints `listening on URL`, or with undefined
   * when the harness killed it before that.
   */
  start() {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [RUN_JS, 'server', 'start', '--port', '0', ...this.args], {
        cwd: root,
        env: { ...process.env, STRATA_BOOTSTRAP_TOKEN: this.token, NODE_ENV: 'production' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      this.child = child;
      let out = '';
      const timer = setTimeout(() => reject(new Error(`server did not start: ${out}`)), START_TIMEOUT_MS);
      child.stdout.on('data', (d) => {
        out += d.toString();
        const m = /listening on (\S+)/.exec(out);
        if (m && this.url === undefined && this.child === child && !child.killedByHarness) {
          clearTimeout(timer);
          this.url = m[1];
          this.#markUp();
          resolve(m[1]);
        }
      });
      child.stderr.on('data', (d) => {
        this.#tail.push(d.toString());
        if (this.#tail.length > 20) this.#tail.shift();
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        if (child.killedByHarness) {
          resolve(undefined);
          return;
        }
        this.failure = `server exited by itself (${code}): ${out}${this.#tail.join('')}`;
        reject(new Error(this.failure));
      });
    });
  }

  /** SIGKILL; resolves once the process is gone. Requests now fail until the next start. */
  async kill() {
    const child = this.child;
    this.url = undefined;
    this.#resetUp();
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise((r) => child.once('exit', r));
    child.killedByHarness = true;
    child.kill('SIGKILL');
    await gone;
  }

  /** SIGTERM (a drain); resolves with the exit code. */
  async stop() {
    const child = this.child;
    this.url = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return child?.exitCode;
    const gone = new Promise((r) => child.once('exit', (code) => r(code)));
    child.killedByHarness = true;
    child.kill('SIGTERM');
    return gone;
  }

  stderrTail() {
    return this.#tail.join('').slice(-2000);
  }
}

// ---------------------------------------------------------------------------------------------
// Requests

/**
 * Sends one request; resolves with {status, json, replay} or with {unanswered: reason} when the
 * connection failed (the server died) or the server said 503 (it cannot answer right now).
 */
async function send(server, method, path, body) {
  const url = server.url;
  if (url === undefined) return { unanswered: 'down' };
  try {
    const res = await fetch(url + path, {
      method,
      headers: { 'x-auth-token': server.token, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const text = await res.text();
    if (res.status === 503) return { unanswered: `503 ${text}` };
    let json;
    try {
      json = JSON.parse(text);
    } catch {
      json = { text };
    }
    return { status: res.status, json, replay: res.headers.get('idempotent-replay') === 'true' };
  } catch (e) {
    return { unanswered: String(e?.cause?.code ?? e?.name ?? e) };
  }
}

/** Sends until answered, waiting for the server to come back between tries. */
async function sendUntilAnswered(server, method, path, body, stats) {
  for (;;) {
    if (server.failure !== undefined) throw new Error(server.failure);
    const r = await send(server, method, path, body);
    if (r.unanswered === undefined) return r;
    if (stats) stats.unansweredTries += 1;
    await Promise.race([server.whenUp(), sleep(50)]);
  }
}

const CONTRACT = (extra) => `api = "4.0.0"\nversion = "1.0.0"\n${extra}`;

/** Products, the internal account BANK, a customer and `n` accounts (idempotent request ids). */
async function setUp(server, n) {
  const calls = [
    [
      '/v1/product-versions',
      {
        request_id: 'setup-gl',
        product_version: { product_id: 'crash_gl', display_name: 'GL', code: CONTRACT('') },
        migration_strategy: 'PRODUCT_VERSION_MIGRATION_STRATEGY_NEW_PRODUCT',
        is_internal: true,
      },
    ],
    [
      '/v1/product-versions',
      {
        request_id: 'setup-current',
        product_version: {
          product_id: 'crash_current',
          display_name: 'Current',
          code: CONTRACT('tside = Tside.LIABILITY\n'),
        },
        migration_strategy: 'PRODUCT_VERSION_MIGRATION_STRATEGY_NEW_PRODUCT',
      },
    ],
    [
      '/v1/internal-accounts',
      {
        request_id: 'setup-bank',
        internal_account: { id: 'CRASH_BANK', product_id: 'crash_gl', accounting: { tside: 'TSIDE_ASSET' } },
      },
    ],
    ['/v1/customers', { request_id: 'setup-customer', customer: { id: 'crash_customer' } }],
  ];
  for (let i = 0; i < n; i++) {
    calls.push([
      '/v1/accounts',
      {
        request_id: `setup-account-${i}`,
        account: {
          id: accountId(i),
          product_id: 'crash_current',
          stakeholder_ids: ['crash_customer'],
          permitted_denominations: ['GBP'],
          opening_timestamp: '2020-01-01T00:00:00.000Z',
        },
      },
    ]);
  }
  for (const [path, body] of calls) {
    const r = await sendUntilAnswered(server, 'POST', path, body);
    if (r.status !== 200) throw new Error(`set-up ${path} answered ${r.status}: ${JSON.stringify(r.json)}`);
  }
}

const accountId = (i) => `crash_acc_${i}`;

// ---------------------------------------------------------------------------------------------
// Posters

/** What the harness asked and what it was told, per request id. */
class Ledger {
  /** request id -> {body, answer: {status, batchId, batchStatus, postings} | undefined, retried} */
  requests = new Map();
  findings = [];

  finding(message) {
    if (this.findings.length < 50) this.findings.push(message);
  }
}

function instruction(ctid, type, fields) {
  return { client_transaction_id: ctid, [type]: fields };
}

/** One poster: picks an operation, sends it until answered, records the answer. */
class Poster {
  /** Accepted authorisations not settled yet: client transaction ids. */
  #open = [];
  #n = 0;

  constructor(index, ctx) {
    this.index = index;
    this.ctx = ctx;
  }

  async run(shouldStop) {
    while (!shouldStop()) await this.#once();
  }

  /** Up to `max` minor units (deposits are larger than spends, so most spends are funded). */
  #amount(max) {
    return money(BigInt(1 + Math.floor(this.ctx.random() * max)));
  }

  #account() {
    return accountId(Math.floor(this.ctx.random() * this.ctx.accounts));
  }

  /** The instructions of the next batch. */
  #next(id) {
    const r = this.ctx.random();
    const target = this.#account();
    const settlement = (amount, account, internal) => ({
      amount,
      denomination: 'GBP',
      target_account: { account_id: account },
      internal_account_id: internal,
    });
    const deposit = () => settlement(this.#amount(50_000), target, 'CRASH_BANK');
    const spend = () => settlement(this.#amount(5_000), target, 'CRASH_BANK');
    if (r < 0.3) return [instruction(id, 'inbound_hard_settlement', deposit())];
    if (r < 0.45) return [instruction(id, 'outbound_hard_settlement', spend())];
    if (r < 0.75) {
      let creditor = this.#account();
      if (creditor === target) creditor = accountId((Number(target.split('_')[2]) + 1) % this.ctx.accounts);
      return [
        instruction(id, 'transfer', {
          amount: this.#amount(5_000),
          denomination: 'GBP',
          debtor_target_account: { account_id: target },
          creditor_target_account: { account_id: creditor },
        }),
      ];
    }
    if (r < 0.85) return [instruction(id, 'outbound_authorisation', spend())];
    if (r < 0.95 && this.#open.length > 0) {
      const ctid = this.#open.shift();
      return [instruction(ctid, 'settlement', { final: true })];
    }
    return [
      instruction(`${id}-a`, 'inbound_hard_settlement', deposit()),
      instruction(`${id}-b`, 'outbound_authorisation', spend()),
    ];
  }

  async #once() {
    const { server, ledger, run, stats } = this.ctx;
    this.#n += 1;
    const requestId = `crash-${run}-${this.index}-${this.#n}`;
    const instructions = this.#next(requestId);
    const body = {
      request_id: requestId,
      posting_instruction_batch: {
        client_id: 'crash-harness',
        client_batch_id: requestId,
        posting_instructions: instructions,
      },
    };
    const record = { body, answer: undefined, retried: false };
    ledger.requests.set(requestId, record);
    let r = await send(server, 'POST', '/v1/posting-instruction-batches', body);
    if (r.unanswered !== undefined) {
      record.retried = true;
      stats.retried += 1;
      await Promise.race([server.whenUp(), sleep(50)]);
      r = await sendUntilAnswered(server, 'POST', '/v1/posting-instruction-batches', body, stats);
    }
    stats.answered += 1;
    if (r.status !== 200) {
      ledger.finding(`${requestId} answered ${r.status}: ${JSON.stringify(r.json).slice(0, 300)}`);
      return;
    }
    record.answer = answerOf(r.json);
    if (record.answer.batchStatus.endsWith('ACCEPTED')) {
      const auth = instructions.find((i) => i.outbound_authorisation !== undefined);
      if (auth !== undefined && instructions.length === 1) this.#open.push(auth.client_transaction_id);
    }
  }
}

function answerOf(batch) {
  return {
    batchId: batch.id,
    batchStatus: batch.status,
    postings: (batch.posting_instructions ?? []).flatMap((i) => i.committed_postings ?? []),
  };
}

// ---------------------------------------------------------------------------------------------
// The killer

/** Kills the server `kills` times at random moments and restarts it each time. */
async function killer(ctx, kills, onKill) {
  const { server, random, stats } = ctx;
  for (let k = 0; k < kills; k++) {
    const mode = random();
    if (mode < 0.1) {
      // Right after it came up: the first requests of the restart, the recovery.
      await sleep(Math.floor(random() * 30));
    } else {
      // After the retried requests were answered and new ones are flowing (at least one answer
      // per poster since the restart), then a random moment.
      const base = stats.answered;
      const until = Date.now() + 30_000;
      while (stats.answered < base + ctx.posters && Date.now() < until) await sleep(10);
      await sleep(Math.floor(random() * 1000));
    }
    await server.kill();
    stats.kills += 1;
    onKill?.(k + 1);
    // Sometimes die again before listening (during migrations / opening the storage).
    if (random() < 0.05) {
      void server.start();
      await sleep(Math.floor(random() * 300));
      await server.kill();
      stats.earlyKills += 1;
    }
    await server.start();
  }
}

// ---------------------------------------------------------------------------------------------
// Checks

async function listAllBatches(server) {
  const out = [];
  let token = '';
  for (;;) {
    const q = `page_size=1000${token ? `&page_token=${encodeURIComponent(token)}` : ''}`;
    const r = await sendUntilAnswered(server, 'GET', `/v1/posting-instruction-batches?${q}`);
    if (r.status !== 200) throw new Error(`batch list answered ${r.status}`);
    out.push(...r.json.posting_instruction_batches);
    token = r.json.next_page_token;
    if (!token) return out;
  }
}

function checkBatches(ledger, batches) {
  const byRequest = new Map();
  for (const b of batches) {
    if (b.client_id !== 'crash-harness') continue;
    const seen = byRequest.get(b.client_batch_id) ?? [];
    seen.push(b);
    byRequest.set(b.client_batch_id, seen);
  }
  let lost = 0;
  let twice = 0;
  for (const [requestId, record] of ledger.requests) {
    const stored = byRequest.get(requestId) ?? [];
    if (stored.length > 1) {
      twice += 1;
      ledger.finding(`${requestId} applied ${stored.length} times: ${stored.map((b) => b.id).join(', ')}`);
    }
    if (record.answer === undefined) continue;
    const match = stored.find(
      (b) => b.id === record.answer.batchId && b.status === record.answer.batchStatus,
    );
    if (match === undefined) {
      lost += 1;
      ledger.finding(`${requestId}: acknowledged batch ${record.answer.batchId} not stored as answered`);
    }
  }
  for (const requestId of byRequest.keys()) {
    if (!ledger.requests.has(requestId)) ledger.finding(`batch for unknown request ${requestId}`);
  }
  return { lost, twice };
}

/** Replays the request ids (all retried ones and a sample of the others); each must answer the same batch. */
async function checkReplays(ctx, sample) {
  const { server, ledger, random } = ctx;
  const records = [...ledger.requests.entries()].filter(([, r]) => r.answer !== undefined);
  const chosen = records.filter(([, r]) => r.retried || random() < sample / Math.max(1, records.length));
  let replayed = 0;
  const queue = [...chosen];
  const worker = async () => {
    for (let item = queue.pop(); item !== undefined; item = queue.pop()) {
      const [requestId, record] = item;
      const r = await sendUntilAnswered(server, 'POST', '/v1/posting-instruction-batches', record.body);
      replayed += 1;
      if (
        r.status !== 200 ||
        r.json.id !== record.answer.batchId ||
        r.json.status !== record.answer.batchStatus
      ) {
        ledger.finding(`${requestId}: replay answered ${r.status} ${r.json.id} ${r.json.status}`);
      } else if (!r.replay) {
        ledger.finding(`${requestId}: replay not marked idempotent-replay`);
      }
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  return replayed;
}

/** Live balances against the ACCEPTED answers' postings; debits against credits. */
async function checkBalances(ctx) {
  const { server, ledger, accounts } = ctx;
  const expected = new Map();
  for (const record of ledger.requests.values()) {
    if (!record.answer?.batchStatus.endsWith('ACCEPTED')) continue;
    for (const p of record.answer.postings) {
      const key = `${p.account_id}|${p.account_address}|${p.asset}|${p.denomination}|${p.phase}`;
      const e = expected.get(key) ?? { debit: 0n, credit: 0n };
      if (p.credit) e.credit += minor(p.amount);
      else e.debit += minor(p.amount);
      expected.set(key, e);
    }
  }
  const ids = ['CRASH_BANK', ...Array.from({ length: accounts }, (_, i) => accountId(i))];
  const actual = new Map();
  for (let i = 0; i < ids.length; i += 100) {
    const q = ids
      .slice(i, i + 100)
      .map((id) => `account_ids=${id}`)
      .join('&');
    const r = await sendUntilAnswered(server, 'GET', `/v1/balances/live?${q}`);
    if (r.status !== 200) throw new Error(`balances answered ${r.status}`);
    for (const b of r.json.balances) {
      const key = `${b.account_id}|${b.account_address}|${b.asset}|${b.denomination}|${b.phase}`;
      actual.set(key, { debit: minor(b.total_debit), credit: minor(b.total_credit) });
    }
  }
  let mismatched = 0;
  for (const key of new Set([...expected.keys(), ...actual.keys()])) {
    const e = expected.get(key) ?? { debit: 0n, credit: 0n };
    const a = actual.get(key) ?? { debit: 0n, credit: 0n };
    if (e.debit !== a.debit || e.credit !== a.credit) {
      mismatched += 1;
      ledger.finding(
        `balance ${key}: stored debit ${money(a.debit)} credit ${money(a.credit)}, answers say ${money(e.debit)} / ${money(e.credit)}`,
      );
    }
  }
  const perPhase = new Map();
  for (const [key, a] of actual) {
    const phase = key.split('|').slice(3).join('|');
    perPhase.set(phase, (perPhase.get(phase) ?? 0n) + a.debit - a.credit);
  }
  for (const [phase, net] of perPhase) {
    if (net !== 0n) ledger.finding(`money not conserved in ${phase}: debits - credits = ${money(net)}`);
  }
  let moved = 0n;
  for (const a of actual.values()) moved += a.debit;
  return { dimensions: actual.size, mismatched, moved: money(moved) };
}

async function checkVerify(ctx, offlineArgs) {
  const { server, ledger } = ctx;
  const r = await sendUntilAnswered(server, 'GET', '/v1/ledger:verify');
  if (r.status !== 200 || r.json.ok !== true) {
    ledger.finding(`GET /v1/ledger:verify: ${r.status} ${JSON.stringify(r.json).slice(0, 600)}`);
  }
  const code = await server.stop();
  if (code !== 0) ledger.finding(`server drain exited ${code}: ${server.stderrTail()}`);
  const offline = spawnSync(
    process.execPath,
    [RUN_JS, 'server', 'verify', ...offlineArgs, '--output', 'json'],
    {
      cwd: root,
      encoding: 'utf8',
    },
  );
  let report;
  try {
    report = JSON.parse(offline.stdout);
  } catch {
    report = undefined;
  }
  if (offline.status !== 0 || report?.ok !== true) {
    ledger.finding(
      `offline verify exited ${offline.status}: ${offline.stdout.slice(0, 600)} ${offline.stderr.slice(0, 300)}`,
    );
  }
  return {
    online: r.json?.ok === true,
    offline: report?.ok === true,
    counts: report?.counts ?? r.json?.counts,
  };
}

/**
 * The harness's self-test (--tamper, SQLite): deletes the stored row of one acknowledged ACCEPTED
 * batch behind the server's back, so the checks must report it lost.
 */
function tamper(args, ledger) {
  const dir = args[args.indexOf('--data-dir') + 1];
  const victim = [...ledger.requests.values()].find((r) => r.answer?.batchStatus.endsWith('ACCEPTED'));
  if (victim === undefined) throw new Error('--tamper: no accepted batch to remove');
  const db = new Database(join(dir, 'strata.db'));
  db.prepare('DELETE FROM ledger_batches WHERE id = ?').run(victim.answer.batchId);
  db.close();
}

// ---------------------------------------------------------------------------------------------
// One run

/** Where a run keeps its data: a temporary SQLite dir or a fresh PostgreSQL schema. */
async function storageFor(kind, pgUrl, run) {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'strata-crash-'));
    return { args: ['--data-dir', dir], cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const schema = `strata_crash_${run}`;
  const admin = new pg.Client({ connectionString: pgUrl, connectionTimeoutMillis: 2000 });
  await admin.connect();
  await admin.query(`CREATE SCHEMA "${schema}"`);
  const sep = pgUrl.includes('?') ? '&' : '?';
  const database = `${pgUrl}${sep}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  return {
    args: ['--database', database],
    cleanup: async () => {
      await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await admin.end();
    },
  };
}

/**
 * One crash run on one storage. Options: kills, posters, accounts, seed, sample (replays of
 * answered-first-time requests), log (progress lines). Resolves with a report; findings empty
 * when every check passed.
 */
export async function crashRun(kind, options = {}) {
  const { kills = 5, posters = 8, accounts = 16, seed = Date.now() % 1e9, sample = 500 } = options;
  const log = options.log ?? (() => undefined);
  const run = randomBytes(4).toString('hex');
  const store = await storageFor(kind, options.pgUrl ?? DEFAULT_PG_URL, run);
  const server = new ServerProcess(
    ['--quiet', ...store.args],
    `strata_crash_${randomBytes(16).toString('hex')}`,
  );
  const stats = { kills: 0, earlyKills: 0, retried: 0, unansweredTries: 0, answered: 0 };
  const ctx = { server, ledger: new Ledger(), random: seeded(seed), run, stats, accounts, posters };
  const started = Date.now();
  try {
    await server.start();
    await setUp(server, accounts);
    let stop = false;
    const running = Array.from({ length: posters }, (_, i) => new Poster(i, ctx).run(() => stop));
    await killer(ctx, kills, (k) => {
      if (k % 10 === 0) log(`${kind}: ${k}/${kills} kills, ${ctx.ledger.requests.size} batches sent`);
    });
    await sleep(200);
    stop = true;
    await Promise.all(running);
    if (options.tamper) tamper(store.args, ctx.ledger);
    const batches = await listAllBatches(server);
    const { lost, twice } = checkBatches(ctx.ledger, batches);
    const replayed = await checkReplays(ctx, sample);
    const balances = await checkBalances(ctx);
    const verify = await checkVerify(ctx, store.args);
    const answers = [...ctx.ledger.requests.values()].map((r) => r.answer?.batchStatus ?? '');
    return {
      storage: kind,
      seed,
      kills: stats.kills,
      early_kills: stats.earlyKills,
      batches: ctx.ledger.requests.size,
      accepted: answers.filter((s) => s.endsWith('ACCEPTED')).length,
      rejected: answers.filter((s) => s.endsWith('REJECTED')).length,
      unanswered_at_kill: stats.retried,
      replayed,
      lost,
      applied_twice: twice,
      balances,
      verify,
      seconds: Math.round((Date.now() - started) / 1000),
      findings: ctx.ledger.findings,
    };
  } finally {
    await server.kill();
    await store.cleanup();
  }
}

async function pgReachable(url) {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

function argsOf(argv) {
  const o = {
    kills: 200,
    pgKills: 50,
    storage: 'both',
    posters: 8,
    accounts: 16,
    seed: undefined,
    json: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => argv[++i];
    if (a === '--kills') o.kills = Number(next());
    else if (a === '--pg-kills') o.pgKills = Number(next());
    else if (a === '--storage') o.storage = next();
    else if (a === '--posters') o.posters = Number(next());
    else if (a === '--accounts') o.accounts = Number(next());
    else if (a === '--seed') o.seed = Number(next());
    else if (a === '--json') o.json = true;
    else if (a === '--tamper') o.tamper = true;
    else throw new Error(`unknown option ${a}`);
  }
  return o;
}

async function main() {
  const o = argsOf(process.argv.slice(2));
  const pgUrl = process.env.STRATA_CRASH_PG_URL || process.env.STRATA_TEST_PG_URL || DEFAULT_PG_URL;
  const log = (line) => process.stderr.write(`${line}\n`);
  log(
    `machine: ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(', ')}`,
  );
  const reports = [];
  if (o.storage !== 'postgres') {
    reports.push(await crashRun('sqlite', { ...o, log }));
  }
  if (o.storage !== 'sqlite') {
    if (await pgReachable(pgUrl))
      reports.push(await crashRun('postgres', { ...o, kills: o.pgKills, pgUrl, log }));
    else log(`PostgreSQL at ${pgUrl.replace(/:[^:@/]*@/, ':***@')} does not answer: skipped`);
  }
  for (const r of reports) {
    if (o.json) process.stdout.write(`${JSON.stringify(r)}\n`);
    else {
      process.stdout.write(
        `${r.storage}: ${r.kills} kills (${r.early_kills} before listening), ${r.batches} batches (${r.accepted} accepted, ${r.rejected} rejected), ` +
          `${r.unanswered_at_kill} unanswered at a kill and retried, ${r.replayed} replayed; lost ${r.lost}, applied twice ${r.applied_twice}; ` +
          `${r.balances.dimensions} balances (${r.balances.mismatched} wrong, ${r.balances.moved} GBP of debits); ` +
          `verify online ${r.verify.online ? 'clean' : 'NOT CLEAN'}, offline ${r.verify.offline ? 'clean' : 'NOT CLEAN'}; ${r.seconds} s, seed ${r.seed}\n`,
      );
      for (const f of r.findings) process.stdout.write(`  finding: ${f}\n`);
    }
  }
  log(
    `load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(', ')}`,
  );
  process.exitCode = reports.every((r) => r.findings.length === 0) ? 0 : 1;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}
