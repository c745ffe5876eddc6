/**
 * A pipeline written for CLU runs unchanged with `strata` in CLU's place (cli.md "CLU
 * compatibility"): a deploy script shaped like a product library's own CI deployer (`clu
 * version`, `clu validate M`, `clu import M --activate-on-import --auth-token T --core-api URL`,
 * reading CLU's JSON and status words), run by bash with a `clu` on PATH that is strata, against a
 * real server over HTTP, on the realistic library fixture. Also: CLU's variables, a CLU config file
 * (flat underscore keys), CLU's JSON keys.
 */
import { chmodSync, cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { bin, root, scopedServer, strata, type ScopedServer } from './server.js';

// Several real processes per test, on a shared 2-core machine.
vi.setConfig({ testTimeout: 120_000 });

const LIBRARY = join(root, 'test', 'fixtures', 'library');

/** A deployer script as CLU users write them: bash, set -e, CLU on PATH, JSON read with node. */
const DEPLOY_SCRIPT = `#!/usr/bin/env bash
# Deploys every product manifest of a library with CLU. Usage: deploy.sh LIBRARY CORE_API
set -euo pipefail
library="$1"
core_api="$2"
clu version
for manifest in "$library"/*_manifest.yaml; do
  name="$(basename "$manifest" .yaml)"
  echo "--- $name"
  clu validate "$manifest" --output=json > "validate-$name.json"
  # CLU's validate result: a map of resource id -> {valid, ...}
  node -e '
    const r = require(process.argv[1]);
    const bad = Object.entries(r.validate).filter(([, v]) => !v.valid).map(([id]) => id);
    if (bad.length) { console.error("invalid: " + bad.join(", ")); process.exit(1); }
    console.log(Object.keys(r.validate).length + " resources valid");
  ' "$PWD/validate-$name.json"
  clu import "$manifest" --activate-on-import --auth-token "$CLU_TOKEN" --core-api "$core_api" --nocolor > "import-$name.log"
  status="$(tail -n 1 "import-$name.log")"
  if [ "$status" != "SUCCESS" ]; then
    echo "import of $name: $status" >&2
    exit 1
  fi
  echo "$name: $status"
done
`;

let server: ScopedServer;
let token: string;
let work: string;
let pathDir: string;

beforeAll(async () => {
  server = await scopedServer();
  token = await server.token(['read', 'config:write', 'config:activate'], 'ci-deployer');
  work = mkdtempSync(join(tmpdir(), 'strata-clu-'));
  pathDir = join(work, 'bin');
  mkdirSync(pathDir);
  // `clu` is strata: the pipeline's binary swapped, nothing else.
  writeFileSync(join(pathDir, 'clu'), `#!/bin/sh\nexec "${process.execPath}" "${bin}" "$@"\n`);
  chmodSync(join(pathDir, 'clu'), 0o755);
  writeFileSync(join(work, 'deploy.sh'), DEPLOY_SCRIPT);
  // Two of the library's product manifests (sharing its root): the pipeline runs twice per test on
  // a shared 2-core machine; test/pack/library.test.ts imports all of them.
  cpSync(LIBRARY, join(work, 'library'), { recursive: true });
  for (const name of ['loan_manifest.yaml', 'savings_account_manifest.yaml'])
    rmSync(join(work, 'library', name));
  chmodSync(join(work, 'deploy.sh'), 0o755);
});
afterAll(async () => {
  await server.close();
  rmSync(work, { recursive: true, force: true });
});

function bash(
  script: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ status: number | null; out: string }> {
  return new Promise((resolve) => {
    const clean = Object.fromEntries(
      Object.entries(process.env).filter(([k]) => !/^(STRATA_|CLU_|CI$)/.test(k)),
    );
    const child = spawn('bash', [script, ...args], {
      cwd: work,
      env: { ...clean, PATH: `${pathDir}:${process.env.PATH ?? ''}`, ...env },
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (status) => resolve({ status, out }));
  });
}

describe('a CLU deploy pipeline with strata as clu', () => {
  it('validates and imports every manifest with SUCCESS, and again unchanged', async () => {
    const library = join(work, 'library');
    const first = await bash(join(work, 'deploy.sh'), [library, server.url], { CLU_TOKEN: token });
    expect(first.status, first.out).toBe(0);
    expect(first.out).toMatch(/^strata-cli\/\d+\.\d+\.\d+ /m);
    for (const name of ['common_manifest', 'current_account_manifest'])
      expect(first.out).toContain(`${name}: SUCCESS`);
    const objects = await server.objectCount();
    expect(objects).toBeGreaterThan(0);

    const again = await bash(join(work, 'deploy.sh'), [library, server.url], { CLU_TOKEN: token });
    expect(again.status, again.out).toBe(0);
    expect(await server.objectCount()).toBe(objects);
  }, 240_000);

  it('stops the pipeline (set -e) on a refused token: exit 3, the token never shown', async () => {
    const refused = await bash(join(work, 'deploy.sh'), [join(work, 'library'), server.url], {
      CLU_TOKEN: 'not-a-token',
    });
    expect(refused.status).toBe(3);
    expect(refused.out).toContain('E_AUTH');
    expect(refused.out).not.toContain('not-a-token');
  }, 120_000);
});

describe('CLU settings', () => {
  const manifest = join(LIBRARY, 'common_manifest.yaml');

  it('CLU_* variables: CLU_CORE_API, CLU_AUTH_TOKEN, CLU_ACTIVATE_ON_IMPORT, CLU_OUTPUT', async () => {
    const r = await strata(['import', manifest, '--journal-dir', join(work, 'runs-env')], {
      CLU_CORE_API: server.url,
      CLU_AUTH_TOKEN: token,
      CLU_ACTIVATE_ON_IMPORT: 'true',
      CLU_OUTPUT: 'json',
    });
    expect(r.status, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout) as {
      status: string;
      validate: Record<string, { valid: boolean }>;
      import: object;
    };
    expect(result.status).toBe('SUCCESS');
    expect(Object.values(result.validate).every((v) => v.valid)).toBe(true);
    expect(Object.keys(result.import)).toEqual(
      Object.keys(result.validate).filter((id) => id in result.import),
    );
  });

  it('a CLU config file: flat underscore keys (core_api, output, nocolor); a literal auth_token is refused', async () => {
    const config = join(work, 'clu-config.yaml');
    writeFileSync(
      config,
      [
        `core_api: ${server.url}`,
        `workflows_api: ${server.url}`,
        `access_control_api: ${server.url}`,
        `payments_api: ${server.url}`,
        'token_env: DEPLOY_TOKEN',
        'activate_on_import: true',
        'output: json',
        'nocolor: true',
        '',
      ].join('\n'),
    );
    const r = await strata(
      ['import', manifest, '--config', config, '--journal-dir', join(work, 'runs-config')],
      {
        DEPLOY_TOKEN: token,
      },
    );
    expect(r.status, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as { status: string }).status).toBe('SUCCESS');
    expect(r.stderr).toContain(`target: ${server.url}`);
    // The config's output applies to offline commands too.
    const v = await strata(['validate', manifest, '--config', config]);
    expect((JSON.parse(v.stdout) as { status: string }).status).toBe('VALID');

    const secret = join(work, 'clu-secret.yaml');
    writeFileSync(secret, `core_api: ${server.url}\nauth_token: literal-secret-value\n`);
    const refused = await strata(['import', manifest, '--config', secret]);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('E_CONFIG_SECRET');
    expect(refused.stderr + refused.stdout).not.toContain('literal-secret-value');
  });

  it('--jwt sends the token as a bearer token; --output=text overrides CLU_OUTPUT', async () => {
    const r = await strata(
      [
        'import',
        manifest,
        '--core-api',
        server.url,
        '--jwt',
        token,
        '--output=text',
        '--journal-dir',
        join(work, 'runs-jwt'),
      ],
      { CLU_OUTPUT: 'json' },
    );
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe('SUCCESS');
  });
});
