// npm run bench:import: a synthetic pack of 1,000 resources (realistic mix and reference depth)
// imported into the bundled server on SQLite, as whole processes. Reports the cold import, the
// re-import of the unchanged pack, and, through a proxy that holds every response 20 ms (the
// latency of a remote environment), --concurrency 1 against --concurrency 16. Asserts nothing.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Buffer } from 'node:buffer';
import { createServer, request as httpRequest } from 'node:http';
import { cpus, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const bin = join(root, 'bin', 'run.js');
const work = mkdtempSync(join(tmpdir(), 'strata-import-bench-'));
const token = `strata_bench_${randomBytes(12).toString('hex')}`;
const LATENCY_MS = Number(process.env.BENCH_LATENCY_MS ?? 20);

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

/** 1,000 resources: a calendar and its events, flags, tags, global parameters, an internal product and its accounts, products whose parameters name flags and accounts. */
function generatePack(dir) {
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
  for (let e = 0; e < 299; e++) {
    const day = new Date(Date.UTC(2026, 0, 1) + e * 86_400_000).toISOString().slice(0, 10);
    add(
      'CALENDAR_EVENT',
      `BENCH_EVENT_${e}`,
      `calendar_event:\n  id: BENCH_EVENT_${e}\n  calendar_id: "&{BENCH_HOLIDAYS}"\n  name: Holiday ${e}\n  is_active: true\n  start_timestamp: "${day}T00:00:00+00:00"\n  end_timestamp: "${day}T23:59:59+00:00"\n`,
    );
  }
  for (let f = 0; f < 200; f++)
    add(
      'FLAG_DEFINITION',
      `BENCH_FLAG_${f}`,
      `flag_definition:\n  id: BENCH_FLAG_${f}\n  name: Flag ${f}\n  required_flag_level: FLAG_LEVEL_ACCOUNT\n  flag_visibility: FLAG_VISIBILITY_CONTRACT\n`,
    );
  for (let t = 0; t < 100; t++)
    add(
      'ACCOUNT_SCHEDULE_TAG',
      `BENCH_TAG_${t}`,
      `account_schedule_tag:\n  id: BENCH_TAG_${t}\n  description: tag ${t}\n  sends_scheduled_operation_reports: true\n`,
    );
  for (let g = 0; g < 20; g++)
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
  for (let a = 0; a < 150; a++)
    add(
      'INTERNAL_ACCOUNT',
      `BENCH_ACC_${a}`,
      `internal_account:\n  id: BENCH_ACC_${a}\n  product_id: "&{bench_internal:product_id}"\n  accounting:\n    tside: TSIDE_LIABILITY\n  permitted_denominations:\n    - GBP\n`,
    );
  for (let p = 0; ids.length < 1000; p++) {
    add(
      'SMART_CONTRACT_VERSION',
      `bench_product_${p}`,
      `product_version:\n  product_id: bench_product_${p}\n  display_name: Product ${p}\n  code: "@{contracts/product.py}"\n  params:\n    - name: denomination\n      value: GBP\n    - name: flags\n      value: '["&{BENCH_FLAG_${p % 200}}"]'\n    - name: accounts\n      value: '{"interest": "&{BENCH_ACC_${p % 150}}"}'\nmigration_strategy: PRODUCT_VERSION_MIGRATION_STRATEGY_ADD_VERSION_APPLY_NEW_USERS\n`,
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

// Asynchronous: the latency proxy runs in this process's event loop.
async function time(url, concurrency, dataDir) {
  const t0 = process.hrtime.bigint();
  const child = spawn(
    process.execPath,
    [
      bin,
      'import',
      join(work, 'pack'),
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
      env: { ...process.env, STRATA_AUTH_TOKEN: token, STRATA_CACHE_DIR: 'none' },
    },
  );
  const r = { stdout: '', stderr: '' };
  child.stdout.on('data', (d) => (r.stdout += d));
  child.stderr.on('data', (d) => (r.stderr += d));
  r.status = await new Promise((resolve) => child.on('exit', resolve));
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`import exited ${r.status}: ${r.stderr.slice(0, 2000)}`);
  const counts = JSON.parse(r.stdout).summary.counts;
  return { ms, counts };
}

const n = generatePack(join(work, 'pack'));
try {
  const direct = await startServer(join(work, 'server-direct'));
  const cold = await time(direct.url, 8, join(work, 'cli'));
  const again = await time(direct.url, 8, join(work, 'cli'));
  await direct.stop();

  const results = {};
  for (const c of [1, 16]) {
    const server = await startServer(join(work, `server-c${c}`));
    const proxy = await latencyProxy(server.url, LATENCY_MS);
    results[c] = await time(proxy.url, c, join(work, `cli-c${c}`));
    proxy.close();
    await server.stop();
  }
  console.log(
    `machine: ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}`,
  );
  console.log(`pack: ${n} resources`);
  console.log(`cold import (concurrency 8): ${cold.ms.toFixed(0)} ms ${JSON.stringify(cold.counts)}`);
  console.log(`re-import, unchanged: ${again.ms.toFixed(0)} ms ${JSON.stringify(again.counts)}`);
  console.log(
    `with ${LATENCY_MS} ms latency: concurrency 1 ${results[1].ms.toFixed(0)} ms, concurrency 16 ${results[16].ms.toFixed(0)} ms: ${(results[1].ms / results[16].ms).toFixed(1)}x faster`,
  );
} finally {
  if (!process.env.BENCH_KEEP) rmSync(work, { recursive: true, force: true });
  else console.log(`kept ${work}`);
}
