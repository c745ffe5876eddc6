import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const cache = mkdtempSync(join(tmpdir(), 'strata-e2e-cache-'));
afterAll(() => rmSync(cache, { recursive: true, force: true }));

const validate = (cacheDir: string) => {
  const r = spawnSync(
    process.execPath,
    [join(root, 'bin', 'run.js'), 'validate', 'packs/library/savings_manifest.yaml', '--json'],
    {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, STRATA_CACHE_DIR: cacheDir },
    },
  );
  const result = JSON.parse(r.stdout) as {
    status: string;
    findings: Array<{ code: string }>;
    summary: { duration_ms: number };
  };
  result.summary.duration_ms = 0;
  return result;
};

const entries = (): string[] =>
  readdirSync(join(cache, 'code-facts'), { recursive: true, encoding: 'utf8' }).filter((f) =>
    f.endsWith('.json'),
  );

describe('the code facts cache (built binary)', () => {
  it('gives the same result cold, warm and turned off', () => {
    const cold = validate(cache);
    expect(entries().length).toBeGreaterThan(0);
    const warm = validate(cache);
    const off = validate('none');
    expect(cold.status).toBe('VALID');
    expect(warm).toEqual(cold);
    expect(off).toEqual(cold);
  });

  it('is read on the next run (an entry edited by hand shows in the result)', () => {
    for (const entry of entries()) {
      const file = join(cache, 'code-facts', entry);
      const facts = JSON.parse(readFileSync(file, 'utf8')) as { declaredParameters: string[] | null };
      if (facts.declaredParameters !== null) facts.declaredParameters = [];
      writeFileSync(file, JSON.stringify(facts));
    }
    const result = validate(cache);
    expect(result.findings.map((f) => f.code)).toContain('E_PARAM_UNDECLARED');
  });
});

describe('render and the code facts cache', () => {
  it('renders the same with the cache cold, warm and off, and fills it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'strata-render-cache-'));
    try {
      const render = (cacheDir: string) =>
        spawnSync(
          process.execPath,
          [
            join(root, 'bin', 'run.js'),
            'render',
            'packs/library/savings/contracts/template/savings_account.py',
            '--check',
            '--no-git',
          ],
          { cwd: root, encoding: 'utf8', env: { ...process.env, STRATA_CACHE_DIR: cacheDir } },
        );
      const cold = render(dir);
      const filled = readdirSync(join(dir, 'code-facts'), { recursive: true, encoding: 'utf8' }).filter((f) =>
        f.endsWith('.json'),
      );
      const warm = render(dir);
      const off = render('none');
      expect(cold.status).toBe(0);
      expect(filled.length).toBeGreaterThan(5);
      expect([warm.status, warm.stdout]).toEqual([cold.status, cold.stdout]);
      expect([off.status, off.stdout]).toEqual([cold.status, cold.stdout]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
