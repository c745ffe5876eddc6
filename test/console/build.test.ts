/** scripts/build-console.js: builds the bundle, and skips the build when none of its inputs changed. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { root } from './harness.js';

const out = mkdtempSync(join(tmpdir(), 'strata-console-build-'));

function buildConsole(...args: string[]): string {
  const r = spawnSync(process.execPath, [join(root, 'scripts', 'build-console.js'), '--out', out, ...args], {
    cwd: root,
    encoding: 'utf8',
  });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
}

describe('scripts/build-console.js', () => {
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('builds once, skips while the inputs are unchanged, and rebuilds with --force', () => {
    expect(buildConsole()).toMatch(/built in/);
    const assets = readdirSync(join(out, 'assets')).sort();
    expect(assets.some((f) => f.endsWith('.js'))).toBe(true);
    expect(readFileSync(join(out, '.inputs-sha256'), 'utf8')).toMatch(/^[0-9a-f]{64}\n$/);
    const builtAt = statSync(join(out, 'index.html')).mtimeMs;

    expect(buildConsole()).toMatch(/is up to date/);
    expect(statSync(join(out, 'index.html')).mtimeMs).toBe(builtAt);

    expect(buildConsole('--force')).toMatch(/built in/);
    expect(readdirSync(join(out, 'assets')).sort()).toEqual(assets);
  }, 120_000);
});
