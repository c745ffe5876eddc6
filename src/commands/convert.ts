import { Args } from '@oclif/core';
import { StrataCommand } from '../base.js';
import { convertPaths, type ConvertResult } from '../deploy/convert.js';
import { convertExitCode } from '../ui/exit.js';
import { writeFindings } from '../ui/findings.js';
import { configFlag, limitFlags, readLimits, strictFlag } from '../deploy/flags.js';
import { printable } from '../ui/text.js';

export default class Convert extends StrataCommand {
  static override summary =
    'Print the API requests an import would send, in import order, one JSON per line.';
  static override description =
    'Each line is {pack, resource_id, resource_type, method, path, body, unresolved}. References whose values only the server knows (generated ids of product versions, contract modules, links) stay as written and are listed in "unresolved"; the body\'s request_id is the one import sends when nothing is unresolved. Resources of types strata does not import are skipped, each named on stderr with the reason (--strict: they make the packs invalid). The packs are validated first: with errors, nothing is printed and the exit code is 1.';
  static override examples = [
    '<%= config.bin %> convert packs/library/wallet_manifest.yaml',
    '<%= config.bin %> convert packs/bundle > requests.ndjson',
  ];
  static override strict = false;
  static override args = {
    path: Args.string({ required: true, description: 'manifest, pack, bundle or archive' }),
  };
  static override flags = { ...strictFlag, ...limitFlags, ...configFlag };

  async run(): Promise<ConvertResult> {
    const { argv, flags } = await this.parse(Convert);
    const result = await convertPaths(argv as string[], process.cwd(), {
      strict: flags.strict,
      limits: readLimits(flags),
    });
    const style = this.stderrStyle(flags);
    writeFindings(result.findings, style, flags.quiet);
    if (!flags.quiet)
      for (const s of result.skipped)
        this.note(
          `${s.file}:${s.line}:${s.column}: ${style.dim('skipped')} ${printable(`${s.resource_id}: ${s.reason}`, true)}`,
        );
    // One JSON object per request, in import order (nothing when the packs are invalid).
    const lines = result.requests.map((r) =>
      JSON.stringify({
        pack: r.pack,
        resource_id: r.resource_id,
        resource_type: r.resource_type,
        method: r.method,
        path: r.path,
        body: r.body,
        unresolved: r.unresolved,
      }),
    );
    return this.complete(result, false, () => lines.join('\n'), convertExitCode(result));
  }
}
