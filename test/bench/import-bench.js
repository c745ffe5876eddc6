// npm run bench:import: synthetic packs (realistic mix and reference depth) imported into the
// bundled server on SQLite, as whole processes. Reports the cold import and the re-import of the
// unchanged 1,000-resource pack, then, through a proxy that holds every response 20 ms (the
// latency of a remote environment), --concurrency 1 against --concurrency 16 on 300 and 1,000
// resources: medians of BENCH_RUNS runs (default 3) of wall time and of the client's CPU time per
// resource (the whole process, and its network phase from the first connection on; cpu-probe.js).
// BENCH_CPU_PROF=DIR writes a V8 CPU profile of every import into DIR. Asserts nothing.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Buffer } from 'node:buffer';
import { createServer, request as httpRequest } from 'node:http';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const bin = join(root, 'bin', 'run.js');
const work = mkdtempSync(join(tmpdir(), 'strata-import-bench-'));
const token = `strata_bench_${randomBytes(12).toString('hex')}`;
const LATENCY_MS = Number(process.env.BENCH_LATENCY_MS ?? 20);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const SIZES = (process.env.BENCH_SIZES ?? '300,1000').split(',').map(Number);
const PROFILE_DIR = process.env.BENCH_CPU_PROF;

function contract(params) {
  const lines = [
    'api = "4.0.0"',
    'version = "1.0.0"',
    'display_name = "Bench product"',
    'from contracts_api import Parameter, StringShape, ParameterLevel, Tside',
    'from decimal import Decimal',
    'tside = Tside.LIABILITY',
    'supported_denominations = ["GBP"]',
    `parameters = [${params.map((p) => `Parameter(name="${p}", shape=StringShape(), level=ParameterLevel.TEMPLATE)`).join(', ')}]`,
  ];
  for (let i = 0; lines.join('\n').length < 20_000; i++) {
    lines.push(
      '',
      `def _helper_${i}(amount: Decimal) -> Decimal:`,
      `    return (amount * Decimal("0.0${i % 10}")).quantize(Decimal("0.01"))`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/**
 * `n` resources in the mix of a real pack (for 1,000: a calendar and 299 events, 200 flags, 100
 * tags, 20 global parameters, an internal product and 150 accounts, 229 products whose
 * parameters name flags and accounts; smaller packs keep the proportions).
 */
function generatePack(dir, n) {
  const share = (count) => Math.max(1, Math.round((count * n) / 1000));
  const events = share(299);
  const flags = share(200);
  const tags = share(100);
  const globals = share(20);
  const accounts = share(150);
  mkdirSync(join(dir, 'contracts'), { recursive: true });
  writeFileSync(join(dir, 'contracts', 'product.py'), contract(['denomination', 'flags', 'accounts']));
  writeFileSync(
    join(dir, 'contracts', 'internal.py'),
    contract(['denomination']).replace('version = "1.0.0"', 'version = "1.0.1"'),
  );
  const docs = [];
  const ids = [];
  const add = (type, id, payload) => {
    ids.push(id);
    docs.push(`- type: ${type}\n  id: ${id}\n  payload: |\n${payload.replace(/^/gm, '    ')}`);
  };
  add(
    'CALENDAR',
    'BENCH_HOLIDAYS',
    'calendar:\n  id: BENCH_HOLIDAYS\n  is_active: true\n  display_name: Bench holidays\n',
  );
  for (let e = 0; e < events; e++) {
    const day = new Date(Date.UTC(2026, 0, 1) + e * 86_400_000).toISOString().slice(0, 10);
    add(
      'CALENDAR_EVENT',
      `BENCH_EVENT_${e}`,
      `calendar_event:\n  id: BENCH_EVENT_${e}\n  calendar_id: "&{BENCH_HOLIDAYS}"\n  name: Holiday ${e}\n  is_active: true\n  start_timestamp: "${day}T00:00:00+00:00"\n  end_timestamp: "${day}T23:59:59+00:00"\n`,
    );
  }
  for (let f = 0; f < flags; f++)
    add(
      'FLAG_DEFINITION',
      `BENCH_FLAG_${f}`,
      `flag_definition:\n  id: BENCH_FLAG_${f}\n  name: Flag ${f}\n  required_flag_level: FLAG_LEVEL_ACCOUNT\n  flag_visibility: FLAG_VISIBILITY_CONTRACT\n`,
    );
  for (let t = 0; t < tags; t++)
    add(
      'ACCOUNT_SCHEDULE_TAG',
      `BENCH_TAG_${t}`,
      `account_schedule_tag:\n  id: BENCH_TAG_${t}\n  description: tag ${t}\n  sends_scheduled_operation_reports: true\n`,
    );
  for (let g = 0; g < globals; g++)
    add(
      'GLOBAL_PARAMETER',
      `bench_rate_${g}`,
      `global_parameter:\n  id: bench_rate_${g}\n  display_name: Rate ${g}\n  number:\n    min_value: "0"\n    max_value: "1"\n    step: "0.0001"\ninitial_value: "0.0${g % 10}"\n`,
    );
  add(
    'SMART_CONTRACT_VERSION',
    'bench_internal',
    'product_version:\n  product_id: bench_internal\n  display_name: Internal accounts\n  code: "@{contracts/internal.py}"\n  params:\n    - name: denomination\n      value: GBP\nmigration_strategy: PRODUCT_VERSION_MIGRATION_STRATEGY_ADD_VERSION_UPGRADE_INTERNAL_ACCOUNTS\nis_internal: true\n',
  );
  for (let a = 0; a < accounts; a++)
    add(
      'INTERNAL_ACCOUNT',
      `BENCH_ACC_${a}`,
      `internal_account:\n  id: BENCH_ACC_${a}\n  product_id: "&{bench_internal:product_id}"\n  accounting:\n    tside: TSIDE_LIABILITY\n  permitted_denominations:\n    - GBP\n`,
    );
  for (let p = 0; ids.length < n; p++) {
    add(
      'SMART_CONTRACT_VERSION',
      `bench_product_${p}`,
      `product_version:\n  product_id: bench_product_${p}\n  display_name: Product ${p}\n  code: "@{contracts/product.py}"\n  params:\n    - name: denomination\n      value: GBP\n    - name: flags\n      value: '["&{BENCH_FLAG_${p % flags}}"]'\n    - name: accounts\n      value: '{"interest": "&{BENCH_ACC_${p % accounts}}"}'\nmigration_strategy: PRODUCT_VERSION_MIGRATION_STRATEGY_ADD_VERSION_APPLY_NEW_USERS\n`,
    );
  }
  writeFileSync(join(dir, 'bench.resources.yaml'), `# generated\n---\nresources:\n${docs.join('\n')}\n`);
  writeFileSync(
    join(dir, 'manifest.yaml'),
    `pack_version: "1.0.0"\npack_name: import_bench\nresource_ids:\n${ids.map((i) => `  - ${i}`).join('\n')}\n`,
  );
  return ids.length;
}

async function startServer(dataDir) {
  const child = spawn(process.execPath, [bin, 'server', 'start', '--port', '0', '--data-dir', dataDir], {
    env: { ...process.env, STRATA_BOOTSTRAP_TOKEN: token },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const url = await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    child.on('exit', (c) => reject(new Error(`server exited ${c}`)));
  });
  return { url, stop: () => new Promise((r) => (child.kill('SIGTERM'), child.on('exit', r))) };
}

function latencyProxy(target, delayMs) {
  const to = new URL(target);
  const server = createServer((req, res) => {
    const up = httpRequest(
      { host: to.hostname, port: to.port, method: req.method, path: req.url, headers: req.headers },
      (r) => {
        const chunks = [];
        r.on('data', (c) => chunks.push(c));
        r.on('end', () =>
          setTimeout(
            () => (res.writeHead(r.statusCode ?? 502, r.headers), res.end(Buffer.concat(chunks))),
            delayMs,
          ),
        );
      },
    );
    req.pipe(up);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ url: `http://127.0.0.1:${server.address().port}`, close: () => server.close() }),
    ),
  );
}

/**
 * One import as a whole process (asynchronous: the latency proxy runs in this process's event
 * loop): wall time, and the client's CPU time in all and in its network phase (cpu-probe.js).
 */
async function time(pack, url, concurrency, dataDir) {
  const cpuFile = join(work, `cpu-${randomBytes(4).toString('hex')}.json`);
  const t0 = process.hrtime.bigint();
  const child = spawn(
    process.execPath,
    [
      '--import',
      pathToFileURL(join(here, 'cpu-probe.js')).href,
      ...(PROFILE_DIR ? ['--cpu-prof', '--cpu-prof-dir', PROFILE_DIR] : []),
      bin,
      'import',
      pack,
      '--url',
      url,
      '--concurrency',
      String(concurrency),
      '--data-dir',
      dataDir,
      '--quiet',
      '--output',
      'json',
    ],
    {
      env: {
        ...process.env,
        STRATA_AUTH_TOKEN: token,
        STRATA_CACHE_DIR: 'none',
        STRATA_BENCH_CPU_FILE: cpuFile,
      },
    },
  );
  const r = { stdout: '', stderr: '' };
  child.stdout.on('data', (d) => (r.stdout += d));
  child.stderr.on('data', (d) => (r.stderr += d));
  r.status = await new Promise((resolve) => child.on('exit', resolve));
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`import exited ${r.status}: ${r.stderr.slice(0, 2000)}`);
  const counts = JSON.parse(r.stdout).summary.counts;
  const cpu = JSON.parse(readFileSync(cpuFile, 'utf8'));
  return { ms, counts, cpuMs: cpu.total_us / 1000, networkCpuMs: cpu.network_us / 1000 };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

/** An import of `n` fresh resources through the latency proxy, into a fresh server. */
async function throughProxy(pack, n, concurrency, run) {
  const name = `n${n}-c${concurrency}-r${run}`;
  const server = await startServer(join(work, `server-${name}`));
  const proxy = await latencyProxy(server.url, LATENCY_MS);
  try {
    const result = await time(pack, proxy.url, concurrency, join(work, `cli-${name}`));
    if (result.counts.created !== n)
      throw new Error(`expected ${n} created: ${JSON.stringify(result.counts)}`);
    return result;
  } finally {
    proxy.close();
    await server.stop();
  }
}

const perResource = (ms, n) => (ms / n).toFixed(2);

console.log(
  `machine: ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}`,
);
console.log(`load average at start: ${load()}`);
try {
  const largest = Math.max(...SIZES);
  const packs = new Map(SIZES.map((n) => [n, join(work, `pack-${n}`)]));
  for (const [n, dir] of packs) generatePack(dir, n);

  const direct = await startServer(join(work, 'server-direct'));
  const cold = await time(packs.get(largest), direct.url, 8, join(work, 'cli'));
  const again = await time(packs.get(largest), direct.url, 8, join(work, 'cli'));
  await direct.stop();
  console.log(`pack: ${largest} resources, no added latency, concurrency 8`);
  console.log(
    `  cold import: ${cold.ms.toFixed(0)} ms, client CPU ${perResource(cold.cpuMs, largest)} ms/resource ${JSON.stringify(cold.counts)}`,
  );
  console.log(
    `  re-import, unchanged: ${again.ms.toFixed(0)} ms, client CPU ${perResource(again.cpuMs, largest)} ms/resource ${JSON.stringify(again.counts)}`,
  );

  console.log(`with ${LATENCY_MS} ms added latency, medians of ${RUNS} runs (c1 and c16 alternate):`);
  for (const n of SIZES) {
    const results = { 1: [], 16: [] };
    for (let run = 0; run < RUNS; run++)
      for (const c of [1, 16]) results[c].push(await throughProxy(packs.get(n), n, c, run));
    const wall = (c) => median(results[c].map((r) => r.ms));
    const cpu = (c, key) => median(results[c].map((r) => r[key]));
    for (const c of [1, 16])
      console.log(
        `  ${n} resources, --concurrency ${String(c).padEnd(2)}: ${wall(c).toFixed(0)} ms; client CPU ${perResource(cpu(c, 'cpuMs'), n)} ms/resource (network phase ${perResource(cpu(c, 'networkCpuMs'), n)})`,
      );
    const ratios = results[1].map((r, i) => (r.ms / results[16][i].ms).toFixed(1));
    console.log(
      `  ${n} resources: --concurrency 16 is ${(wall(1) / wall(16)).toFixed(1)}x faster than 1 (per run: ${ratios.join(', ')})`,
    );
  }
  console.log(`load average at end: ${load()}`);
} finally {
  if (!process.env.BENCH_KEEP) rmSync(work, { recursive: true, force: true });
  else console.log(`kept ${work}`);
}
