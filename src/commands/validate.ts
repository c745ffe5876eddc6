import { Args } from '@oclif/core';
import { StrataCommand } from '../base.js';
import { validatePaths, type ValidateResult } from '../validate/validate.js';
import { formatValidateResult } from '../ui/findings.js';
import { validateExitCode } from '../ui/exit.js';
import { configFlag, junitFlag, limitFlags, readLimits, strictFlag } from '../deploy/flags.js';
import { validateSuite } from '../ui/junit.js';

export default class Validate extends StrataCommand {
  static override summary = 'Check packs and bundles offline: YAML, schemas, references, cycles, code.';
  static override description =
    "PATH is a manifest, a pack directory, a bundle directory, or a .tar.gz/.tgz/.zip bundle. Findings print like a compiler's (path:line:col: error CODE message). Exit 0 valid (warnings allowed), 1 invalid.";
  static override examples = [
    '<%= config.bin %> validate packs/library/wallet_manifest.yaml',
    '<%= config.bin %> validate packs/bundle --output json',
    '<%= config.bin %> validate bundle.tgz --strict',
  ];
  static override strict = false;
  static override args = {
    path: Args.string({ required: true, description: 'manifest, pack, bundle or archive' }),
  };
  static override flags = { ...strictFlag, ...limitFlags, ...junitFlag, ...configFlag };

  async run(): Promise<ValidateResult> {
    const { flags, argv } = await this.parse(Validate);
    const result = await validatePaths(argv as string[], {
      cwd: process.cwd(),
      strict: flags.strict,
      limits: readLimits(flags),
      ...(flags.verbose
        ? {
            onThreads: (t) =>
              this.note(
                `analysis: ${t.fileWorkers > 0 ? `${t.fileWorkers} worker threads` : 'this thread'}${t.factsWorker ? ', contract code on a worker thread' : ''}`,
              ),
          }
        : {}),
    });
    if (flags.verbose) {
      for (const p of result.packs) {
        const n = Object.keys(p.resources).length;
        this.note(
          `${p.manifest}: pack ${p.pack_name ?? '?'} ${p.pack_version ?? '?'}, ${n} resource${n === 1 ? '' : 's'}, root ${p.root}${p.bundle ? `, bundle ${p.bundle}` : ''}, import order: ${p.import_order.join(' ')}`,
        );
      }
    }
    this.junit(() => validateSuite(result, flags.strict));
    return this.complete(
      result,
      this.outputJson(flags),
      () => formatValidateResult(result, this.stdoutStyle(flags), flags.quiet, flags.verbose),
      validateExitCode(result),
    );
  }
}
