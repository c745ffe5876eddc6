import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  parseConfig,
  readConfig,
  resolveTarget,
  type LoadedConfig,
  type TargetIo,
} from '../../src/config/config.js';
import { StrataError } from '../../src/errors.js';

const root = join(import.meta.dirname, '..', '..');
const example = (): LoadedConfig => {
  const file = join(root, 'examples', 'strata.config.yaml');
  return { file, config: parseConfig(readFileSync(file, 'utf8'), file) };
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
    expect(err).toMatchObject({ code: 'E_CONFIG_NOT_FOUND', exitCode: 64 });
    expect(caught(() => readConfig({ cwd: root, env: { CLU_CONFIG: 'nope.yaml' } })).message).toContain(
      'CLU_CONFIG',
    );
  });
});

const none: LoadedConfig = { file: null, config: {} };
/** File reads for resolveTarget: the files named here exist, every other does not. */
const io = (files: Record<string, string> = {}): TargetIo => ({
  readSecret: (path) => {
    const text = files[path];
    if (text === undefined) throw Object.assign(new Error(`ENOENT ${path}`), { code: 'ENOENT' });
    return text;
  },
  readable: (path) => path in files,
});
const stagingCa = join(root, 'examples', 'certs', 'staging-ca.pem');

describe('resolveTarget', () => {
  it('takes the environment from the config file and its token from token_env', () => {
    const t = resolveTarget(
      { env: 'staging' },
      { STRATA_STAGING_TOKEN: 'tok1' },
      example(),
      io({ [stagingCa]: 'pem' }),
    );
    expect(t).toMatchObject({
      environment: 'staging',
      url: 'https://config.staging.example',
      token: 'tok1',
      tokenSource: 'STRATA_STAGING_TOKEN',
      concurrency: 16,
      maxRetries: 5,
      timeoutMs: 30000,
      activateOnImport: false,
    });
    expect(t.caFile).toBe(stagingCa);
  });

  it('refuses an ambient STRATA_URL or CLU_CORE_API that disagrees with the selected environment, naming both', () => {
    for (const variable of ['STRATA_URL', 'CLU_CORE_API']) {
      const err = caught(() =>
        resolveTarget(
          { env: 'dev' },
          { [variable]: 'http://127.0.0.1:9999', STRATA_DEV_TOKEN: 'tok1' },
          example(),
          io(),
        ),
      );
      expect(err.code).toBe('E_TARGET_CONFLICT');
      expect(err.exitCode).toBe(64);
      expect(err.message).toContain(`${variable}=http://127.0.0.1:9999`);
      expect(err.message).toContain('environment dev (url http://127.0.0.1:8055');
    }
    // Selected by STRATA_ENV just the same.
    const viaEnv = caught(() =>
      resolveTarget(
        {},
        { STRATA_ENV: 'dev', CLU_CORE_API: 'http://elsewhere', STRATA_DEV_TOKEN: 't1234' },
        example(),
        io(),
      ),
    );
    expect(viaEnv.code).toBe('E_TARGET_CONFLICT');
  });

  it('accepts an ambient URL equal to the environment, and a --url flag over the environment', () => {
    const same = resolveTarget(
      { env: 'dev' },
      { STRATA_URL: 'http://127.0.0.1:8055/', STRATA_DEV_TOKEN: 'tok1' },
      example(),
      io(),
    );
    expect(same.url).toBe('http://127.0.0.1:8055');
    const flag = resolveTarget(
      { env: 'dev', url: 'http://flag.example/' },
      { STRATA_URL: 'http://ambient.example', STRATA_DEV_TOKEN: 'tok1' },
      example(),
      io(),
    );
    expect(flag).toMatchObject({ url: 'http://flag.example', urlSource: '--url', environment: 'dev' });
  });

  it('refuses an ambient token variable that disagrees with token_env, naming both and never a value', () => {
    const differs = caught(() =>
      resolveTarget(
        { env: 'dev' },
        { STRATA_DEV_TOKEN: 'devtoken1', STRATA_AUTH_TOKEN: 'othertoken2' },
        example(),
        io(),
      ),
    );
    expect(differs.code).toBe('E_TARGET_CONFLICT');
    expect(differs.message).toContain('STRATA_AUTH_TOKEN and STRATA_DEV_TOKEN');
    expect(`${differs.message}${differs.hint}`).not.toMatch(/devtoken1|othertoken2/);
    const unset = caught(() =>
      resolveTarget({ env: 'dev' }, { CLU_AUTH_TOKEN: 'clutoken' }, example(), io()),
    );
    expect(unset.code).toBe('E_TARGET_CONFLICT');
    expect(unset.message).toContain('STRATA_DEV_TOKEN, which is not set');
    // The same token twice is no disagreement; a flag is a choice made on purpose.
    expect(
      resolveTarget(
        { env: 'dev' },
        { STRATA_DEV_TOKEN: 'same1', STRATA_AUTH_TOKEN: 'same1' },
        example(),
        io(),
      ).token,
    ).toBe('same1');
    expect(
      resolveTarget(
        { env: 'dev', 'auth-token': 'flagtok' },
        { STRATA_DEV_TOKEN: 'devtoken1', STRATA_AUTH_TOKEN: 'other' },
        example(),
        io(),
      ).tokenSource,
    ).toBe('--auth-token');
  });

  it('orders flag > environment variable > config > default without an environment', () => {
    const fromEnv = resolveTarget(
      {},
      { STRATA_URL: 'http://env.example', STRATA_AUTH_TOKEN: 'envtok' },
      example(),
      io(),
    );
    expect(fromEnv).toMatchObject({
      environment: null,
      url: 'http://env.example',
      token: 'envtok',
      maxRetries: 5,
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
      {},
      example(),
      io(),
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
      resolveTarget({}, { CLU_CORE_API: 'http://clu.example', CLU_AUTH_TOKEN: 'clu1' }, none, io()),
    ).toMatchObject({
      url: 'http://clu.example',
      token: 'clu1',
      tokenSource: 'CLU_AUTH_TOKEN',
      authScheme: 'x-auth-token',
      concurrency: 8,
    });
  });

  it('reads the token from --auth-token-file (or standard input) and drops only the final line break', () => {
    const t = resolveTarget(
      { url: 'http://x', 'auth-token-file': '-' },
      {},
      none,
      io({ '-': 'stdin-token\n' }),
    );
    expect(t).toMatchObject({ token: 'stdin-token', tokenSource: 'standard input' });
  });

  it('refuses a missing token file, a token of two lines or with a space, never showing it', () => {
    const missing = caught(() =>
      resolveTarget({ url: 'http://x', 'auth-token-file': 'nope.txt' }, {}, none, io()),
    );
    expect(missing).toMatchObject({ code: 'E_TOKEN_FILE', exitCode: 64 });
    expect(missing.message).toContain('--auth-token-file nope.txt (no such file)');
    const twoLines = caught(() =>
      resolveTarget(
        { url: 'http://x', 'auth-token-file': 't.txt' },
        {},
        none,
        io({ 't.txt': 'canary-1\ncanary-2\n' }),
      ),
    );
    expect(twoLines).toMatchObject({ code: 'E_TOKEN_INVALID', exitCode: 64 });
    expect(`${twoLines.message}${twoLines.hint}`).not.toContain('canary');
    const spaced = caught(() =>
      resolveTarget({ url: 'http://x' }, { STRATA_AUTH_TOKEN: 'canary 1' }, none, io()),
    );
    expect(spaced.code).toBe('E_TOKEN_INVALID');
    expect(spaced.message).toContain('STRATA_AUTH_TOKEN');
    expect(spaced.message).not.toContain('canary');
  });

  it("names the config's ca_file that does not exist (the example's staging CA), instead of crashing later", () => {
    const err = caught(() =>
      resolveTarget({ env: 'staging' }, { STRATA_STAGING_TOKEN: 'tok1' }, example(), io()),
    );
    expect(err).toMatchObject({ code: 'E_CA_FILE', exitCode: 64 });
    expect(err.message).toContain('certs/staging-ca.pem, the CA file of environments.staging.ca_file');
    expect(err.hint).toContain('--ca-file');
    expect(
      caught(() =>
        resolveTarget({ url: 'https://x', 'auth-token': 'tok1', 'ca-file': 'no.pem' }, {}, none, io()),
      ).code,
    ).toBe('E_CA_FILE');
  });

  it('refuses a URL that is not http(s)', () => {
    for (const url of ['ftp://host', 'localhost:8055', 'http://host/?token=x', 'not a url']) {
      expect(caught(() => resolveTarget({ url, 'auth-token': 'tok1' }, {}, none, io())).code, url).toBe(
        'E_URL_INVALID',
      );
    }
  });

  it('activates on import from the flag, the variables or the config; false turns a true config off', () => {
    const base = { url: 'http://x', 'auth-token': 'tok1' };
    const activate = (flags: object, env: NodeJS.ProcessEnv, config: LoadedConfig['config']) =>
      resolveTarget({ ...base, ...flags }, env, { file: null, config }, io()).activateOnImport;
    expect(activate({}, {}, {})).toBe(false);
    expect(activate({}, { CLU_ACTIVATE_ON_IMPORT: 'true' }, {})).toBe(true);
    expect(activate({}, {}, { defaults: { activate_on_import: true } })).toBe(true);
    expect(
      activate({}, { STRATA_ACTIVATE_ON_IMPORT: 'false' }, { defaults: { activate_on_import: true } }),
    ).toBe(false);
    expect(activate({ 'activate-on-import': false }, { STRATA_ACTIVATE_ON_IMPORT: 'true' }, {})).toBe(false);
    const typo = caught(() => activate({}, { STRATA_ACTIVATE_ON_IMPORT: 'ture' }, {}));
    expect(typo).toMatchObject({ code: 'E_ENV_VALUE', exitCode: 64 });
  });

  it('fails clearly without a URL, with an unknown environment, and without a token', () => {
    expect(caught(() => resolveTarget({}, {}, none, io()))).toMatchObject({
      code: 'E_URL_MISSING',
      exitCode: 64,
    });
    const unknown = caught(() => resolveTarget({ env: 'qa' }, {}, example(), io()));
    expect(unknown).toMatchObject({ code: 'E_ENV_UNKNOWN', exitCode: 64 });
    expect(unknown.hint).toContain('dev, staging, production');
    const missing = caught(() => resolveTarget({ env: 'dev' }, {}, example(), io()));
    expect(missing.code).toBe('E_AUTH_MISSING');
    expect(missing.exitCode).toBe(3);
    expect(missing.hint).toContain('export STRATA_DEV_TOKEN=');
  });

  it('reads a CLU config file: flat core_api, token_env, and the API bases; a literal jwt is refused', () => {
    const clu = parseConfig(
      'core_api: http://core.example\ntoken_env: CORE_TOKEN\nworkflows_api: http://wf.example/\nactivate_on_import: true\n',
      'clu.yaml',
    );
    const t = resolveTarget({}, { CORE_TOKEN: 'tok1' }, { file: 'clu.yaml', config: clu }, io());
    expect(t).toMatchObject({
      url: 'http://core.example',
      tokenSource: 'CORE_TOKEN',
      activateOnImport: true,
      apis: { workflows: 'http://wf.example' },
    });
    expect(caught(() => parseConfig('core_api: http://x\nauth_token: s3cr3t-value\n', 'clu.yaml')).code).toBe(
      'E_CONFIG_SECRET',
    );
    expect(caught(() => parseConfig('core_api: http://x\njwt: s3cr3t-value\n', 'clu.json')).code).toBe(
      'E_CONFIG_SECRET',
    );
  });

  it('sends --jwt and CLU_JWT as a bearer token', () => {
    expect(resolveTarget({ url: 'http://x', jwt: 'jwt1' }, {}, none, io())).toMatchObject({
      authScheme: 'bearer',
      tokenSource: '--jwt',
    });
    expect(resolveTarget({ url: 'http://x' }, { CLU_JWT: 'jwt1' }, none, io()).authScheme).toBe('bearer');
  });
});
