import { Args } from '@oclif/core';
import { StrataCommand } from '../base.js';
import type { Target } from '../config/config.js';
import { planPaths, type PlanResult } from '../deploy/import.js';
import { junitFlag, limitFlags, readLimits, serverFlags, strictFlag } from '../deploy/flags.js';
import type { ReadLimits } from '../pack/limits.js';
import { formatPlanResult } from '../ui/deploy.js';
import { planExitCode } from '../ui/exit.js';
import { FirstLines } from '../ui/first-lines.js';
import { planSuite } from '../ui/junit.js';

/** Shared with `import --dry-run`: plans, printing the target line first, then the findings. */
export async function planWithTarget(
  paths: string[],
  target: Target,
  lines: FirstLines,
  options: { strict: boolean; limits: ReadLimits },
): Promise<PlanResult> {
  try {
    return await planPaths({
      paths,
      cwd: process.cwd(),
      target,
      dataDir: '.strata',
      strict: options.strict,
      limits: options.limits,
      onFindings: (findings) => lines.findings(findings),
      onConnected: (c) => lines.target(c.token),
    });
  } finally {
    lines.flush();
  }
}

export default class Plan extends StrataCommand {
  static override summary = 'Show what an import would do to an environment, without writing anything.';
  static override description =
    'Validates, reads the environment with a few list calls per resource type, and classifies every resource: create, update, unchanged, conflict, skip, with field-level differences, plus the activations an import with --activate-on-import would perform. Resources of types strata does not import are listed as skipped, with the reason (--strict: they fail the plan). The target (environment, URL, token source and scopes) is printed first on stderr. Exit 0 nothing to do, 2 changes pending, 1 error, 3 server unreachable or token refused.';
  static override examples = [
    '<%= config.bin %> plan packs/library/wallet_manifest.yaml --env staging',
    '<%= config.bin %> plan packs/bundle --env staging --junit plan.xml',
  ];
  static override args = {
    path: Args.string({ required: true, description: 'manifest, pack, bundle or archive' }),
  };
  static override flags = { ...serverFlags, ...strictFlag, ...limitFlags, ...junitFlag };

  async run(): Promise<PlanResult> {
    const { args, flags } = await this.parse(Plan);
    const limits = readLimits(flags);
    const target = this.target(flags);
    const lines = new FirstLines(target, (t) => this.note(t), this.stderrStyle(flags), flags.quiet);
    const result = await planWithTarget([args.path], target, lines, { strict: flags.strict, limits });
    this.junit(() => planSuite(result, flags.strict));
    return this.complete(
      result,
      this.outputJson(flags),
      () => formatPlanResult(result, this.stdoutStyle(flags), flags.quiet),
      planExitCode(result),
    );
  }
}
