/** Flags of the commands that talk to a server (cli.md "Server-facing", "CLU compatibility"), defined once. */
import { join } from 'node:path';
import { Flags } from '@oclif/core';

export const serverFlags = {
  config: Flags.string({
    description: 'Config file (default strata.config.yaml/.json here; STRATA_CONFIG, CLU_CONFIG).',
    helpGroup: 'SERVER',
  }),
  env: Flags.string({ description: 'Environment from the config file (STRATA_ENV).', helpGroup: 'SERVER' }),
  url: Flags.string({
    aliases: ['core-api'],
    description: 'Server URL (also --core-api; STRATA_URL, CLU_CORE_API).',
    helpGroup: 'SERVER',
  }),
  'auth-token': Flags.string({
    description:
      'Token (discouraged: it lands in shell history; use STRATA_AUTH_TOKEN or --auth-token-file).',
    helpGroup: 'SERVER',
  }),
  'auth-token-file': Flags.string({
    description: 'File holding the token; - reads standard input.',
    helpGroup: 'SERVER',
  }),
  jwt: Flags.string({
    description: 'Token sent as Authorization: Bearer (CLU; CLU_JWT).',
    helpGroup: 'SERVER',
  }),
  'ca-file': Flags.string({ description: 'CA certificate (PEM) to trust for HTTPS.', helpGroup: 'SERVER' }),
  timeout: Flags.integer({
    description: 'Per-request timeout in milliseconds (default 30000).',
    min: 1,
    helpGroup: 'SERVER',
  }),
  'max-retries': Flags.integer({
    description: 'Retries of a transient failure (default 5).',
    min: 0,
    max: 20,
    helpGroup: 'SERVER',
  }),
  concurrency: Flags.integer({
    description: 'Requests in flight (default 8).',
    min: 1,
    max: 256,
    helpGroup: 'SERVER',
  }),
  'workflows-api': Flags.string({
    description: 'Base URL of the workflows API calls (CLU; CLU_WORKFLOWS_API; default --url).',
    helpGroup: 'SERVER',
  }),
  'access-control-api': Flags.string({
    description: 'Base URL of the access-control API calls (CLU; CLU_ACCESS_CONTROL_API; default --url).',
    helpGroup: 'SERVER',
  }),
  'payments-api': Flags.string({
    description: 'Base URL of the payments API calls (CLU; CLU_PAYMENTS_API; default --url).',
    helpGroup: 'SERVER',
  }),
  'journal-dir': Flags.string({
    description: 'Where run journals are kept (default .strata/runs).',
    helpGroup: 'SERVER',
  }),
  'data-dir': Flags.string({
    description: 'Deprecated, use --journal-dir: journals go to DATA_DIR/runs.',
    helpGroup: 'SERVER',
  }),
};

export const DEFAULT_JOURNAL_DIR = join('.strata', 'runs');

/** The journal directory: --journal-dir, else the deprecated --data-dir's runs/, else .strata/runs. */
export function journalDir(flags: {
  'journal-dir'?: string | undefined;
  'data-dir'?: string | undefined;
}): string {
  if (flags['journal-dir'] !== undefined) return flags['journal-dir'];
  if (flags['data-dir'] !== undefined) return join(flags['data-dir'], 'runs');
  return DEFAULT_JOURNAL_DIR;
}
