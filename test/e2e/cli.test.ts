import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validator } from '../../src/schema/index.js';

const root = join(import.meta.dirname, '..', '..');
const strata = (...args: string[]) =>
  spawnSync(process.execPath, [join(root, 'bin', 'run.js'), ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  });

const libraryManifests = readdirSync(join(root, 'packs', 'library'))
  .filter((n) => n.endsWith('_manifest.yaml'))
  .map((n) => `packs/library/${n}`);

describe('strata (the built binary)', () => {
  it('prints its version', () => {
    const r = strata('--version');
    expect(r.status).toBe(0);
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      name: string;
      version: string;
    };
    // The version line names the package (strata-cli), as oclif writes it: `strata-cli/0.1.0 linux-x64 node-v20...`.
    expect(r.stdout).toMatch(new RegExp(`^${pkg.name}/${pkg.version.replace(/\./g, '\\.')} `));
  });

  it.each([...libraryManifests, 'packs/bundle'])(
    'validates the example %s with exit 0 and no findings',
    (path) => {
      const r = strata('validate', path, '--strict');
      expect(r.stderr).toBe('');
      expect(r.stdout).toMatch(/0 errors, 0 warnings .* VALID\n$/);
      expect(r.status).toBe(0);
    },
  );

  it('gives a JSON result that matches schemas/validate-result.schema.json', () => {
    const r = strata('validate', ...libraryManifests, 'packs/bundle', '--output', 'json');
    expect(r.status).toBe(0);
    const result = JSON.parse(r.stdout) as { status: string; packs: Array<{ import_order: string[] }> };
    const check = validator('validate-result');
    expect(check(result), JSON.stringify(check.errors)).toBe(true);
    expect(result.status).toBe('VALID');
    expect(result.packs.length).toBe(libraryManifests.length + 2);
    expect(Object.keys(result).join(',')).toBe('status,validate,packs,findings,unlisted_duplicates,summary');
  });

  it('--json is the same as --output json', () => {
    const a = JSON.parse(strata('validate', 'packs/bundle', '--json').stdout) as {
      summary: { duration_ms: number };
    };
    const b = JSON.parse(strata('validate', 'packs/bundle', '--output', 'json').stdout) as {
      summary: { duration_ms: number };
    };
    a.summary.duration_ms = b.summary.duration_ms = 0;
    expect(a).toEqual(b);
  });

  it('--verbose describes each pack on stderr, stdout unchanged', () => {
    const quiet = strata('validate', 'packs/library/loan_manifest.yaml');
    const loud = strata('validate', 'packs/library/loan_manifest.yaml', '--verbose');
    expect(loud.stderr).toMatch(
      /^packs\/library\/loan_manifest\.yaml: pack Personal Loan .*import order: .*\bloan\b/m,
    );
    expect(loud.stdout.replace(/\(\d+ ms\)/, '')).toBe(quiet.stdout.replace(/\(\d+ ms\)/, ''));
  });

  it('--quiet prints errors only', () => {
    const r = strata('validate', 'test/fixtures/broken/vault_id_differs', '--quiet');
    expect(r.stdout).not.toContain('W_VAULT_ID_DIFFERS');
    const loud = strata('validate', 'test/fixtures/broken/vault_id_differs');
    expect(loud.stdout).toContain('W_VAULT_ID_DIFFERS');
  });

  it('convert prints one JSON request per line, and nothing for an invalid pack', () => {
    const r = strata('convert', 'packs/library/wallet_manifest.yaml');
    expect(r.status).toBe(0);
    const lines = r.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as { method: string; path: string; body: { request_id: string } });
    expect(lines.length).toBeGreaterThan(3);
    for (const l of lines) {
      expect(l.method).toBe('POST');
      expect(l.path).toMatch(/^\/v1\//);
      expect(l.body.request_id).toMatch(/^[0-9a-f-]{36}$/);
    }
    const bad = strata('convert', 'test/fixtures/broken/ref_unknown/wallet_manifest.yaml');
    expect(bad.status).toBe(1);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toContain('E_REF_UNKNOWN');
  });

  it('exits 64 on an unknown flag, with the error on stderr', () => {
    const r = strata('validate', 'packs/bundle', '--no-such-flag');
    expect(r.status).toBe(64);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('E_USAGE');
  });

  it('exits 64 on a bad flag value', () => {
    const r = strata('graph', 'packs/bundle', '--format', 'png');
    expect(r.status).toBe(64);
    expect(r.stderr).toContain('E_USAGE');
  });

  it('asks which manifest when a directory holds several', () => {
    const r = strata('validate', 'packs/library');
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('E_MANIFEST_AMBIGUOUS');
    expect(r.stdout).toContain('wallet_manifest.yaml');
  });

  it('prints the graph as mermaid, dot and json', () => {
    const m = strata('graph', 'packs/library/loan_manifest.yaml');
    expect(m.status).toBe(0);
    expect(m.stdout.startsWith('flowchart LR\n')).toBe(true);
    expect(m.stdout).toMatch(/-->\|product_id\|/);
    const d = strata('graph', 'packs/library/loan_manifest.yaml', '--format', 'dot');
    expect(d.stdout.startsWith('digraph strata {')).toBe(true);
    const j = JSON.parse(strata('graph', 'packs/library/loan_manifest.yaml', '--format', 'json').stdout) as {
      packs: Array<{ edges: Array<{ from: string; to: string }>; import_order: string[] }>;
    };
    const pack = j.packs[0]!;
    for (const e of pack.edges)
      expect(pack.import_order.indexOf(e.to)).toBeLessThan(pack.import_order.indexOf(e.from));
  });
});
