// What the server bench (server-bench.js) and the ledger bench (ledger-bench.js) share: the
// settings from the environment, the machine and load-average lines, the servers as child
// processes (bare node:http, `strata server start`), the load generator in its own process, and
// the rounds of one workload against every target with their medians and per-round ratios.
// STRATA_BENCH_SECONDS (10) is each run's duration, STRATA_BENCH_ROUNDS (3) the rounds; PostgreSQL
// URL: STRATA_BENCH_PG_URL, else STRATA_TEST_PG_URL, else the local default.
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpus, loadavg, platform, release, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

export const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
export const CONNECTIONS = 32;
export const DURATION = Number(process.env.STRATA_BENCH_SECONDS ?? 10);
export const ROUNDS = Number(process.env.STRATA_BENCH_ROUNDS ?? 3);
const PG_URL =
  process.env.STRATA_BENCH_PG_URL ??
  process.env.STRATA_TEST_PG_URL ??
  'postgres://postgres@127.0.0.1:5432/test';
const SAFE_PG_URL = PG_URL.replace(/:[^:@/]*@/, ':***@');
export const TOKEN = `strata_bench_${randomBytes(16).toString('hex')}`;
/** A random tag of this run, for request ids and schema names. */
export const RUN = randomBytes(4).toString('hex');

/** The load averages over 1, 5 and 15 minutes. */
export function load() {
  return loadavg()
    .map((l) => l.toFixed(2))
    .join(', ');
}

export function uptime() {
  try {
    return execFileSync('uptime', { encoding: 'utf8' }).trim();
  } catch {
    return `load average: ${load()}`;
  }
}

/** The bench's first lines: the machine, the load at start, how the load is generated. */
export function printMachine() {
  const cpu = cpus();
  console.log(
    `machine: ${cpu.length} cores x ${cpu[0]?.model ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB RAM, ` +
      `${platform()} ${release()}, Node ${process.version}\n` +
      `load at start: ${uptime()}\n` +
      `autocannon in its own process, ${CONNECTIONS} connections, ${DURATION}s per run; PostgreSQL ${SAFE_PG_URL}`,
  );
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

/** The ceiling: test/bench/bare-server.js (marked `bare`: it has no /metrics). */
export async function startBare() {
  return { ...(await start([join(here, 'bare-server.js')])), bare: true };
}

/** `strata server start` on a free port with the bench's token, and `args`. */
export function startStrata(args) {
  return start([join(root, 'bin', 'run.js'), 'server', 'start', '--port', '0', ...args], {
    STRATA_BOOTSTRAP_TOKEN: TOKEN,
  });
}

/** SIGTERM; resolves once the process is gone (nothing to do for a server never started). */
export async function stop(server) {
  if (!server) return;
  server.child.removeAllListeners('exit');
  const exited = new Promise((r) => server.child.once('exit', r));
  server.child.kill('SIGTERM');
  await exited;
}

/**
 * Runs one workload in the load-generator process `generator` (load.js or ledger-load.js) against
 * `url`; resolves with its figures.
 */
export function drive(generator, url, workload, extra = {}) {
  const config = { url, workload, token: TOKEN, connections: CONNECTIONS, duration: DURATION, ...extra };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(here, generator), JSON.stringify(config)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d.toString()));
    child.on('exit', (code) =>
      code === 0
        ? resolve(JSON.parse(out))
        : reject(new Error(`load generator ${generator} exited ${code} on ${workload} against ${url}`)),
    );
  });
}

export function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/**
 * A fresh schema `${prefix}_${RUN}` and the database URL that uses it; undefined (and a SKIPPED
 * line) when PostgreSQL does not answer. `drop()` removes the schema.
 */
export async function openPostgres(prefix) {
  const admin = new pg.Client({ connectionString: PG_URL });
  try {
    await admin.connect();
  } catch (e) {
    console.log(`PostgreSQL SKIPPED: cannot connect to ${SAFE_PG_URL}: ${e.message}`);
    return undefined;
  }
  const schema = `${prefix}_${RUN}`;
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

const cpuCell = (ms) => (Number.isNaN(ms) ? '-' : Math.round(ms));

/**
 * One table row of a run's figures; with the server's CPU time and writes per commit when the
 * run measured them (server-bench.js).
 */
export function row(target, r) {
  return {
    target,
    'req/s': Math.round(r.rps),
    'p50 ms': r.p50,
    'p99 ms': r.p99,
    requests: r.total,
    ...('cpuPer1k' in r
      ? {
          'server CPU ms/1k req': cpuCell(r.cpuPer1k),
          'writes/commit':
            r.groupSize === undefined || Number.isNaN(r.groupSize) ? '-' : r.groupSize.toFixed(1),
        }
      : {}),
    non2xx: r.non2xx === 0 ? 0 : `${r.non2xx} (${r.statusCodes.join(' ')})`,
    errors: r.errors,
  };
}

/**
 * ROUNDS rounds of one workload, each round every started server back to back (so that the
 * ratios compare figures taken under the same machine load), a table per round. `measure(server,
 * name, round)` runs the workload once. Resolves with the rounds: {loadBefore, [name]: figures}.
 */
export async function runRounds(servers, title, measure) {
  const rounds = [];
  for (let r = 1; r <= ROUNDS; r++) {
    const round = { loadBefore: load() };
    for (const [name, server] of Object.entries(servers)) {
      if (server) round[name] = await measure(server, name, r);
    }
    rounds.push(round);
    console.log(`\nround ${r} of ${ROUNDS}: ${title} (load before: ${round.loadBefore})`);
    console.table(Object.keys(servers).flatMap((n) => (round[n] ? [row(n, round[n])] : [])));
  }
  return rounds;
}

/**
 * The medians of the rounds per target (with the server's CPU time when measured) and the ratios
 * of bare, SQLite and PostgreSQL as the median of the per-round ratios; `targets` adds a note
 * after a ratio, by its pair ('sqlite/bare', 'postgres/bare', 'postgres/sqlite').
 */
export function summarize(rounds, names, title, targets = {}) {
  const med = {};
  for (const n of names) {
    const runs = rounds.map((r) => r[n]).filter(Boolean);
    if (runs.length === 0) continue;
    med[n] = {
      rps: median(runs.map((x) => x.rps)),
      p50: median(runs.map((x) => x.p50)),
      p99: median(runs.map((x) => x.p99)),
      ...('cpuPer1k' in runs[0] ? { cpuPer1k: median(runs.map((x) => x.cpuPer1k)) } : {}),
    };
  }
  console.log(`\nmedians of ${rounds.length} rounds: ${title}`);
  console.table(
    Object.entries(med).map(([n, m]) => ({
      target: n,
      'req/s': Math.round(m.rps),
      'p50 ms': m.p50,
      'p99 ms': m.p99,
      ...('cpuPer1k' in m ? { 'server CPU ms/1k req': cpuCell(m.cpuPer1k) } : {}),
    })),
  );
  const ratio = (a, b) => {
    const value = median(rounds.filter((r) => r[a] && r[b]).map((r) => r[a].rps / r[b].rps)).toFixed(2);
    const target = targets[`${a}/${b}`];
    return target === undefined ? value : `${value} (${target})`;
  };
  const lines = [];
  if (med.sqlite && med.bare) lines.push(`SQLite / bare node:http      = ${ratio('sqlite', 'bare')}`);
  if (med.postgres && med.bare) lines.push(`PostgreSQL / bare node:http  = ${ratio('postgres', 'bare')}`);
  if (med.postgres && med.sqlite) lines.push(`PostgreSQL / SQLite          = ${ratio('postgres', 'sqlite')}`);
  console.log(`ratios (median of the per-round ratios):\n  ${lines.join('\n  ')}`);
}
