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
import { get } from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CONNECTIONS,
  RUN,
  TOKEN,
  drive,
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
  const result = await drive('load.js', server.url, workload, extra);
  const cpu = cpuMs(server.child.pid) - cpuBefore;
  const countsAfter = await commitCounts(server);
  result.cpuPer1k = result.total > 0 ? (cpu * 1000) / result.total : Number.NaN;
  if (countsBefore && countsAfter) {
    const commits = countsAfter.commits - countsBefore.commits;
    result.groupSize = commits > 0 ? (countsAfter.writes - countsBefore.writes) / commits : Number.NaN;
  }
  return result;
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

printMachine();

const dataDir = mkdtempSync(join(tmpdir(), 'strata-bench-'));
const postgres = await openPostgres('strata_bench');
const servers = { bare: undefined, sqlite: undefined, postgres: undefined };
try {
  servers.bare = await startBare();
  servers.sqlite = await startStrata(['--data-dir', dataDir]);
  if (postgres) servers.postgres = await startStrata(['--database', postgres.database]);
  const rounds = await runRounds(servers, 'create flag definition', (server, name, r) =>
    measure(server, 'create-flag', { prefix: `${RUN}_${name}_${r}` }),
  );
  summarize(rounds, Object.keys(servers), 'create flag definition');
  await otherWorkloads(servers, rounds);
} finally {
  for (const server of Object.values(servers)) await stop(server);
  await postgres?.drop();
  rmSync(dataDir, { recursive: true, force: true });
}
console.log(`\nload at end: ${uptime()}`);
