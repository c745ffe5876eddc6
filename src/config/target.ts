/**
 * The target of a server-facing command: which server, which token, how to talk to it. Pure: the
 * environment variables and the file reads come in as parameters.
 *
 * Precedence for every setting: flag > environment variable > config file (environment, then
 * defaults, then CLU's flat keys) > built-in default. One exception keeps the target from being a
 * surprise (cli.md): when an environment is selected (`--env`, `STRATA_ENV`), its url and token
 * are used, and an ambient `STRATA_URL`/`CLU_CORE_API` or token variable that disagrees with it is
 * an error naming both, unless given as a flag.
 */
import { isAbsolute, resolve } from 'node:path';
import { StrataError } from '../errors.js';
import type { EnvironmentConfig, LoadedConfig } from './config.js';

export interface TargetFlags {
  env?: string | undefined;
  url?: string | undefined;
  'auth-token'?: string | undefined;
  'auth-token-file'?: string | undefined;
  jwt?: string | undefined;
  'ca-file'?: string | undefined;
  timeout?: number | undefined;
  'max-retries'?: number | undefined;
  concurrency?: number | undefined;
  'activate-on-import'?: boolean | undefined;
  'workflows-api'?: string | undefined;
  'access-control-api'?: string | undefined;
  'payments-api'?: string | undefined;
}

/** Base URLs of the API families CLU lets a pipeline point elsewhere (default: the core URL). */
export interface ApiBases {
  workflows?: string;
  accessControl?: string;
  payments?: string;
}

/** Where and how a command talks to a server. */
export interface Target {
  environment: string | null;
  url: string;
  /** Where the URL came from: `--url`, a variable's name, `environment`, `core_api`. */
  urlSource?: string;
  token: string;
  /** Where the token came from (never the token itself), for messages. */
  tokenSource: string;
  /** How the token is sent: `X-Auth-Token` (default) or `Authorization: Bearer` (CLU's --jwt). */
  authScheme?: 'x-auth-token' | 'bearer';
  caFile: string | null;
  concurrency: number;
  timeoutMs: number;
  maxRetries: number;
  activateOnImport: boolean;
  apis?: ApiBases;
}

/** File reads the resolution needs: --auth-token-file (`-` is standard input) and the CA file. */
export interface TargetIo {
  readSecret(path: string): string;
  readable(path: string): boolean;
}

export const DEFAULTS = { concurrency: 8, timeoutMs: 30_000, maxRetries: 5 } as const;

/** A URL as shown to people: any user:password replaced. */
export function displayUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.username === '' && u.password === '') return url;
    u.username = '***';
    u.password = '';
    return u.toString().replace(/\/$/, '');
  } catch {
    return '(not a URL)';
  }
}

function normalUrl(url: string): string {
  return url.replace(/\/+$/, '');
}

/** Checks an http(s) base URL; returns it without trailing slashes. */
export function checkUrl(url: string, source: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new StrataError(
      'E_URL_INVALID',
      `${source} is not a URL`,
      'give the server root with its scheme, for example --url http://127.0.0.1:8055',
    );
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw new StrataError(
      'E_URL_INVALID',
      `${source} has the scheme ${u.protocol.replace(/[^a-z0-9+.-]/gi, '?').slice(0, 12)}; strata speaks http:// and https://`,
      'give the server root with its scheme, for example --url https://config.staging.example',
    );
  }
  if (u.search !== '' || u.hash !== '') {
    throw new StrataError(
      'E_URL_INVALID',
      `${source} has a query or fragment; give the server root`,
      'for example --url https://config.staging.example',
    );
  }
  return normalUrl(url);
}

/** Reads a boolean variable strictly: a typo is an error, not a silent false. */
export function booleanVariable(env: NodeJS.ProcessEnv, name: string): boolean | undefined {
  const v = env[name];
  if (v === undefined || v === '') return undefined;
  if (/^(1|true|yes|on)$/i.test(v)) return true;
  if (/^(0|false|no|off)$/i.test(v)) return false;
  throw new StrataError(
    'E_ENV_VALUE',
    `${name} must be true or false`,
    `export ${name}=true (or false, 1, 0, yes, no), or unset it`,
  );
}

/** The token as sent: one line of visible characters. A file's final line break is not part of it. */
function checkToken(raw: string, source: string): string {
  const token = raw.replace(/^[ \t]+|[\s]+$/g, '');
  if (token === '') {
    throw new StrataError(
      source.startsWith('--auth-token-file') ? 'E_TOKEN_FILE' : 'E_AUTH_MISSING',
      `the token from ${source} is empty`,
      'put the token (one line) there',
    );
  }
  const lines = token.split(/\r?\n/).length;
  if (lines > 1) {
    throw new StrataError(
      'E_TOKEN_INVALID',
      `the token from ${source} spans ${lines} lines; a token is one line (it is not shown)`,
      'keep only the token in it, on one line',
    );
  }
  if (!/^[\x21-\x7e]+$/.test(token)) {
    throw new StrataError(
      'E_TOKEN_INVALID',
      `the token from ${source} holds a space or a control or non-ASCII character (it is not shown)`,
      'copy the token again, without quotes or spaces',
    );
  }
  return token;
}

function selectedEnvironment(name: string | null, loaded: LoadedConfig): EnvironmentConfig | undefined {
  if (name === null) return undefined;
  const environments = loaded.config.environments ?? {};
  const cfg = Object.hasOwn(environments, name) ? environments[name] : undefined;
  if (cfg) return cfg;
  const known = Object.keys(environments);
  throw new StrataError(
    'E_ENV_UNKNOWN',
    `environment "${name}" is not in ${loaded.file ?? 'a config file (none found)'}`,
    known.length > 0
      ? `environments: ${known.join(', ')}`
      : 'create strata.config.yaml with an environments: section, or pass --config FILE',
  );
}

const AMBIENT_URLS = ['STRATA_URL', 'CLU_CORE_API'] as const;

function resolveUrl(
  flags: TargetFlags,
  env: NodeJS.ProcessEnv,
  loaded: LoadedConfig,
  name: string | null,
  cfg: EnvironmentConfig | undefined,
): { url: string; from: string } {
  if (flags.url !== undefined) return { url: checkUrl(flags.url, '--url'), from: '--url' };
  const ambient = AMBIENT_URLS.filter((v) => env[v] !== undefined && env[v] !== '');
  if (cfg) {
    const wanted = normalUrl(cfg.url);
    for (const v of ambient) {
      if (normalUrl(env[v] as string) !== wanted) {
        throw new StrataError(
          'E_TARGET_CONFLICT',
          `${v}=${displayUrl(env[v] as string)} disagrees with environment ${name} (url ${displayUrl(cfg.url)} in ${loaded.file})`,
          `unset ${v} to deploy to ${name}, or pass --url to choose the server on purpose`,
        );
      }
    }
    return { url: checkUrl(cfg.url, `the url of environment ${name}`), from: 'environment' };
  }
  const first = ambient[0];
  if (first !== undefined) return { url: checkUrl(env[first] as string, first), from: first };
  if (loaded.config.core_api !== undefined)
    return { url: checkUrl(loaded.config.core_api, 'core_api'), from: 'core_api' };
  throw new StrataError(
    'E_URL_MISSING',
    'no server URL',
    'pass --url, set STRATA_URL, or choose an environment with --env NAME (or STRATA_ENV) from the config file',
  );
}

const AMBIENT_TOKENS = ['STRATA_AUTH_TOKEN', 'CLU_AUTH_TOKEN', 'CLU_JWT'] as const;

interface Token {
  token: string;
  source: string;
  scheme: 'x-auth-token' | 'bearer';
}

function fromFile(path: string, io: TargetIo): Token {
  const source = path === '-' ? 'standard input' : `--auth-token-file ${path}`;
  let text: string;
  try {
    text = io.readSecret(path);
  } catch (e) {
    const reason = (e as { code?: string }).code ?? 'unreadable';
    throw new StrataError(
      'E_TOKEN_FILE',
      `cannot read the token: ${source} (${reason === 'ENOENT' ? 'no such file' : reason})`,
      'check the path, or pass the token through an environment variable (token_env in the config file)',
    );
  }
  return { token: checkToken(text, source), source, scheme: 'x-auth-token' };
}

function resolveToken(
  flags: TargetFlags,
  env: NodeJS.ProcessEnv,
  io: TargetIo,
  name: string | null,
  tokenEnv: string | undefined,
): Token {
  if (flags['auth-token'] !== undefined)
    return {
      token: checkToken(flags['auth-token'], '--auth-token'),
      source: '--auth-token',
      scheme: 'x-auth-token',
    };
  if (flags['auth-token-file'] !== undefined) return fromFile(flags['auth-token-file'], io);
  if (flags.jwt !== undefined)
    return { token: checkToken(flags.jwt, '--jwt'), source: '--jwt', scheme: 'bearer' };
  const ambient = AMBIENT_TOKENS.filter((v) => env[v] !== undefined && env[v] !== '');
  if (tokenEnv !== undefined) {
    const own = env[tokenEnv];
    for (const v of ambient) {
      if (v === tokenEnv || env[v] === own) continue;
      throw new StrataError(
        'E_TARGET_CONFLICT',
        own === undefined || own === ''
          ? `${v} is set, but environment ${name} takes its token from ${tokenEnv}, which is not set`
          : `${v} and ${tokenEnv} (the token of environment ${name}) hold different tokens`,
        `unset ${v}, or pass the token as a flag (--auth-token-file FILE) to choose it on purpose`,
      );
    }
    if (own !== undefined && own !== '')
      return { token: checkToken(own, tokenEnv), source: tokenEnv, scheme: 'x-auth-token' };
    throw new StrataError(
      'E_AUTH_MISSING',
      `no token: ${tokenEnv} is not set`,
      `export ${tokenEnv}=<token>${name !== null ? ` (environment ${name})` : ''}`,
    );
  }
  const first = ambient[0];
  if (first !== undefined)
    return {
      token: checkToken(env[first] as string, first),
      source: first,
      scheme: first === 'CLU_JWT' ? 'bearer' : 'x-auth-token',
    };
  throw new StrataError(
    'E_AUTH_MISSING',
    'no token to authenticate with',
    'set STRATA_AUTH_TOKEN, pass --auth-token-file FILE (or - for standard input), or name token_env in the config file',
  );
}

function resolveCaFile(
  flags: TargetFlags,
  loaded: LoadedConfig,
  name: string | null,
  cfg: EnvironmentConfig | undefined,
  io: TargetIo,
): string | null {
  if (flags['ca-file'] !== undefined) {
    if (!io.readable(flags['ca-file']))
      throw new StrataError(
        'E_CA_FILE',
        `cannot read the CA file ${flags['ca-file']} (--ca-file)`,
        'give a PEM file of CA certificates',
      );
    return flags['ca-file'];
  }
  const [written, key] =
    cfg !== undefined ? [cfg.ca_file, `environments.${name}.ca_file`] : [loaded.config.ca_file, 'ca_file'];
  if (written === undefined || loaded.file === null) return null;
  if (cfg === undefined && loaded.config.core_api === undefined) return null;
  const file = isAbsolute(written) ? written : resolve(loaded.file, '..', written);
  if (!io.readable(file)) {
    throw new StrataError(
      'E_CA_FILE',
      `cannot read ${written}, the CA file of ${key} in ${loaded.file} (looked for ${file})`,
      'put the CA certificate (PEM) there, pass --ca-file FILE, or remove ca_file if the server has a publicly trusted certificate',
    );
  }
  return file;
}

function apiBases(flags: TargetFlags, env: NodeJS.ProcessEnv, loaded: LoadedConfig): ApiBases {
  const pick = (
    flag: keyof TargetFlags,
    variable: string,
    key: 'workflows_api' | 'access_control_api' | 'payments_api',
  ) => {
    const given = flags[flag] as string | undefined;
    if (given !== undefined) return checkUrl(given, `--${flag}`);
    const fromEnv = env[variable];
    if (fromEnv !== undefined && fromEnv !== '') return checkUrl(fromEnv, variable);
    const fromFile = loaded.config[key];
    return fromFile === undefined ? undefined : checkUrl(fromFile, key);
  };
  const out: ApiBases = {};
  const workflows = pick('workflows-api', 'CLU_WORKFLOWS_API', 'workflows_api');
  const accessControl = pick('access-control-api', 'CLU_ACCESS_CONTROL_API', 'access_control_api');
  const payments = pick('payments-api', 'CLU_PAYMENTS_API', 'payments_api');
  if (workflows !== undefined) out.workflows = workflows;
  if (accessControl !== undefined) out.accessControl = accessControl;
  if (payments !== undefined) out.payments = payments;
  return out;
}

/** Resolves the target of a server-facing command. */
export function resolveTarget(
  flags: TargetFlags,
  env: NodeJS.ProcessEnv,
  loaded: LoadedConfig,
  io: TargetIo,
): Target {
  const name = flags.env ?? (env.STRATA_ENV || undefined) ?? null;
  const cfg = selectedEnvironment(name, loaded);
  const config = loaded.config;
  const defaults = config.defaults ?? {};
  const url = resolveUrl(flags, env, loaded, name, cfg);
  // A flat (CLU) config's token_env belongs to its core_api.
  const tokenEnv = cfg !== undefined ? cfg.token_env : url.from === 'core_api' ? config.token_env : undefined;
  const token = resolveToken(flags, env, io, name, tokenEnv);
  const activate =
    flags['activate-on-import'] ??
    booleanVariable(env, 'STRATA_ACTIVATE_ON_IMPORT') ??
    booleanVariable(env, 'CLU_ACTIVATE_ON_IMPORT') ??
    cfg?.activate_on_import ??
    defaults.activate_on_import ??
    config.activate_on_import ??
    false;
  const apis = apiBases(flags, env, loaded);
  return {
    environment: name,
    url: url.url,
    urlSource: url.from,
    token: token.token,
    tokenSource: token.source,
    authScheme: token.scheme,
    caFile: resolveCaFile(flags, loaded, name, cfg, io),
    concurrency: flags.concurrency ?? cfg?.concurrency ?? defaults.concurrency ?? DEFAULTS.concurrency,
    timeoutMs: flags.timeout ?? cfg?.timeout ?? defaults.timeout ?? DEFAULTS.timeoutMs,
    maxRetries: flags['max-retries'] ?? cfg?.max_retries ?? defaults.max_retries ?? DEFAULTS.maxRetries,
    activateOnImport: activate,
    ...(Object.keys(apis).length > 0 ? { apis } : {}),
  };
}
