/**
 * Every environment variable Strata reads, in one place, with what it means. The README's table
 * is checked against this list by a test; code reads variables through `env()`.
 */
export const ENVIRONMENT = {
  STRATA_OUTPUT: 'Result format, `text` or `json`, like `--output`.',
  NO_COLOR: 'Any value turns colour off, like `--no-color`.',
  STRATA_WORKERS:
    'Worker threads for analysing large inputs (0 = none). Default: none below 3 cores or 1.5 MB of resource files.',
  STRATA_PYTHON_WASM: "Path of tree-sitter-python's .wasm grammar, when it is not found in node_modules.",
  STRATA_CACHE_DIR:
    'Directory of the code-facts cache (parsed contract facts by content hash), or `none` to turn it off. Default: `$XDG_CACHE_HOME/strata`, else `~/.cache/strata`.',
  XDG_CACHE_HOME: 'Base directory for the cache when STRATA_CACHE_DIR is not set.',
  STRATA_TEST_PG_URL: 'Tests only: the PostgreSQL server the storage tests use (`.ci/run` sets it).',
} as const;

export type EnvironmentVariable = keyof typeof ENVIRONMENT;

export function env(name: EnvironmentVariable): string | undefined {
  return process.env[name];
}
