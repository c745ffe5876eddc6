import { Args, Flags } from '@oclif/core';
import { readActivations } from '../release/remote.js';
import { ReleaseCommand, releaseServerFlags } from '../release/command.js';
import { formatHistory, type NamedActivation } from '../release/format.js';
import { VersionNames } from '../release/names.js';
import { EXIT } from '../errors.js';

export interface HistoryResult {
  environment: string | null;
  url: string;
  activations: NamedActivation[];
}

export default class History extends ReleaseCommand {
  static override summary = 'Activations, newest first: when, who, from, to, reason, approval.';
  static override description =
    'Every change of a current (product) or default (workflow) version the server recorded: first versions, activations, rollbacks, approved requests. Who is the name of the token that asked; under four-eyes approval, APPROVED BY names the approver. Without ids: every product and workflow. Reads only (scope read). Exit 0, 3 unreachable or refused.';
  static override examples = [
    '<%= config.bin %> history current_account --env production',
    '<%= config.bin %> history --workflows ONBOARDING --env staging --output json',
  ];
  static override strict = false;
  static override args = {
    ids: Args.string({
      required: false,
      description: 'product ids (or workflow ids with --workflows); none: all',
    }),
  };
  static override flags = {
    ...releaseServerFlags,
    workflows: Flags.boolean({ description: 'The ids are workflow definition ids.' }),
    limit: Flags.integer({ min: 1, description: 'Only the newest N activations.' }),
  };

  async run(): Promise<HistoryResult> {
    const { argv, flags } = await this.parse(History);
    const ids = argv as string[];
    const result = await this.withSession(
      flags,
      ['read'],
      'to read the history',
      async ({ client, target }) => {
        const all = await readActivations(client, {
          products: flags.workflows ? [] : ids,
          workflows: flags.workflows ? ids : [],
        });
        const newest = all.reverse().slice(0, flags.limit ?? all.length);
        const names = new VersionNames(client);
        const activations: NamedActivation[] = [];
        for (const a of newest) {
          activations.push({
            ...a,
            from_version: await names.name(a.kind, a.target, a.from_version_id),
            to_version: (await names.name(a.kind, a.target, a.to_version_id)) ?? a.to_version_id,
          });
        }
        return { environment: target.environment, url: target.url, activations };
      },
    );
    return this.complete(result, this.outputJson(flags), () => formatHistory(result.activations), EXIT.OK);
  }
}
