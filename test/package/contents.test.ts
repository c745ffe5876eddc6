/**
 * What `npm pack` would publish (a dry run over the current build: `npm test` builds first), and
 * the package metadata users rely on. The install itself is test/package/install.test.ts.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  license: string;
  bin: Record<string, string>;
  dependencies: Record<string, string>;
};

function listFiles(dir: string, prefix: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? listFiles(join(dir, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`],
  );
}

describe(`the ${pkg.name} package`, () => {
  let files: string[];

  beforeAll(() => {
    const packed = spawnSync('npm', ['pack', '--dry-run', '--ignore-scripts', '--json'], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(packed.status, packed.stderr).toBe(0);
    const [info] = JSON.parse(packed.stdout) as Array<{ files: Array<{ path: string }> }>;
    files = info!.files.map((f) => f.path).sort();
  }, 60_000);

  it('is named and licensed for publishing, and installs the strata command', () => {
    expect(pkg.name).toBe('strata-cli');
    expect(pkg).not.toHaveProperty('private');
    expect(pkg.license).toBe('MIT');
    expect(pkg.bin).toEqual({ strata: './bin/run.js' });
    expect(readFileSync(join(root, 'LICENSE'), 'utf8')).toMatch(
      /^MIT License\n\nCopyright \(c\) \d{4} Strata contributors\n/,
    );
  });

  it('ships what the installed binary loads', () => {
    for (const needed of [
      'LICENSE',
      'README.md',
      'package.json',
      'bin/run.js',
      'oclif.manifest.json',
      'dist/commands/validate.js',
      'dist/hooks/not-found.js',
      'dist/schema/compiled.cjs',
      'dist/code/tree-sitter-python.wasm',
      'dist/code/facts-worker-main.js',
      'dist/pack/worker.js',
    ]) {
      expect(files, needed).toContain(needed);
    }
    for (const built of listFiles(join(root, 'dist'), 'dist/').filter((f) => !f.endsWith('.map')))
      expect(files, built).toContain(built);
    for (const schema of listFiles(join(root, 'schemas'), 'schemas/'))
      expect(files, schema).toContain(schema);
  });

  it('ships no sources, tests, development entry point or source maps', () => {
    expect(files.filter((f) => /^(src|test|scripts|packs|examples|node_modules)\//.test(f))).toEqual([]);
    expect(files.filter((f) => f.endsWith('.map') || f.endsWith('.ts') || f === 'bin/dev.js')).toEqual([]);
  });

  it('takes the Python grammar from its own build, not from a native dependency', () => {
    expect(pkg.dependencies).not.toHaveProperty('tree-sitter-python');
  });

  it('is pinned at this version wherever the docs show a pinned npx call', () => {
    const pinned = `${pkg.name}@${pkg.version}`;
    for (const doc of ['README.md', 'examples/gitlab-ci.yml']) {
      const text = readFileSync(join(root, doc), 'utf8');
      const pins = [...text.matchAll(/strata-cli@([0-9][^\s`'"]*)/g)].map((m) => m[0]);
      expect(pins.length, doc).toBeGreaterThan(0);
      for (const pin of pins) expect(pin, doc).toBe(pinned);
    }
  });
});
