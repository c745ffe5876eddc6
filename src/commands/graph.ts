import { Args, Flags } from '@oclif/core';
import { StrataCommand } from '../base.js';
import { graphPaths, type GraphResult } from '../graph/service.js';
import { graphExitCode } from '../ui/exit.js';
import { writeFindings } from '../ui/findings.js';
import { configFlag, limitFlags, readLimits } from '../deploy/flags.js';

export default class Graph extends StrataCommand {
  static override summary = 'Print the reference graph of a pack or bundle (Mermaid, dot or JSON).';
  static override description =
    'Nodes are resources, edges point from a resource to what it references, in import order. Findings go to stderr; exit 1 when the pack has errors (the graph is still printed). --format beats --output (and STRATA_OUTPUT): --output json alone means --format json.';
  static override examples = [
    '<%= config.bin %> graph packs/library/loan_manifest.yaml',
    '<%= config.bin %> graph packs/bundle --format dot | dot -Tsvg > graph.svg',
  ];
  static override args = {
    path: Args.string({ required: true, description: 'manifest, pack, bundle or archive' }),
  };
  static override flags = {
    format: Flags.option({
      options: ['mermaid', 'dot', 'json'] as const,
      description: 'Graph format (default mermaid, or json with --output json).',
    })(),
    ...limitFlags,
    ...configFlag,
  };

  async run(): Promise<GraphResult> {
    const { args, flags } = await this.parse(Graph);
    // The format asked for by name wins over the general output format.
    const format = flags.format ?? (this.outputJson(flags) ? 'json' : 'mermaid');
    const result = await graphPaths([args.path], { cwd: process.cwd(), format, limits: readLimits(flags) });
    writeFindings(result.findings, this.stderrStyle(flags), flags.quiet);
    // The graph is the result in every format (JSON included), so it is rendered as text.
    return this.complete(result, false, () => result.rendered, graphExitCode(result));
  }
}
