// npm run bench:render: times `bin/run.js render` as a whole process on a synthetic feature
// library (40 feature modules, 400 top-level objects, 4 import levels) and a template that uses
// most of it. Prints medians and the machine; asserts nothing.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, totalmem, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const bin = join(here, '..', '..', 'bin', 'run.js');
const dir = join(tmpdir(), 'strata-bench-render');
const runs = Number(process.env.BENCH_RUNS ?? 9);
const LEVELS = 4;
const PER_LEVEL = 10;
const OBJECTS = 10;

/** Module i of level l imports modules i and i+1 of the level below (level 3 imports none). */
function featureModule(level, i) {
  const deps = level + 1 < LEVELS ? [i, (i + 1) % PER_LEVEL] : [];
  const lines = [
    `# Synthetic feature l${level}.m${i}`,
    'from decimal import Decimal',
    'from typing import NamedTuple, Optional',
    '',
    ...deps.map((d) => `import features.l${level + 1}.m${d} as dep${d}`),
    '',
    'from contracts_api import Parameter, ParameterLevel, NumberShape',
    'from inception_sdk.vault.contracts.extensions.contracts_api_extensions import SmartContractVault',
    '',
    `PARAM_NAME = "l${level}_m${i}_param"`,
    `EVENT = "L${level}_M${i}_EVENT"`,
    `FETCHERS = [${deps.length > 0 ? `*dep${deps[0]}.FETCHERS, ` : ''}"l${level}_m${i}_fetcher"]`,
    '',
    'parameter = Parameter(',
    '    name=PARAM_NAME,',
    '    level=ParameterLevel.TEMPLATE,',
    '    shape=NumberShape(min_value=Decimal("0")),',
    ')',
    '',
    '',
    'class Detail(NamedTuple):',
    '    amount: Decimal',
    '    label: str',
    '',
  ];
  for (let k = 0; k < OBJECTS - 5; k += 1) {
    const call = deps.length > 0 ? `dep${deps[k % deps.length]}.helper_${k}(vault, amount)` : 'amount';
    lines.push(
      '',
      `def helper_${k}(vault: SmartContractVault, amount: Decimal, rate: Optional[Decimal] = None) -> Decimal:`,
      `    """Helper ${k} of l${level}.m${i}."""`,
      '    # scale by the parameter, then defer to the level below',
      `    scaled = amount * Decimal(vault.get_parameter_timeseries(name=PARAM_NAME).latest() or 1)`,
      `    total = sum(x for x in [scaled, ${call}])`,
      '    return Detail(amount=total, label=EVENT).amount',
      '',
    );
  }
  return `${lines.join('\n')}\n`;
}

function template() {
  const modules = [];
  for (let l = 0; l < LEVELS; l += 1) for (let i = 0; i < PER_LEVEL; i += 1) modules.push([l, i]);
  const alias = ([l, i]) => `l${l}m${i}`;
  const uses = modules.map((m) => `    ${alias(m)}.helper_${(m[1] + m[0]) % (OBJECTS - 5)}(vault, total)`);
  return [
    '# Synthetic template using most of the library',
    'from typing import Optional',
    ...modules.map((m) => `import features.l${m[0]}.m${m[1]} as ${alias(m)}`),
    'from contracts_api import requires, fetch_account_data, Tside',
    'from inception_sdk.vault.contracts.extensions.contracts_api_extensions import SmartContractVault',
    '',
    'api = "4.0.0"',
    'version = "1.0.0"',
    'tside = Tside.LIABILITY',
    '',
    `parameters = [${modules.map((m) => `${alias(m)}.parameter`).join(', ')}]`,
    '',
    '',
    `@requires(event_type=${alias(modules[0])}.EVENT, parameters=True)`,
    `@fetch_account_data(balances=[*${alias(modules[0])}.FETCHERS, *${alias(modules[5])}.FETCHERS])`,
    'def scheduled_event_hook(vault: SmartContractVault, hook_arguments) -> Optional[object]:',
    '    total = 0',
    ...modules.map((m) => `    total += ${alias(m)}.helper_0(vault, total)`),
    '    return None',
    '',
    '',
    'def helpers(vault: SmartContractVault, total):',
    '    return [',
    ...uses.map((u) => `${u},`),
    '    ]',
    '',
  ].join('\n');
}

function generate() {
  rmSync(dir, { recursive: true, force: true });
  let objects = 0;
  for (let l = 0; l < LEVELS; l += 1) {
    for (let i = 0; i < PER_LEVEL; i += 1) {
      const path = join(dir, 'features', `l${l}`, `m${i}.py`);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, featureModule(l, i));
      objects += OBJECTS;
    }
  }
  const t = join(dir, 'products', 'bench', 'contracts', 'template', 'bench.py');
  mkdirSync(dirname(t), { recursive: true });
  writeFileSync(t, template());
  return { template: t, objects };
}

const { template: tpl, objects } = generate();
const out = join(dir, 'bench_rendered.py');
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const time = (args) => {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', cwd: dir });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  return { ms, status: r.status, out: r.stdout, err: r.stderr };
};

const args = ['render', tpl, '-o', out, '--no-git'];
const first = time(args);
if (first.status !== 0) {
  console.error(first.out, first.err);
  throw new Error(`render exited ${first.status} on the bench template`);
}
const render = [];
for (let i = 0; i < runs; i += 1) render.push(time(args).ms);
const check = [];
for (let i = 0; i < runs; i += 1) check.push(time([...args, '--check']).ms);
const version = [];
for (let i = 0; i < runs; i += 1) version.push(time(['--version']).ms);

const rendered = readFileSync(out, 'utf8');
const emitted = (rendered.match(/^(def |class |\w+ = )/gm) ?? []).length;
const cpu = cpus();
console.log(
  `machine: ${cpu.length} x ${cpu[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}`,
);
console.log(
  `library: ${LEVELS * PER_LEVEL} feature modules, ${objects} objects, ${LEVELS} import levels (${dir}); output ${rendered.split('\n').length} lines, ${emitted} top-level definitions`,
);
console.log(
  `render: median ${median(render).toFixed(0)} ms over ${runs} runs (min ${Math.min(...render).toFixed(0)}, max ${Math.max(...render).toFixed(0)})`,
);
console.log(`render --check: median ${median(check).toFixed(0)} ms`);
console.log(`strata --version (process start-up alone): median ${median(version).toFixed(0)} ms`);
