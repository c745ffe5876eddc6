import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig, readConfig, resolveTarget, type LoadedConfig } from '../../src/config/config.js';
import { StrataError } from '../../src/errors.js';

const root = join(import.meta.dirname, '..', '..');
const example = (): LoadedConfig => {
  const file = join(root, 'examples', 'strata.config.yaml');
  return { file, config: parseConfig(readFileSync(file, 'utf8'), file) };
};
const noSecret = () => {
  throw new Error('no secret file expected');
};
const caught = (fn: () => unknown): StrataError => {
  try {
    fn();
  } catch (err) {
    if (err instanceof StrataError) return err;
    throw err;
  }
  throw new Error('expected an error');
};

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('parseConfig', () => {
  it('accepts the example config with dev, staging and production', () => {
    expect(Object.keys(example().config.environments ?? {})).toEqual(['dev', 'staging', 'production']);
  });

  it('refuses a literal token at its position, shows the token_env way, and never echoes the value', () => {
    const text = 'environments:\n  staging:\n    url: https://x.example\n    token: s3cr3t-value\n';
    const err = caught(() => parseConfig(text, 'strata.config.yaml'));
    expect(err.code).toBe('E_CONFIG_SECRET');
    expect(err.message).toContain('strata.config.yaml:4:5');
    expect(err.hint).toContain('token_env: STRATA_STAGING_TOKEN');
    expect(`${err.message} ${err.hint}`).not.toContain('s3cr3t');
  });

  it('reports schema errors with file:line:col and the nearest key', () => {
    const err = caught(() =>
      parseConfig('environments:\n  dev:\n    url: http://x\n    concurrancy: 4\n', 'c.yaml'),
    );
    expect(err.code).toBe('E_CONFIG');
    expect(err.message).toContain('c.yaml:4:5');
    expect(err.hint).toContain('concurrency');
  });

  it('reads JSON configs too', () => {
    expect(parseConfig('{"defaults": {"concurrency": 3}}', 'c.json').defaults?.concurrency).toBe(3);
  });
});

describe('readConfig', () => {
  it('finds strata.config.yaml in the working directory, or nothing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'strata-config-'));
    dirs.push(dir);
    expect(readConfig({ cwd: dir, env: {} })).toEqual({ file: null, config: {} });
    writeFileSync(join(dir, 'strata.config.yaml'), 'defaults:\n  concurrency: 2\n');
    expect(readConfig({ cwd: dir, env: {} }).config.defaults?.concurrency).toBe(2);
  });

  it('says so when --config names a missing file (usage error)', () => {
    const err = caught(() => readConfig({ path: 'nope.yaml', cwd: root, env: {} }));
    expect(err.exitCode).toBe(64);
  });
});

describe('resolveTarget', () => {
  it('takes the environment from the config file and its token from token_env', () => {
    const t = resolveTarget({ env: 'staging' }, { STRATA_STAGING_TOKEN: 'tok' }, example(), noSecret);
    expect(t).toMatchObject({
      environment: 'staging',
      url: 'https://config.staging.example',
      token: 'tok',
      tokenSource: 'STRATA_STAGING_TOKEN',
      concurrency: 16,
      maxRetries: 5,
      timeoutMs: 30000,
      activateOnImport: false,
    });
    expect(t.caFile).toBe(join(root, 'examples', 'certs', 'staging-ca.pem'));
  });

  it('orders flag > environment variable > config > default', () => {
    const env = {
      STRATA_ENV: 'production',
      STRATA_URL: 'http://env.example',
      STRATA_PRODUCTION_TOKEN: 'cfg',
      STRATA_AUTH_TOKEN: 'envtok',
    };
    const fromEnv = resolveTarget({}, env, example(), noSecret);
    expect(fromEnv).toMatchObject({
      environment: 'production',
      url: 'http://env.example',
      token: 'envtok',
      maxRetries: 8,
      concurrency: 8,
    });
    const fromFlags = resolveTarget(
      {
        env: 'dev',
        url: 'http://flag.example/',
        'auth-token': 'flagtok',
        concurrency: 2,
        'max-retries': 1,
        timeout: 5,
      },
      env,
      example(),
      noSecret,
    );
    expect(fromFlags).toMatchObject({
      environment: 'dev',
      url: 'http://flag.example',
      token: 'flagtok',
      concurrency: 2,
      maxRetries: 1,
      timeoutMs: 5,
    });
    expect(
      resolveTarget(
        {},
        { CLU_CORE_API: 'http://clu.example', CLU_AUTH_TOKEN: 'c' },
        { file: null, config: {} },
        noSecret,
      ),
    ).toMatchObject({
      url: 'http://clu.example',
      token: 'c',
      tokenSource: 'CLU_AUTH_TOKEN',
      concurrency: 8,
    });
  });

  it('reads the token from --auth-token-file (or standard input) through the reader it is given', () => {
    const t = resolveTarget(
      { url: 'http://x', 'auth-token-file': '-' },
      {},
      { file: null, config: {} },
      (p) => (p === '-' ? 'stdin-token\n' : ''),
    );
    expect(t).toMatchObject({ token: 'stdin-token', tokenSource: 'standard input' });
  });

  it('activates on import from the flag, the variables or the config', () => {
    const base = { url: 'http://x', 'auth-token': 't' };
    expect(resolveTarget(base, {}, { file: null, config: {} }, noSecret).activateOnImport).toBe(false);
    expect(
      resolveTarget(base, { CLU_ACTIVATE_ON_IMPORT: 'true' }, { file: null, config: {} }, noSecret)
        .activateOnImport,
    ).toBe(true);
    expect(
      resolveTarget(base, {}, { file: null, config: { defaults: { activate_on_import: true } } }, noSecret)
        .activateOnImport,
    ).toBe(true);
  });

  it('fails clearly without a URL, with an unknown environment, and without a token', () => {
    expect(caught(() => resolveTarget({}, {}, { file: null, config: {} }, noSecret)).exitCode).toBe(64);
    const unknown = caught(() => resolveTarget({ env: 'qa' }, {}, example(), noSecret));
    expect(unknown.exitCode).toBe(64);
    expect(unknown.hint).toContain('dev, staging, production');
    const missing = caught(() => resolveTarget({ env: 'dev' }, {}, example(), noSecret));
    expect(missing.code).toBe('E_AUTH_MISSING');
    expect(missing.exitCode).toBe(3);
    expect(missing.hint).toContain('export STRATA_DEV_TOKEN=');
  });
});
