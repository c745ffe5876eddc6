/** Flags of the commands that talk to a server (cli.md "Server-facing"), defined once. */
import { Flags } from '@oclif/core';

export const serverFlags = {
  config: Flags.string({
    description: 'Config file (default strata.config.yaml/.json here; STRATA_CONFIG).',
    helpGroup: 'SERVER',
  }),
  env: Flags.string({ description: 'Environment from the config file (STRATA_ENV).', helpGroup: 'SERVER' }),
  url: Flags.string({ description: 'Server URL (STRATA_URL, CLU_CORE_API).', helpGroup: 'SERVER' }),
  'auth-token': Flags.string({
    description:
      'Token (discouraged: it lands in shell history; use STRATA_AUTH_TOKEN or --auth-token-file).',
    helpGroup: 'SERVER',
  }),
  'auth-token-file': Flags.string({
    description: 'File holding the token; - reads standard input.',
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
  'data-dir': Flags.string({
    description: 'Where run journals are kept.',
    default: '.strata',
    helpGroup: 'SERVER',
  }),
};
