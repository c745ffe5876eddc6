/** The exit code of each command's result (cli.md "Commands"), one function per result type. */
import { EXIT } from '../errors.js';
import type { ImportResult, PlanResult } from '../deploy/import.js';
import type { ValidateResult } from '../validate/validate.js';
import type { ConvertResult } from '../deploy/convert.js';
import type { GraphResult } from '../graph/service.js';

export function validateExitCode(result: Pick<ValidateResult, 'status'>): number {
  return result.status === 'VALID' ? EXIT.OK : EXIT.INVALID;
}

export function planExitCode(result: Pick<PlanResult, 'status'>): number {
  return result.status === 'INVALID' ? EXIT.FAILURE : result.status === 'CHANGES' ? EXIT.CHANGES : EXIT.OK;
}

/**
 * The exit code `import` would give for a plan (`import --dry-run`): conflicts are the resources an
 * import would fail on; creates and updates would succeed.
 */
export function dryRunExitCode(result: PlanResult): number {
  if (result.status === 'INVALID') return EXIT.FAILURE;
  const actions = Object.values(result.plan).map((r) => r.action);
  const conflicts = actions.filter((a) => a === 'conflict').length;
  if (conflicts === 0) return EXIT.OK;
  return conflicts === actions.length ? EXIT.FAILURE : EXIT.PARTIAL;
}

export function importExitCode(result: Pick<ImportResult, 'status' | 'summary' | 'activations'>): number {
  if (result.summary.interrupted) return EXIT.INTERRUPTED;
  const pending = result.activations.some((a) => a.action === 'pending');
  return result.status === 'SUCCESS'
    ? pending
      ? EXIT.PENDING
      : EXIT.OK
    : result.status === 'PARTIAL SUCCESS'
      ? EXIT.PARTIAL
      : EXIT.FAILURE;
}

export function convertExitCode(result: Pick<ConvertResult, 'valid'>): number {
  return result.valid ? EXIT.OK : EXIT.INVALID;
}

export function graphExitCode(result: Pick<GraphResult, 'valid'>): number {
  return result.valid ? EXIT.OK : EXIT.INVALID;
}
