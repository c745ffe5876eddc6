// Benchmark of the bundled server: `npm run bench:server` (builds first). Starts
// `strata server start` (dist build) as a child process on SQLite, then on PostgreSQL, and drives
// it over real HTTP with autocannon from this process: small creates (flag definitions),
// product-version creates with a 50 KB code file, and batchGet reads. Prints req/s, p50, p99 and
// the machine. PostgreSQL URL: STRATA_BENCH_PG_URL, else STRATA_TEST_PG_URL, else the local
// default; each run uses a fresh schema, dropped afterwards. Figures are printed, never asserted.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, totalmem, tmpdir, release, platform } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import pg from 'pg';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CONNECTIONS = 32;
const DURATION = Number(process.env.STRATA_BENCH_SECONDS ?? 10);
const PG_URL =
  process.env.STRATA_BENCH_PG_URL ??
  process.env.STRATA_TEST_PG_URL ??
  'postgres://postgres@127.0.0.1:5432/test';
const TOKEN = `strata_bench_${randomBytes(16).toString('hex')}`;
const RUN = randomBytes(4).toString('hex');

/** About 50 KB of valid contract code whose version line varies, so every upload is parsed. */
const CODE_BODY = (() => {
  const defs = [];
  let length = 0;
  for (let i = 0; length < 50_000; i++) {
    const def = `def helper_${i}(value, rate):\n    return value * rate + ${i}\n\n`;
    defs.push(def);
    length += def.length;
  }
  return defs.join('');
})();

function contractCode(n) {
  return `api = "4.0.0"\nversion = "1.0.${n}"\n\n${CODE_BODY}`;
}

function startServer(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [join(root, 'bin', 'run.js'), 'server', 'start', '--port', '0', ...args],
      {
        cwd: root,
        env: { ...process.env, STRATA_BOOTSTRAP_TOKEN: TOKEN },
        stdio: ['ignore', 'pipe', 'ignore'],
      },
    );
    let out = '';
    child.stdout.on('data', (d) => {
      out += d.toString();
      const m = /listening on (\S+)/.exec(out);
      if (m) resolve({ child, url: m[1] });
    });
    child.on('exit', (code) => reject(new Error(`server exited (${code}): ${out}`)));
  });
}

async function stopServer(child) {
  child.removeAllListeners('exit');
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

function run(opts) {
  return new Promise((resolve, reject) => {
    autocannon({ connections: CONNECTIONS, duration: DURATION, ...opts }, (err, result) =>
      err ? reject(err) : resolve(result),
    );
  });
}

function row(name, r) {
  return {
    workload: name,
    'req/s': Math.round(r.requests.average),
    'p50 ms': r.latency.p50,
    'p99 ms': r.latency.p99,
    requests: r.requests.total,
    non2xx: r.non2xx === 0 ? 0 : `${r.non2xx} (${Object.keys(r.statusCodeStats ?? {}).join(' ')})`,
    errors: r.errors + r.timeouts,
  };
}

async function benchStorage(label, args) {
  const { child, url } = await startServer(args);
  const headers = { 'x-auth-token': TOKEN, 'content-type': 'application/json' };
  const rows = [];
  try {
    let i = 0;
    const flags = await run({
      url,
      headers,
      requests: [
        {
          method: 'POST',
          path: '/v1/flag-definitions',
          setupRequest: (req) => {
            i += 1;
            const id = `F_${RUN}_${i}`;
            return {
              ...req,
              body: JSON.stringify({ request_id: `b-${RUN}-${i}`, flag_definition: { id, name: id } }),
            };
          },
        },
      ],
    });
    rows.push(row('create flag definition', flags));
    const created = i;

    let v = 0;
    const versions = await run({
      url,
      headers,
      requests: [
        {
          method: 'POST',
          path: '/v1/product-versions',
          setupRequest: (req) => {
            v += 1;
            return {
              ...req,
              body: JSON.stringify({
                request_id: `pv-${RUN}-${v}`,
                product_version: { product_id: `bench_${RUN}`, display_name: 'Bench', code: contractCode(v) },
                migration_strategy: 'PRODUCT_VERSION_MIGRATION_STRATEGY_ADD_VERSION',
              }),
            };
          },
        },
      ],
    });
    rows.push(row('create product version (50 KB code)', versions));

    // The last CONNECTIONS creates may have been cut off by the end of the run: read only ids
    // that were surely acknowledged.
    const known = Math.max(1, Math.min(created - CONNECTIONS, 10_000));
    let k = 0;
    const reads = await run({
      url,
      headers: { 'x-auth-token': TOKEN },
      requests: [
        {
          method: 'GET',
          setupRequest: (req) => {
            const ids = [];
            for (let j = 0; j < 10; j++) ids.push(`ids=F_${RUN}_${((k * 10 + j) % known) + 1}`);
            k += 1;
            return { ...req, path: `/v1/flag-definitions:batchGet?${ids.join('&')}` };
          },
        },
      ],
    });
    rows.push(row('batchGet 10 flag definitions', reads));
  } finally {
    await stopServer(child);
  }
  console.log(`\n${label}`);
  console.table(rows);
}

const cpu = cpus();
console.log(
  `machine: ${cpu.length} x ${cpu[0]?.model ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB RAM, ` +
    `${platform()} ${release()}, Node ${process.version}; autocannon ${CONNECTIONS} connections, ${DURATION}s per workload`,
);

const dataDir = mkdtempSync(join(tmpdir(), 'strata-bench-'));
try {
  await benchStorage('SQLite (WAL, synchronous=FULL, group commit)', ['--data-dir', dataDir]);
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}

const schema = `strata_bench_${RUN}`;
const admin = new pg.Client({ connectionString: PG_URL });
try {
  await admin.connect();
} catch (e) {
  console.log(
    `\nPostgreSQL SKIPPED: cannot connect to ${PG_URL.replace(/:[^:@/]*@/, ':***@')}: ${e.message}`,
  );
  process.exit(0);
}
try {
  await admin.query(`CREATE SCHEMA "${schema}"`);
  const sep = PG_URL.includes('?') ? '&' : '?';
  await benchStorage(`PostgreSQL (${PG_URL.replace(/:[^:@/]*@/, ':***@')})`, [
    '--database',
    `${PG_URL}${sep}options=${encodeURIComponent(`-c search_path=${schema}`)}`,
  ]);
} finally {
  await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await admin.end();
}
