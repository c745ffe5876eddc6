/** Flags of the commands that talk to a server (cli.md "Server-facing", "CLU compatibility"), defined once. */
import { join } from 'node:path';
import { Flags } from '@oclif/core';
import { UsageError } from '../errors.js';
import { DEFAULT_LIMITS, formatSize, parseSize, type ReadLimits } from '../pack/limits.js';

/** A size flag: `64MiB`, `512k`, `1G`, or bytes (units are powers of 1024). */
const sizeFlag = (description: string) => Flags.string({ description, helpValue: '<size>' });

/** Bounds on what reading packs may cost, for every command that reads them. */
export const limitFlags = {
  'max-file-size': sizeFlag(
    `Largest file (or archive entry) read; a larger one is a finding (default ${formatSize(DEFAULT_LIMITS.fileBytes)}).`,
  ),
  'max-total-size': sizeFlag(
    `Most bytes read in all, and expanded from an archive (default ${formatSize(DEFAULT_LIMITS.totalBytes)}).`,
  ),
};

function size(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const bytes = parseSize(value);
  if (bytes === undefined)
    throw new UsageError(
      `--${flag} ${JSON.stringify(value)} is not a size`,
      'write a size such as 64MiB, 512k or 1G',
    );
  return bytes;
}

/** The read limits the flags ask for (a bad size is a usage error). */
export function readLimits(flags: {
  'max-file-size'?: string | undefined;
  'max-total-size'?: string | undefined;
}): ReadLimits {
  return {
    ...DEFAULT_LIMITS,
    fileBytes: size('max-file-size', flags['max-file-size'], DEFAULT_LIMITS.fileBytes),
    totalBytes: size('max-total-size', flags['max-total-size'], DEFAULT_LIMITS.totalBytes),
  };
}

/** `--strict`, for every command that validates packs. */
export const strictFlag = {
  strict: Flags.boolean({
    description: 'Warnings fail the run (an unsupported type among them); notes never do.',
  }),
};

/** `--junit FILE`, for validate, plan and import. */
export const junitFlag = {
  junit: Flags.string({
    description:
      'Write a JUnit report to FILE: one test case per resource; also written when the run ends in an error.',
    helpValue: '<file>',
  }),
};

/** `--config`: offline commands read only its output settings (`output`, `nocolor`), as CLU does. */
export const configFlag = {
  config: Flags.string({
    description: 'Config file (default strata.config.yaml/.json here; STRATA_CONFIG, CLU_CONFIG).',
    helpGroup: 'SERVER',
  }),
};

export const serverFlags = {
  ...configFlag,
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
    description:
      "Deprecated (--data-dir is the server's database directory): use --journal-dir; journals go to DATA_DIR/runs.",
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
