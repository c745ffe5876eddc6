import { Args, Flags } from '@oclif/core';
import {
  AccountCounter,
  listProductIds,
  readProduct,
  readWorkflows,
  type TargetView,
} from '../release/remote.js';
import { ReleaseCommand, releaseServerFlags } from '../release/command.js';
import { formatVersions } from '../release/format.js';
import { EXIT } from '../errors.js';

export interface VersionsResult {
  environment: string | null;
  url: string;
  products: TargetView[];
  workflows: TargetView[];
}

export default class Versions extends ReleaseCommand {
  static override summary =
    'List products (or workflow definitions) with every version, the current one marked.';
  static override description =
    'For each version: its number, id, when it was created and, where the server has a ledger the token can read, the accounts open on it. The current version is marked with *. --workflows lists workflow definitions and their default versions instead. Reads only (scope read). Exit 0, 1 error (unknown product), 3 unreachable or refused.';
  static override examples = [
    '<%= config.bin %> versions --env production',
    '<%= config.bin %> versions current_account savings --env staging --output json',
    '<%= config.bin %> versions --workflows --env staging',
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
    workflows: Flags.boolean({
      description: 'Workflow definitions and their default versions instead of products.',
    }),
  };

  async run(): Promise<VersionsResult> {
    const { argv, flags } = await this.parse(Versions);
    const ids = argv as string[];
    const result = await this.withSession(flags, ['read'], 'to read versions', async ({ client, target }) => {
      const out: VersionsResult = {
        environment: target.environment,
        url: target.url,
        products: [],
        workflows: [],
      };
      if (flags.workflows) {
        out.workflows = await readWorkflows(client, ids.length > 0 ? ids : null);
        return out;
      }
      const accounts = new AccountCounter(client);
      for (const id of ids.length > 0 ? ids : await listProductIds(client)) {
        out.products.push(await readProduct(client, id, accounts));
      }
      return out;
    });
    return this.complete(
      result,
      this.outputJson(flags),
      () => formatVersions(flags.workflows ? result.workflows : result.products, this.stdoutStyle(flags)),
      EXIT.OK,
    );
  }
}
