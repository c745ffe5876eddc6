/**
 * Usage errors and the commands every CLI has, from the built binary: unknown commands and flags
 * exit 64 with the nearest spelling and never echo a value; help and version exit 0; no usage
 * error ever exits 2 (changes/partial success).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI_ERRORS } from '../../src/errors.js';

const root = join(import.meta.dirname, '..', '..');
const strata = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  spawnSync(process.execPath, [join(root, 'bin', 'run.js'), ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', STRATA_OUTPUT: '', CLU_OUTPUT: '', ...env },
  });

describe('usage errors', () => {
  it('suggests the nearest command for a typo, exit 64 (not 2: `plan || test $? -eq 2` must not pass)', () => {
    const r = strata(['imoprt', 'packs/library/wallet_manifest.yaml']);
    expect(r.status).toBe(64);
    expect(r.stderr).toContain('E_USAGE unknown command: strata imoprt');
    expect(r.stderr).toContain('did you mean strata import?');
    const topic = strata(['server', 'strat']);
    expect(topic.status).toBe(64);
    expect(topic.stderr).toContain('did you mean strata server start?');
  });

  it.each([
    [['help']],
    [['help', 'import']],
    [['help', 'server', 'token', 'create']],
    [['--help']],
    [['-h']],
    [['--version']],
    [['-v']],
    [['version']],
    [['import', '--help']],
    [[]],
  ])('strata %j exits 0 with output on stdout', (args) => {
    const r = strata(args);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout.length).toBeGreaterThan(10);
  });

  it('version prints what --version prints, and a JSON result', () => {
    expect(strata(['version']).stdout).toBe(strata(['--version']).stdout);
    const json = JSON.parse(strata(['version', '--output', 'json']).stdout) as {
      name: string;
      version: string;
    };
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
    expect(json).toMatchObject({ name: 'strata', version: pkg.version });
  });

  it.each([
    [['autocomplete'], 'unknown command (not shown)'],
    [['help', 'imprt'], 'did you mean strata import?'],
    [['validate'], 'strata validate needs PATH (manifest, pack, bundle or archive)'],
    [['plan'], 'strata plan needs PATH'],
    [['server', 'token', 'create'], 'needs --scope (one of read, config:write'],
    [['server', 'token', 'create', '--scope', 'writer'], '--scope must be one of: read, config:write'],
    [['import', 'x', '--concurrency', 'abc'], '--concurrency: Expected an integer'],
    [['import', 'x', '--url'], 'Flag --url expects a value'],
    [['graph', 'x', '--format=png'], '--format must be one of: mermaid, dot, json'],
    [['server', 'start', '--port', '99999999'], '--port: Expected an integer less than or equal to 65535'],
    [['import', 'a', 'b'], 'strata import takes one PATH; 1 more given (not shown)'],
  ])('strata %j exits 64 and says: %s', (args, says) => {
    const r = strata(args);
    expect(r.status).toBe(64);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(says);
    expect(r.stderr).not.toContain('E_INTERNAL');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('never echoes the value of an unknown flag, a bad value, or an extra argument', () => {
    const canary = 'canary-3f9a1c';
    for (const args of [
      ['import', 'x', `--auth-tokn=${canary}`],
      ['import', 'x', '--auth-tokn', canary],
      ['import', 'x', `--output=${canary}`],
      ['validate', 'x', `--strictt=${canary}`],
      [`--${canary}`],
      [canary],
    ]) {
      const r = strata(args);
      expect(r.status, args.join(' ')).toBe(64);
      expect(`${r.stdout}${r.stderr}`, args.join(' ')).not.toContain(canary);
    }
    expect(strata(['import', 'x', `--auth-tokn=${canary}`]).stderr).toContain('did you mean --auth-token?');
  });

  it('writes the error as the JSON error result on stdout under --output json, text on stderr', () => {
    for (const args of [
      ['imoprt', 'x', '--output', 'json'],
      ['validate', '--json'],
      ['import', 'x', '--bogus', '--output=json'],
    ]) {
      const r = strata(args);
      expect(r.status).toBe(64);
      expect(JSON.parse(r.stdout)).toMatchObject({
        status: 'ERROR',
        error: { code: 'E_USAGE', exit_code: 64 },
      });
      expect(r.stderr).toContain('E_USAGE');
    }
    const env = strata(['validate'], { CLU_OUTPUT: 'json' });
    expect(JSON.parse(env.stdout)).toMatchObject({ status: 'ERROR' });
  });

  it('--format beats --output and STRATA_OUTPUT (graph)', () => {
    const dot = strata(['graph', 'packs/library/loan_manifest.yaml', '--format', 'dot'], {
      STRATA_OUTPUT: 'json',
    });
    expect(dot.stdout.startsWith('digraph strata {')).toBe(true);
    const both = strata([
      'graph',
      'packs/library/loan_manifest.yaml',
      '--format',
      'mermaid',
      '--output',
      'json',
    ]);
    expect(both.stdout.startsWith('flowchart LR')).toBe(true);
    const json = strata(['graph', 'packs/library/loan_manifest.yaml'], { STRATA_OUTPUT: 'json' });
    expect(JSON.parse(json.stdout)).toHaveProperty('packs');
  });
});

describe('the error catalog (src/errors.ts)', () => {
  const sources = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
    );

  it('holds every code a command can end with', () => {
    const thrown = new Set<string>();
    for (const file of sources(join(root, 'src'))) {
      for (const m of readFileSync(file, 'utf8').matchAll(
        /new StrataError\(\s*(?:[^'`]*\?\s*)?'(E_[A-Z_]+)'/g,
      ))
        thrown.add(m[1] as string);
    }
    expect(thrown.size).toBeGreaterThan(15);
    for (const code of thrown) expect(Object.keys(CLI_ERRORS), code).toContain(code);
  });

  it('is listed in the README with exit codes and meanings', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    for (const [code, { exit }] of Object.entries(CLI_ERRORS))
      expect(readme).toMatch(new RegExp(`\\|\\s*\`${code}\`\\s*\\|\\s*${exit}\\s*\\|`));
  });
});
