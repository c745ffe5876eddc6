/**
 * The config file and the environment a server-facing command talks to. Precedence for every
 * setting: flag > environment variable > config file (environment, then defaults) > built-in
 * default. `parseConfig` is pure; `readConfig` only finds and reads the file.
 */
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { StrataError } from '../errors.js';
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
  /** CLU's flat keys: the server used when no environment is selected. */
  core_api?: string;
  workflows_api?: string;
  access_control_api?: string;
  payments_api?: string;
  token_env?: string;
  ca_file?: string;
  activate_on_import?: boolean;
  output?: 'text' | 'json';
  nocolor?: boolean;
}

export interface LoadedConfig {
  /** The file read, or null when there is none. */
  file: string | null;
  config: ConfigFile;
}

export const CONFIG_NAMES = ['strata.config.yaml', 'strata.config.yml', 'strata.config.json'];

const SECRET_KEYS = /^(token|auth_token|access_token|api_token|jwt|password|secret)$/i;

/** Parses and validates config text. Errors say file:line:col, and never echo a secret. */
export function parseConfig(text: string, file: string): ConfigFile {
  const map = new FileText(file, text);
  const parsed = parseYamlFast(map); // JSON is YAML
  const problem = parsed.problems[0];
  if (problem) {
    const at = map.position(problem.offset);
    throw new StrataError('E_CONFIG', `${file}:${at.line}:${at.column}: ${problem.message}`);
  }
  const doc = parsed.documents[0];
  const value: unknown = doc?.value ?? {};
  if (doc && isRecord(value)) {
    const sections: Array<[string[], unknown]> = [
      [[], value],
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
      const envName = path[1];
      const variable = `STRATA_${(envName ?? 'core').toUpperCase().replace(/[^A-Z0-9]/g, '_')}_TOKEN`;
      throw new StrataError(
        'E_CONFIG_SECRET',
        `${file}:${at.line}:${at.column}: "${key}" holds a secret; a config file must not (it is committed, copied and logged)`,
        `name the variable that holds it instead, and remove the value from the file:\n${
          envName === undefined
            ? `    token_env: ${variable}`
            : `    environments:\n      ${envName}:\n        token_env: ${variable}`
        }\n  then: export ${variable}=...`,
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
      first.hint ?? 'see schemas/config.schema.json',
    );
  }
  return value as ConfigFile;
}

/** Finds and reads the config: `--config`, else STRATA_CONFIG (or CLU_CONFIG), else strata.config.{yaml,yml,json} in cwd. */
export function readConfig(options: {
  path?: string | undefined;
  cwd: string;
  env: NodeJS.ProcessEnv;
}): LoadedConfig {
  const explicit = options.path ?? options.env.STRATA_CONFIG ?? options.env.CLU_CONFIG;
  let file: string | undefined;
  if (explicit) {
    file = isAbsolute(explicit) ? explicit : resolve(options.cwd, explicit);
    if (!existsSync(file)) {
      throw new StrataError(
        'E_CONFIG_NOT_FOUND',
        `config file ${explicit} does not exist (${options.path !== undefined ? '--config' : options.env.STRATA_CONFIG !== undefined ? 'STRATA_CONFIG' : 'CLU_CONFIG'})`,
        'check the path; without --config, strata reads strata.config.yaml, .yml or .json in the working directory',
      );
    }
  } else {
    file = CONFIG_NAMES.map((n) => join(options.cwd, n)).find((f) => existsSync(f));
  }
  if (file === undefined) return { file: null, config: {} };
  return { file, config: parseConfig(readFileSync(file, 'utf8'), file) };
}

export { DEFAULTS, resolveTarget, type Target, type TargetFlags, type TargetIo } from './target.js';
