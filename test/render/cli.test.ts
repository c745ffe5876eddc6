// End to end: the built binary (`npm run build` first, as `npm test` does).
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { analyzeCode } from '../../src/code/contract.js';
import { loadPython } from '../../src/code/python.js';
import { checkPython, cleanTrees, template, writeTree } from './helpers.js';

afterAll(cleanTrees);

const root = join(import.meta.dirname, '..', '..');
const strata = (cwd: string, ...args: string[]) =>
  spawnSync(process.execPath, [join(root, 'bin', 'run.js'), ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  });

const EXAMPLE = 'packs/library/savings/contracts/template/savings_account.py';
const EXAMPLE_OUT = 'packs/library/savings/contracts/savings_account_rendered.py';

describe('strata render (the built binary)', () => {
  it.each([[['--check']], [['--check', '--no-git']]])(
    'finds the committed example render up to date in this clone (%j; CI runs plain --check)',
    (flags) => {
      const r = strata(root, 'render', EXAMPLE, ...flags);
      expect(r.stderr).toBe('');
      expect(r.stdout).toBe(`up to date ${EXAMPLE_OUT}\n`);
      expect(r.status).toBe(0);
    },
  );

  it('is the command CI runs on the committed renders', () => {
    expect(readFileSync(join(root, '.ci/run'), 'utf8')).toMatch(
      /^node bin\/run\.js render --check \$\(find packs -path '\*\/template\/\*\.py' \| sort\)$/m,
    );
  });

  it('prints nothing on success with --quiet', () => {
    const r = strata(root, 'render', EXAMPLE, '--check', '--no-git', '--quiet');
    expect(r.status).toBe(0);
    expect(r.stdout + r.stderr).toBe('');
  });

  it('renders the example into a file Python parses, with every name defined', () => {
    const dir = writeTree({});
    const out = join(dir, 'savings.py');
    const r = strata(root, 'render', EXAMPLE, '--no-git', '-o', out);
    expect(r.status).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe(readFileSync(join(root, EXAMPLE_OUT), 'utf8'));
    checkPython(out);
  });

  it('commits a rendered example that validate reads as a contract (not a template)', async () => {
    const facts = analyzeCode(await loadPython(), readFileSync(join(root, EXAMPLE_OUT), 'utf8'));
    expect(facts.syntaxErrors).toEqual([]);
    expect(facts.featureImports).toEqual([]);
    expect(facts.api?.value).toBe('4.0.0');
    expect(facts.version?.value).toBe('2.2.0');
    // The parameters the hand-written savings contract declares are all there.
    expect([...(facts.declaredParameters ?? [])].sort()).toEqual([
      'accrual_precision',
      'days_in_year',
      'denomination',
      'dormancy_flags',
      'interest_application_day',
      'interest_rate_margin',
      'internal_accounts',
      'maximum_balance',
      'minimum_deposit',
    ]);
  });

  it('exits 1 with a unified diff on stdout when the output is stale, and names the command to run', () => {
    const dir = writeTree({
      'features/a.py': 'A = 1\n',
      'contracts/template/t.py': template('X = a.A\n', 'import features.a as a'),
    });
    expect(strata(dir, 'render', 'contracts/template/t.py', '--no-git').stdout).toBe(
      'rendered contracts/template/t.py -> contracts/t_rendered.py\n',
    );
    writeFileSync(join(dir, 'features/a.py'), 'A = 2\n');
    const r = strata(dir, 'render', 'contracts/template/t.py', '--check', '--no-git');
    expect(r.status).toBe(1);
    expect(r.stdout).toContain(
      '--- contracts/t_rendered.py (on disk)\n+++ contracts/t_rendered.py (rendered)\n',
    );
    expect(r.stdout).toMatch(/\n-# md5:[0-9a-f]{32}\n-a_A = 1\n\+# md5:[0-9a-f]{32}\n\+a_A = 2\n/);
    expect(r.stderr).toBe(
      'stale contracts/t_rendered.py: run strata render contracts/template/t.py --no-git\n',
    );
    expect(strata(dir, 'render', 'contracts/template/t.py', '--no-git').status).toBe(0);
    expect(strata(dir, 'render', 'contracts/template/t.py', '--no-git', '--check').status).toBe(0);
  });

  it('prints errors compiler style with a hint, and exits 1', () => {
    const dir = writeTree({
      'features/a.py': 'A = 1\n',
      'contracts/template/t.py': template('X = a.B\n', 'import features.a as a'),
    });
    const r = strata(dir, 'render', 'contracts/template/t.py');
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(
      'contracts/template/t.py:6:5: error E_RENDER_DANGLING a.B: features.a (features/a.py) defines no `B`\n' +
        '  hint: define B in features/a.py, or fix the name\n',
    );
    expect(r.stdout).toBe('failed contracts/template/t.py: 1 error\n');
  });

  it('gives a JSON result with --json', () => {
    const r = strata(root, 'render', EXAMPLE, '--check', '--no-git', '--json');
    expect(r.status).toBe(0);
    const result = JSON.parse(r.stdout) as {
      status: string;
      templates: Array<{ status: string; root: string; sections: Array<{ module: string }> }>;
    };
    expect(result.status).toBe('OK');
    expect(result.templates[0]?.status).toBe('up_to_date');
    expect(result.templates[0]?.root).toBe('packs/library');
    expect(result.templates[0]?.sections.map((s) => s.module)).toEqual([
      'features.common.fetchers',
      'features.common.utils',
      'features.common.interest_accrual_common',
      'features.savings.deposit_limits',
      'features.savings.dormancy',
      'features.savings.interest',
    ]);
  });

  it.each([
    [['a.py', 'b.py', '-o', 'x.py'], '-o/--out names one output file'],
    [['a.py', '-o', 'x.py', '--out-dir', 'd'], '--out and --out-dir cannot be used together'],
    [['a.py', '--bogus'], 'unknown flag (not shown) for strata render'],
  ])('exits 64 on a usage error: %j', (args, message) => {
    const r = strata(root, 'render', ...args);
    expect(r.status).toBe(64);
    expect(r.stderr).toContain('E_USAGE');
    expect(r.stderr).toContain(message);
  });
});
