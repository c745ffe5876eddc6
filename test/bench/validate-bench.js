// npm run bench:validate: times `bin/run.js validate` on a synthetic 10,000-resource bundle and
// `strata --version`, as whole processes. Prints medians and the machine; asserts nothing.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpus, totalmem, tmpdir } from 'node:os';
import { mkdtempSync, rmSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateBundle } from './generate-bundle.js';

const here = dirname(fileURLToPath(import.meta.url));
const bin = join(here, '..', '..', 'bin', 'run.js');
const dir = join(tmpdir(), 'strata-bench-bundle');
const resources = Number(process.env.BENCH_RESOURCES ?? 10_000);
const runs = Number(process.env.BENCH_RUNS ?? 7);

const total = generateBundle(dir, { resources });
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const time = (args, cacheDir = 'none') => {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [bin, ...args], {
    encoding: 'utf8',
    maxBuffer: 1 << 28,
    env: { ...process.env, STRATA_CACHE_DIR: cacheDir },
  });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  return { ms, status: r.status, out: r.stdout, err: r.stderr };
};

const first = time(['validate', dir]);
if (first.status !== 0) {
  console.error(first.out.split('\n').slice(0, 20).join('\n'), first.err);
  throw new Error(`validate exited ${first.status} on the bench bundle`);
}
// Cold: no code-facts cache (every contract parsed). Warm: the cache filled by a first run.
const validate = [];
for (let i = 0; i < runs; i++) validate.push(time(['validate', dir]).ms);
const cache = mkdtempSync(join(tmpdir(), 'strata-bench-cache-'));
time(['validate', dir], cache);
const warm = [];
for (let i = 0; i < runs; i++) warm.push(time(['validate', dir], cache).ms);
rmSync(cache, { recursive: true, force: true });
const version = [];
for (let i = 0; i < runs; i++) version.push(time(['--version']).ms);

const m = median(validate);
const w = median(warm);
console.log(
  `machine: ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}`,
);
console.log(`bundle: ${total} resources in 20 packs (${dir})`);
console.log(
  `validate, cold: median ${m.toFixed(0)} ms over ${runs} runs (min ${Math.min(...validate).toFixed(0)}, max ${Math.max(...validate).toFixed(0)}) = ${Math.round(total / (m / 1000))} resources/s`,
);
console.log(
  `validate, warm code-facts cache: median ${w.toFixed(0)} ms = ${Math.round(total / (w / 1000))} resources/s`,
);
console.log(`--version: median ${median(version).toFixed(0)} ms`);
console.log(execFileSync(process.execPath, [bin, '--version'], { encoding: 'utf8' }).trim());
