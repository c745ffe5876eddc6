// Benchmark of the bundled server: `npm run bench:server` (builds first). Starts three servers as
// child processes: a bare `node:http` server (the ceiling on this machine), `strata server start`
// on SQLite and on PostgreSQL. The load comes from autocannon in a separate process
// (test/bench/load.js), the same for all three. Small creates (flag definitions) run in
// STRATA_BENCH_ROUNDS rounds (default 3), each round measuring the ceiling, SQLite and PostgreSQL
// back to back, so the ratios compare figures taken under the same machine load; the medians of
// the rounds are reported. Then product-version creates (50 KB code) and batchGet reads, once.
// Beside throughput, each run reports the server process's CPU time per 1,000 answered requests
// (from /proc; steadier than throughput on a shared machine, where other processes take cores
// and the disk) and, for strata, the writes per commit (group commit at work, from /metrics).
// PostgreSQL URL: STRATA_BENCH_PG_URL, else STRATA_TEST_PG_URL, else the local default; the run
// uses a fresh schema, dropped afterwards. Figures are printed, never asserted.
import { execFileSync, spawn } from 'node:child_process';
import { get } from 'node:http';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, platform, release, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const CONNECTIONS = 32;
const DURATION = Number(process.env.STRATA_BENCH_SECONDS ?? 10);
const ROUNDS = Number(process.env.STRATA_BENCH_ROUNDS ?? 3);
const PG_URL =
  process.env.STRATA_BENCH_PG_URL ??
  process.env.STRATA_TEST_PG_URL ??
  'postgres://postgres@127.0.0.1:5432/test';
const TOKEN = `strata_bench_${randomBytes(16).toString('hex')}`;
const RUN = randomBytes(4).toString('hex');
const SAFE_PG_URL = PG_URL.replace(/:[^:@/]*@/, ':***@');

function load() {
  return loadavg()
    .map((l) => l.toFixed(2))
    .join(', ');
}

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

function startStrata(args) {
  return start([join(root, 'bin', 'run.js'), 'server', 'start', '--port', '0', ...args], {
    STRATA_BOOTSTRAP_TOKEN: TOKEN,
  });
}

async function stop(server) {
  if (!server) return;
  server.child.removeAllListeners('exit');
  const exited = new Promise((r) => server.child.once('exit', r));
  server.child.kill('SIGTERM');
  await exited;
}

/** CPU time (user + system, ms) a process has used so far, from /proc (Linux); NaN elsewhere. */
function cpuMs(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime, fields 14 and 15 of stat (11 and 12 after the name), in clock ticks (1/100 s).
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return Number.NaN;
  }
}

/** Commits and writes so far, from a strata server's /metrics (undefined for the bare server). */
async function commitCounts(server) {
  if (server.bare) return undefined;
  try {
    const text = await new Promise((resolve, reject) => {
      get(`${server.url}/metrics`, { headers: { 'x-auth-token': TOKEN } }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => (body += chunk));
        res.on('end', () => resolve(body));
      }).on('error', reject);
    });
    const value = (name) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? Number.NaN);
    return {
      commits: value('strata_storage_commit_duration_seconds_count'),
      writes: value('strata_storage_writes_total'),
    };
  } catch {
    return undefined;
  }
}

/**
 * Runs one workload against `server`; resolves with the load generator's figures, the server's
 * CPU time per 1,000 answered requests and (strata) the writes per commit.
 */
async function measure(server, workload, extra = {}) {
  const cpuBefore = cpuMs(server.child.pid);
  const countsBefore = await commitCounts(server);
  const result = await drive(server.url, workload, extra);
  const cpu = cpuMs(server.child.pid) - cpuBefore;
  const countsAfter = await commitCounts(server);
  result.cpuPer1k = result.total > 0 ? (cpu * 1000) / result.total : Number.NaN;
  if (countsBefore && countsAfter) {
    const commits = countsAfter.commits - countsBefore.commits;
    result.groupSize = commits > 0 ? (countsAfter.writes - countsBefore.writes) / commits : Number.NaN;
  }
  return result;
}

/** Runs one workload in the load-generator process; resolves with its figures. */
function drive(url, workload, extra = {}) {
  const config = { url, workload, token: TOKEN, connections: CONNECTIONS, duration: DURATION, ...extra };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(here, 'load.js'), JSON.stringify(config)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d.toString()));
    child.on('exit', (code) =>
      code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`load generator exited ${code}`)),
    );
  });
}

function row(target, r) {
  return {
    target,
    'req/s': Math.round(r.rps),
    'p50 ms': r.p50,
    'p99 ms': r.p99,
    requests: r.total,
    'server CPU ms/1k req': Number.isNaN(r.cpuPer1k) ? '-' : Math.round(r.cpuPer1k),
    'writes/commit': r.groupSize === undefined || Number.isNaN(r.groupSize) ? '-' : r.groupSize.toFixed(1),
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
  const schema = `strata_bench_${RUN}`;
  await admin.query(`CREATE SCHEMA "${schema}"`);
  const sep = PG_URL.includes('?') ? '&' : '?';
  const database = `${PG_URL}${sep}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  return {
    database,
    drop: async () => {
      await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await admin.end();
    },
  };
}

/** Small creates, round by round: the ceiling, SQLite and PostgreSQL under the same load. */
async function createRounds(servers) {
  const rounds = [];
  for (let r = 1; r <= ROUNDS; r++) {
    const round = { loadBefore: load() };
    for (const [name, server] of Object.entries(servers)) {
      if (server) round[name] = await measure(server, 'create-flag', { prefix: `${RUN}_${name}_${r}` });
    }
    rounds.push(round);
    console.log(`\nround ${r} of ${ROUNDS}: create flag definition (load before: ${round.loadBefore})`);
    console.table(Object.keys(servers).flatMap((n) => (round[n] ? [row(n, round[n])] : [])));
  }
  return rounds;
}

function summarize(rounds, names) {
  const med = {};
  for (const n of names) {
    const runs = rounds.map((r) => r[n]).filter(Boolean);
    if (runs.length === 0) continue;
    med[n] = {
      rps: median(runs.map((x) => x.rps)),
      p50: median(runs.map((x) => x.p50)),
      p99: median(runs.map((x) => x.p99)),
      cpuPer1k: median(runs.map((x) => x.cpuPer1k)),
    };
  }
  const perRound = (a, b) =>
    median(rounds.filter((r) => r[a] && r[b]).map((r) => r[a].rps / r[b].rps)).toFixed(2);
  console.log(`\nmedians of ${rounds.length} rounds: create flag definition`);
  console.table(
    Object.entries(med).map(([n, m]) => ({
      target: n,
      'req/s': Math.round(m.rps),
      'p50 ms': m.p50,
      'p99 ms': m.p99,
      'server CPU ms/1k req': Number.isNaN(m.cpuPer1k) ? '-' : Math.round(m.cpuPer1k),
    })),
  );
  const lines = [];
  if (med.sqlite && med.bare) lines.push(`SQLite / bare node:http      = ${perRound('sqlite', 'bare')}`);
  if (med.postgres && med.bare) lines.push(`PostgreSQL / bare node:http  = ${perRound('postgres', 'bare')}`);
  if (med.postgres && med.sqlite)
    lines.push(`PostgreSQL / SQLite          = ${perRound('postgres', 'sqlite')}`);
  console.log(`ratios (median of the per-round ratios):\n  ${lines.join('\n  ')}`);
}

async function otherWorkloads(servers, rounds) {
  const rows = [];
  for (const name of ['sqlite', 'postgres']) {
    const server = servers[name];
    if (!server) continue;
    const version = await measure(server, 'create-version', { prefix: `${RUN}_${name}_v` });
    rows.push(row(`${name}: create product version (50 KB code)`, version));
    // Only ids surely acknowledged: the last CONNECTIONS creates of a run may have been cut off.
    const known = Math.max(1, Math.min(10_000, (rounds[0]?.[name]?.total ?? 0) - CONNECTIONS));
    const reads = await measure(server, 'batch-get', { readPrefix: `${RUN}_${name}_1`, known });
    rows.push(row(`${name}: batchGet 10 flag definitions`, reads));
  }
  console.log('\nother workloads (one run each)');
  console.table(rows);
}

const cpu = cpus();
console.log(
  `machine: ${cpu.length} cores x ${cpu[0]?.model ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB RAM, ` +
    `${platform()} ${release()}, Node ${process.version}\n` +
    `load at start: ${uptime()}\n` +
    `autocannon in its own process, ${CONNECTIONS} connections, ${DURATION}s per run; PostgreSQL ${SAFE_PG_URL}`,
);

const dataDir = mkdtempSync(join(tmpdir(), 'strata-bench-'));
const postgres = await openPostgres();
const servers = { bare: undefined, sqlite: undefined, postgres: undefined };
try {
  servers.bare = { ...(await start([join(here, 'bare-server.js')])), bare: true };
  servers.sqlite = await startStrata(['--data-dir', dataDir]);
  if (postgres) servers.postgres = await startStrata(['--database', postgres.database]);
  const rounds = await createRounds(servers);
  summarize(rounds, Object.keys(servers));
  await otherWorkloads(servers, rounds);
} finally {
  for (const server of Object.values(servers)) await stop(server);
  await postgres?.drop();
  rmSync(dataDir, { recursive: true, force: true });
}
console.log(`\nload at end: ${uptime()}`);
