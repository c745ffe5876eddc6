import { Args, Flags } from '@oclif/core';
import { StrataCommand } from '../base.js';
import { validatePaths, type ValidateResult } from '../validate/validate.js';
import { formatValidateResult } from '../ui/findings.js';
import { validateExitCode } from '../ui/exit.js';
import { UsageError } from '../errors.js';
import { DEFAULT_LIMITS, formatSize, parseSize } from '../pack/limits.js';

/** A size flag: `64MiB`, `512k`, `1G`, or bytes (units are powers of 1024). */
const sizeFlag = (description: string) => Flags.string({ description, helpValue: '<size>' });

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
  static override flags = {
    strict: Flags.boolean({ description: 'Treat warnings as errors (notes never fail).' }),
    'max-file-size': sizeFlag(
      `Largest file (or archive entry) read; a larger one is a finding (default ${formatSize(DEFAULT_LIMITS.fileBytes)}).`,
    ),
    'max-total-size': sizeFlag(
      `Most bytes read in all, and expanded from an archive (default ${formatSize(DEFAULT_LIMITS.totalBytes)}).`,
    ),
  };

  async run(): Promise<ValidateResult> {
    const { flags, argv } = await this.parse(Validate);
    const result = await validatePaths(argv as string[], {
      cwd: process.cwd(),
      strict: flags.strict,
      limits: {
        ...DEFAULT_LIMITS,
        fileBytes: size('max-file-size', flags['max-file-size'], DEFAULT_LIMITS.fileBytes),
        totalBytes: size('max-total-size', flags['max-total-size'], DEFAULT_LIMITS.totalBytes),
      },
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
    return this.complete(
      result,
      this.outputJson(flags),
      () => formatValidateResult(result, this.stdoutStyle(flags), flags.quiet, flags.verbose),
      validateExitCode(result),
    );
  }
}
