import { Args } from '@oclif/core';
import { StrataCommand } from '../base.js';
import { EXIT } from '../errors.js';
import { readConfig, resolveTarget, type Target } from '../config/config.js';
import { planPaths, readSecretFile, type PlanResult } from '../deploy/import.js';
import { serverFlags } from '../deploy/flags.js';
import { formatPlanResult } from '../ui/deploy.js';
import type { Style } from '../ui/style.js';
import { writeFindings } from '../ui/findings.js';
import type { Finding } from '../findings.js';

/** Shared with `import --dry-run`. */
export async function planCommandResult(
  paths: string[],
  target: Target,
  json: boolean,
  style: Style,
  onFindings: (findings: readonly Finding[]) => void,
): Promise<{ result: PlanResult; text: string }> {
  const result = await planPaths({ paths, cwd: process.cwd(), target, dataDir: '.strata', onFindings });
  return { result, text: json ? JSON.stringify(result, null, 2) : formatPlanResult(result, style) };
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

export default class Plan extends StrataCommand {
  static override summary = 'Show what an import would do to an environment, without writing anything.';
  static override description =
    'Validates, reads the environment with a few list calls per resource type, and classifies every resource: create, update, unchanged, conflict, skip, with field-level differences, plus the activations an import with --activate-on-import would perform. Exit 0 nothing to do, 2 changes pending, 1 error, 3 server unreachable or token refused.';
  static override examples = ['<%= config.bin %> plan packs/library/wallet_manifest.yaml --env staging'];
  static override args = {
    path: Args.string({ required: true, description: 'manifest, pack, bundle or archive' }),
  };
  static override flags = { ...serverFlags };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Plan);
    const config = readConfig({ path: flags.config, cwd: process.cwd(), env: process.env });
    const target = resolveTarget(flags, process.env, config, readSecretFile);
    const planned = await planCommandResult(
      [args.path],
      target,
      this.outputJson(flags),
      this.stdoutStyle(flags['no-color']),
      (findings) => writeFindings(findings, this.stderrStyle(flags['no-color']), flags.quiet),
    );
    this.emit(planned.text);
    process.exitCode =
      planned.result.status === 'INVALID'
        ? EXIT.FAILURE
        : planned.result.status === 'CHANGES'
          ? EXIT.CHANGES
          : EXIT.OK;
  }
}
