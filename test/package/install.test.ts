/**
 * The published package, as a bank's repository gets it: `npm pack` of this checkout (the build
 * must be current: `npm test` builds first), `npm install -D` of that tarball into an empty
 * project, then the installed `strata` binary validates a pack copied outside this repository,
 * starts the bundled server and imports into it. The npm registry is reached for the
 * dependencies; the local npm cache keeps that quick (--prefer-offline).
 */
import { spawn, spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import semver from 'semver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  engines: { node: string };
};

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * The environment of a developer's shell: none of this checkout's STRATA_/CLU_/npm_ settings, and
 * NODE_ENV=development, under which oclif would look for TypeScript sources unless told not to.
 */
function cleanEnv(extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const kept = Object.entries(process.env).filter(([k]) => !/^(STRATA_|CLU_|npm_)/i.test(k));
  return { ...Object.fromEntries(kept), NODE_ENV: 'development', NO_COLOR: '1', ...extra };
}

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Run {
  const r = spawnSync(command, args, { cwd, env: cleanEnv(env), encoding: 'utf8', timeout: 280_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Every installed package (name@version -> its engines.node), nested ones included. */
function installedEngines(nodeModules: string): Map<string, string | undefined> {
  const out = new Map<string, string | undefined>();
  const visit = (dir: string): void => {
    if (!existsSync(dir)) return;
    for (const name of readdirSync(dir)) {
      if (name.startsWith('.')) continue;
      const path = join(dir, name);
      if (name.startsWith('@')) {
        visit(path);
        continue;
      }
      const manifest = join(path, 'package.json');
      if (!existsSync(manifest)) continue;
      const p = JSON.parse(readFileSync(manifest, 'utf8')) as {
        name: string;
        version: string;
        engines?: { node?: string };
      };
      out.set(`${p.name}@${p.version}`, p.engines?.node);
      visit(join(path, 'node_modules'));
    }
  };
  visit(nodeModules);
  return out;
}

describe(`the ${pkg.name} package installed from its tarball`, () => {
  let work: string;
  let tarball: string;
  let bank: string;
  let install: Run;

  beforeAll(() => {
    if (!existsSync(join(root, 'dist', 'code', 'tree-sitter-python.wasm')))
      throw new Error('the build is missing: run npm run build first');
    work = mkdtempSync(join(tmpdir(), 'strata-package-'));
    const packed = run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], root);
    expect(packed.status, packed.stderr).toBe(0);
    const [info] = JSON.parse(packed.stdout) as Array<{ filename: string }>;
    tarball = join(work, info!.filename);

    bank = join(work, 'bank-packs');
    mkdirSync(bank);
    writeFileSync(join(bank, 'package.json'), '{ "name": "bank-packs", "private": true }\n');
    install = run('npm', ['install', '-D', '--no-audit', '--no-fund', '--prefer-offline', tarball], bank);
  }, 300_000);

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('installs with no engine warning, and every dependency supports the oldest Node it claims', () => {
    expect(install.status, install.stderr).toBe(0);
    expect(install.stdout + install.stderr).not.toMatch(/EBADENGINE/);
    const oldest = semver.minVersion(pkg.engines.node)!.version;
    expect(semver.major(oldest)).toBe(20);
    const refusing = [...installedEngines(join(bank, 'node_modules'))]
      .filter(([, range]) => range !== undefined && !semver.satisfies(oldest, range))
      .map(([name, range]) => `${name} needs node ${range}`);
    expect(refusing, `on node ${oldest}`).toEqual([]);
    // The grammar comes with the package, not from tree-sitter-python's native install.
    expect(existsSync(join(bank, 'node_modules', 'tree-sitter-python'))).toBe(false);
  });

  it('validates a pack in a directory of its own', () => {
    cpSync(join(root, 'packs', 'library'), join(bank, 'packs'), { recursive: true });
    const strata = join(bank, 'node_modules', '.bin', 'strata');
    const env = { STRATA_CACHE_DIR: join(work, 'cache') };
    const r = run(
      strata,
      ['validate', 'packs/wallet_manifest.yaml', 'packs/savings_manifest.yaml'],
      bank,
      env,
    );
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/2 packs, \d+ resources: 0 errors, 0 warnings .* VALID/);
    expect(r.stderr).toBe('');
    const broken = join(bank, 'broken');
    cpSync(join(root, 'test', 'fixtures', 'broken', 'param_undeclared'), broken, { recursive: true });
    const invalid = run(strata, ['validate', 'broken', '--output', 'json'], bank, env);
    expect(invalid.status).toBe(1);
    expect(JSON.parse(invalid.stdout)).toMatchObject({ status: 'INVALID' });
    expect(invalid.stdout).toContain('"code": "E_PARAM_UNDECLARED"');
    const version = run('npx', ['--no-install', 'strata', '--version'], bank);
    expect(version.stdout).toMatch(new RegExp(`^${pkg.name}/${pkg.version.replace(/\./g, '\\.')} `));
  });

  it('starts the bundled server, answers /health and takes an import', async () => {
    const strata = join(bank, 'node_modules', '.bin', 'strata');
    const token = 'strata_package_test_token_0123456789';
    const server = spawn(strata, ['server', 'start', '--port', '0', '--data-dir', join(work, 'server')], {
      cwd: bank,
      env: cleanEnv({ STRATA_BOOTSTRAP_TOKEN: token }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => server.on('exit', resolve));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        server.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          const m = /listening on (http:\/\/\S+)/.exec(out);
          if (m) resolve(m[1]!);
        });
        void exited.then((code) => reject(new Error(`server exited ${code}: ${out}`)));
      });
      const health = await fetch(`${url}/health`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({ status: 'ok' });

      const env = { STRATA_AUTH_TOKEN: token, STRATA_CACHE_DIR: join(work, 'cache') };
      const args = ['import', 'packs/wallet_manifest.yaml', '--url', url, '--activate-on-import'];
      const imported = run(strata, [...args, '--output', 'json'], bank, env);
      expect(imported.status, imported.stdout + imported.stderr).toBe(0);
      expect(JSON.parse(imported.stdout)).toMatchObject({ status: 'SUCCESS' });
      expect(imported.stderr).not.toMatch(/warn/i);
    } finally {
      server.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  }, 120_000);
});
