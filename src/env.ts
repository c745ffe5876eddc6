/**
 * Every environment variable Strata reads, in one place, with what it means. The README's table
 * is checked against this list by a test; code reads variables through `env()`.
 */
export const ENVIRONMENT = {
  STRATA_OUTPUT: 'Result format, `text` or `json`, like `--output`.',
  NO_COLOR: 'Any value turns colour off, like `--no-color`.',
  STRATA_CONFIG:
    'Config file to read, like `--config` (default: strata.config.yaml, .yml or .json in the working directory).',
  STRATA_ENV: 'Environment of the config file to use, like `--env`.',
  STRATA_URL: 'Server URL, like `--url`.',
  CLU_CORE_API: 'Server URL, read when STRATA_URL is not set (CLU compatibility).',
  CLU_CONFIG: 'Config file, read when STRATA_CONFIG is not set (CLU compatibility).',
  CLU_OUTPUT: 'Result format, read when STRATA_OUTPUT is not set (CLU compatibility).',
  CLU_NOCOLOR: 'Any value but `0`/`false` turns colour off, like `--nocolor` (CLU compatibility).',
  CLU_JWT: 'Token sent as `Authorization: Bearer`, like `--jwt` (CLU compatibility).',
  CLU_WORKFLOWS_API: 'Base URL of the workflows API calls, like `--workflows-api` (CLU compatibility).',
  CLU_ACCESS_CONTROL_API:
    'Base URL of the access-control API calls, like `--access-control-api` (CLU compatibility).',
  CLU_PAYMENTS_API: 'Base URL of the payments API calls, like `--payments-api` (CLU compatibility).',
  STRATA_AUTH_TOKEN: 'Token to authenticate with (prefer it, or `token_env`, to `--auth-token`).',
  CLU_AUTH_TOKEN: 'Token, read when STRATA_AUTH_TOKEN is not set (CLU compatibility).',
  CI: 'Set (by CI systems): progress as a plain line every few seconds instead of a live line.',
  STRATA_ACTIVATE_ON_IMPORT:
    '`true` activates versions marked `activate: true` after a fully successful import.',
  CLU_ACTIVATE_ON_IMPORT: 'Like STRATA_ACTIVATE_ON_IMPORT (CLU compatibility).',
  STRATA_WORKERS:
    'Worker threads analysing whole files (0 = none at all). Default, from 1.5 MB of resource files: contract code on one worker thread, and whole files on workers when there are 3 or more cores.',
  STRATA_PYTHON_WASM: "Path of tree-sitter-python's .wasm grammar, when it is not found in node_modules.",
  STRATA_CACHE_DIR:
    'Directory of the code-facts cache (parsed contract facts by content hash), or `none` to turn it off. Default: `$XDG_CACHE_HOME/strata`, else `~/.cache/strata`.',
  XDG_CACHE_HOME: 'Base directory for the cache when STRATA_CACHE_DIR is not set.',
  STRATA_BOOTSTRAP_TOKEN:
    'Admin token that `strata server start` registers at start, instead of generating one and printing it once.',
  STRATA_BENCH_SECONDS: 'Benchmarks only: seconds per workload of bench:server (default 10).',
  STRATA_BENCH_PG_URL:
    'Benchmarks only: PostgreSQL for bench:server (default STRATA_TEST_PG_URL, else postgres://postgres@127.0.0.1:5432/test).',
  STRATA_BENCH_ROUNDS:
    'Benchmarks only: rounds of small creates in bench:server, each measuring bare node:http, SQLite and PostgreSQL (default 3).',
  STRATA_TEST_PG_URL:
    'Tests only: the PostgreSQL server the storage tests use (default: postgres://postgres@127.0.0.1:5432/test when it answers; else those tests are skipped, loudly).',
} as const;

export type EnvironmentVariable = keyof typeof ENVIRONMENT;

export function env(name: EnvironmentVariable): string | undefined {
  return process.env[name];
}
