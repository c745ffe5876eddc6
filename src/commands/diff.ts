import { Args, Flags } from '@oclif/core';
import { planPaths } from '../deploy/import.js';
import { StrataError, UsageError, EXIT } from '../errors.js';
import { ReleaseCommand, releaseServerFlags } from '../release/command.js';
import { diffPlan, diffSnapshots, type Difference } from '../release/diff.js';
import { readSnapshot } from '../release/snapshot.js';
import { printable } from '../ui/text.js';
import { formatFinding } from '../ui/findings.js';
import { plain } from '../ui/style.js';

export interface DiffResult {
  mode: 'pack' | 'environments';
  status: 'NO DRIFT' | 'DRIFT';
  from: { path: string | null; environment: string | null; url: string | null };
  to: { environment: string | null; url: string };
  differences: Difference[];
}

export default class Diff extends ReleaseCommand {
  static override summary = 'Drift between a pack and an environment, or between two environments.';
  static override description =
    'With a PATH: what differs between the pack and --env: changed fields, objects the pack defines that the environment lacks (missing), objects the environment has that no given pack defines (orphans; earlier versions of defined products are history, not orphans), and active versions that differ from the ones the pack marks activate: true. With --env A --env B: what promoting A to B would change: objects B lacks (missing), has differently (changed) or has that A has not (orphan), and differing current versions. Objects are matched by what they are (ids where the client chooses them, <product>@<version> for product versions), not by server-generated ids. Reads only. Exit 0 no drift, 2 drift, 1 error, 3 unreachable or refused.';
  static override examples = [
    '<%= config.bin %> diff packs/library/wallet_manifest.yaml --env production',
    '<%= config.bin %> diff --env staging --env production',
  ];
  static override args = {
    path: Args.string({ required: false, description: 'manifest, pack, bundle or archive' }),
  };
  static override flags = {
    ...releaseServerFlags,
    env: Flags.string({
      multiple: true,
      description: 'Environment from the config file; twice (--env A --env B) to compare two environments.',
      helpGroup: 'SERVER',
    }),
  };

  async run(): Promise<DiffResult> {
    const { args, flags } = await this.parse(Diff);
    const envs = flags.env ?? [];
    if (args.path === undefined && envs.length !== 2)
      throw new UsageError(
        'diff needs a PATH and --env E, or two environments',
        'strata diff PACK --env E, or strata diff --env A --env B',
      );
    if (args.path !== undefined && envs.length > 1)
      throw new UsageError('diff compares a pack with one environment', 'strata diff PACK --env E');
    const result =
      args.path !== undefined
        ? await this.#packDiff(args.path, { ...flags, env: envs[0] })
        : await this.#envDiff({ ...flags, env: undefined }, envs);
    return this.complete(
      result,
      this.outputJson(flags),
      () => formatDiff(result),
      result.status === 'DRIFT' ? EXIT.CHANGES : EXIT.OK,
    );
  }

  /** The environment's snapshot, after the same first requests as every release command. */
  #snapshotOf(flags: Parameters<ReleaseCommand['target']>[0] & { quiet?: boolean }) {
    return this.withSession(flags, ['read'], 'to read the environment', async ({ client, target }) => ({
      target,
      snapshot: await readSnapshot(client),
    }));
  }

  async #envDiff(
    flags: Parameters<ReleaseCommand['target']>[0] & { quiet?: boolean },
    envs: string[],
  ): Promise<DiffResult> {
    const a = await this.#snapshotOf({ ...flags, env: envs[0] });
    const b = await this.#snapshotOf({ ...flags, env: envs[1] });
    const differences = diffSnapshots(a.snapshot, b.snapshot);
    return {
      mode: 'environments',
      status: differences.length > 0 ? 'DRIFT' : 'NO DRIFT',
      from: { path: null, environment: a.target.environment, url: a.target.url },
      to: { environment: b.target.environment, url: b.target.url },
      differences,
    };
  }

  async #packDiff(
    path: string,
    flags: Parameters<ReleaseCommand['target']>[0] & { quiet?: boolean },
  ): Promise<DiffResult> {
    const env = await this.#snapshotOf(flags);
    const plan = await planPaths({
      paths: [path],
      cwd: process.cwd(),
      // With activation on, plan names the target of every marked version (for orphans), not only drifting ones.
      target: { ...env.target, activateOnImport: true },
      dataDir: '.strata',
      onFindings: (findings) => {
        const errors = findings.filter((f) => f.severity === 'error');
        if (!flags.quiet) for (const f of errors) this.note(formatFinding(f, plain));
      },
    });
    if (plan.status === 'INVALID')
      throw new StrataError('E_API', `${path} does not validate; strata validate ${path} says why`);
    const differences = diffPlan(plan, env.snapshot);
    return {
      mode: 'pack',
      status: differences.length > 0 ? 'DRIFT' : 'NO DRIFT',
      from: { path, environment: null, url: null },
      to: { environment: env.target.environment, url: env.target.url },
      differences,
    };
  }
}

function formatDiff(r: DiffResult): string {
  const lines = r.differences.map((d) => {
    const head = `${d.kind.padEnd(10)} ${d.resource_type.padEnd(36)} ${printable(d.id, true)}`;
    const fields = d.fields.map(
      (f) =>
        `    ${printable(f.field, true)}: ${printable(f.from ?? '(absent)', true)} -> ${printable(f.to ?? '(absent)', true)}`,
    );
    return [head, ...fields].join('\n');
  });
  lines.push(`${r.differences.length} difference${r.differences.length === 1 ? '' : 's'}`, r.status);
  return lines.join('\n');
}
