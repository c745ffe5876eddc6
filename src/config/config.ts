/**
 * The config file and the environment a server-facing command talks to. Precedence for every
 * setting: flag > environment variable > config file (environment, then defaults) > built-in
 * default. `parseConfig` is pure; `readConfig` only finds and reads the file.
 */
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { EXIT, StrataError, UsageError } from '../errors.js';
import { FileText } from '../pack/text.js';
import { parseYamlFast } from '../pack/yaml.js';
import { checkSchema } from '../schema/index.js';
import { isRecord } from '../util/record.js';

export interface EnvironmentConfig {
  url: string;
  token_env?: string;
  ca_file?: string;
  concurrency?: number;
  timeout?: number;
  max_retries?: number;
  activate_on_import?: boolean;
}

export interface ConfigFile {
  environments?: Record<string, EnvironmentConfig>;
  defaults?: {
    activate_on_import?: boolean;
    concurrency?: number;
    timeout?: number;
    max_retries?: number;
    output?: 'text' | 'json';
  };
}

export interface LoadedConfig {
  /** The file read, or null when there is none. */
  file: string | null;
  config: ConfigFile;
}

export const CONFIG_NAMES = ['strata.config.yaml', 'strata.config.yml', 'strata.config.json'];

const SECRET_KEYS = /^(token|auth_token|access_token|api_token|password|secret)$/i;

/** Parses and validates config text. Errors say file:line:col, and never echo a secret. */
export function parseConfig(text: string, file: string): ConfigFile {
  const map = new FileText(file, text);
  const parsed = parseYamlFast(map); // JSON is YAML
  const problem = parsed.problems[0];
  if (problem) {
    const at = map.position(problem.offset);
    throw new StrataError('E_CONFIG', `${file}:${at.line}:${at.column}: ${problem.message}`, EXIT.INVALID);
  }
  const doc = parsed.documents[0];
  const value: unknown = doc?.value ?? {};
  if (doc && isRecord(value)) {
    const sections: Array<[string[], unknown]> = [
      [['defaults'], value.defaults],
      ...Object.entries(isRecord(value.environments) ? value.environments : {}).map(
        ([name, env]): [string[], unknown] => [['environments', name], env],
      ),
    ];
    for (const [path, section] of sections) {
      if (!isRecord(section)) continue;
      const key = Object.keys(section).find((k) => SECRET_KEYS.test(k));
      if (key === undefined) continue;
      const at = doc.locate([...path, key], true);
      const envName = path[1] ?? 'dev';
      const variable = `STRATA_${envName.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_TOKEN`;
      throw new StrataError(
        'E_CONFIG_SECRET',
        `${file}:${at.line}:${at.column}: "${key}" holds a secret; a config file must not (it is committed, copied and logged)`,
        EXIT.INVALID,
        `name the variable that holds it instead, and remove the value from the file:\n    environments:\n      ${envName}:\n        token_env: ${variable}\n  then: export ${variable}=...`,
      );
    }
  }
  const violations = checkSchema('config', value);
  const first = violations[0];
  if (first) {
    const at = doc ? doc.locate(first.path, first.atKey) : { line: 1, column: 1 };
    throw new StrataError(
      'E_CONFIG',
      `${file}:${at.line}:${at.column}: ${first.message}`,
      EXIT.INVALID,
      first.hint ?? 'see schemas/config.schema.json',
    );
  }
  return value as ConfigFile;
}

/** Finds and reads the config: `--config`, else STRATA_CONFIG, else strata.config.{yaml,yml,json} in cwd. */
export function readConfig(options: {
  path?: string | undefined;
  cwd: string;
  env: NodeJS.ProcessEnv;
}): LoadedConfig {
  const explicit = options.path ?? options.env.STRATA_CONFIG;
  let file: string | undefined;
  if (explicit) {
    file = isAbsolute(explicit) ? explicit : resolve(options.cwd, explicit);
    if (!existsSync(file)) {
      throw new UsageError(`config file ${explicit} does not exist`, 'check --config or STRATA_CONFIG');
    }
  } else {
    file = CONFIG_NAMES.map((n) => join(options.cwd, n)).find((f) => existsSync(f));
  }
  if (file === undefined) return { file: null, config: {} };
  return { file, config: parseConfig(readFileSync(file, 'utf8'), file) };
}

export interface TargetFlags {
  env?: string | undefined;
  url?: string | undefined;
  'auth-token'?: string | undefined;
  'auth-token-file'?: string | undefined;
  'ca-file'?: string | undefined;
  timeout?: number | undefined;
  'max-retries'?: number | undefined;
  concurrency?: number | undefined;
  'activate-on-import'?: boolean | undefined;
}

/** Where and how a command talks to a server. */
export interface Target {
  environment: string | null;
  url: string;
  token: string;
  /** Where the token came from (never the token itself), for messages. */
  tokenSource: string;
  caFile: string | null;
  concurrency: number;
  timeoutMs: number;
  maxRetries: number;
  activateOnImport: boolean;
}

export const DEFAULTS = { concurrency: 8, timeoutMs: 30_000, maxRetries: 5 } as const;

function truthy(v: string | undefined): boolean | undefined {
  if (v === undefined || v === '') return undefined;
  return /^(1|true|yes|on)$/i.test(v);
}

/**
 * Resolves the target of a server-facing command. `readSecret` reads --auth-token-file (`-` is
 * standard input); it is a parameter so the core stays free of IO.
 */
export function resolveTarget(
  flags: TargetFlags,
  env: NodeJS.ProcessEnv,
  loaded: LoadedConfig,
  readSecret: (path: string) => string,
): Target {
  const name = flags.env ?? env.STRATA_ENV ?? null;
  const environments = loaded.config.environments ?? {};
  let cfg: EnvironmentConfig | undefined;
  if (name !== null) {
    cfg = environments[name];
    if (!cfg) {
      const known = Object.keys(environments);
      throw new UsageError(
        `environment "${name}" is not in ${loaded.file ?? 'a config file (none found)'}`,
        known.length > 0
          ? `environments: ${known.join(', ')}`
          : 'create strata.config.yaml with an environments: section',
      );
    }
  }
  const defaults = loaded.config.defaults ?? {};
  const url = flags.url ?? env.STRATA_URL ?? env.CLU_CORE_API ?? cfg?.url;
  if (!url) {
    throw new UsageError(
      'no server URL',
      'pass --url, set STRATA_URL, or choose an environment with --env NAME (or STRATA_ENV) from the config file',
    );
  }
  let token: string | undefined;
  let tokenSource = '';
  if (flags['auth-token']) {
    token = flags['auth-token'];
    tokenSource = '--auth-token';
  } else if (flags['auth-token-file']) {
    token = readSecret(flags['auth-token-file']).trim();
    tokenSource =
      flags['auth-token-file'] === '-' ? 'standard input' : `--auth-token-file ${flags['auth-token-file']}`;
  } else if (env.STRATA_AUTH_TOKEN) {
    token = env.STRATA_AUTH_TOKEN;
    tokenSource = 'STRATA_AUTH_TOKEN';
  } else if (env.CLU_AUTH_TOKEN) {
    token = env.CLU_AUTH_TOKEN;
    tokenSource = 'CLU_AUTH_TOKEN';
  } else if (cfg?.token_env) {
    token = env[cfg.token_env];
    tokenSource = cfg.token_env;
  }
  if (!token) {
    throw new StrataError(
      'E_AUTH_MISSING',
      cfg?.token_env ? `no token: ${cfg.token_env} is not set` : 'no token to authenticate with',
      EXIT.UNREACHABLE,
      cfg?.token_env
        ? `export ${cfg.token_env}=<token> (environment ${name})`
        : 'set STRATA_AUTH_TOKEN, pass --auth-token-file FILE (or - for standard input), or name token_env in the config file',
    );
  }
  const activate =
    flags['activate-on-import'] ||
    truthy(env.STRATA_ACTIVATE_ON_IMPORT) ||
    truthy(env.CLU_ACTIVATE_ON_IMPORT) ||
    cfg?.activate_on_import ||
    defaults.activate_on_import ||
    false;
  const caFile = flags['ca-file'] ?? cfg?.ca_file ?? null;
  return {
    environment: name,
    url: url.replace(/\/+$/, ''),
    token,
    tokenSource,
    caFile:
      caFile !== null && loaded.file && !isAbsolute(caFile) && !flags['ca-file']
        ? resolve(loaded.file, '..', caFile)
        : caFile,
    concurrency: flags.concurrency ?? cfg?.concurrency ?? defaults.concurrency ?? DEFAULTS.concurrency,
    timeoutMs: flags.timeout ?? cfg?.timeout ?? defaults.timeout ?? DEFAULTS.timeoutMs,
    maxRetries: flags['max-retries'] ?? cfg?.max_retries ?? defaults.max_retries ?? DEFAULTS.maxRetries,
    activateOnImport: activate,
  };
}
