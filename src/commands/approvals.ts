import { Flags } from '@oclif/core';
import { listRequests } from '../release/actions.js';
import { ReleaseCommand, releaseServerFlags } from '../release/command.js';
import { formatRequests, type NamedRequest } from '../release/format.js';
import { named, VersionNames } from '../release/names.js';
import { requiresApproval } from '../release/remote.js';
import { EXIT } from '../errors.js';

export interface ApprovalsResult {
  environment: string | null;
  url: string;
  require_approval: boolean;
  requests: NamedRequest[];
}

export default class Approvals extends ReleaseCommand {
  static override summary = 'Activation requests waiting for approval (four-eyes).';
  static override description =
    'On a server started with --require-approval, activations wait as requests until another person approves (strata approve) or rejects (strata reject) them. A request is stale when someone activated another version since it was made: approving it is refused. --all lists decided requests too. Reads only (scope read). Exit 0, 3 unreachable or refused.';
  static override examples = [
    '<%= config.bin %> approvals --env production',
    '<%= config.bin %> approvals --all --env production --output json',
  ];
  static override flags = {
    ...releaseServerFlags,
    all: Flags.boolean({ description: 'Approved and rejected requests too.' }),
  };

  async run(): Promise<ApprovalsResult> {
    const { flags } = await this.parse(Approvals);
    const result = await this.withSession(
      flags,
      ['read'],
      'to read activation requests',
      async ({ client, target }) => {
        const names = new VersionNames(client);
        const requests: NamedRequest[] = [];
        for (const r of await listRequests(client, flags.all)) requests.push(await named(names, r));
        return {
          environment: target.environment,
          url: target.url,
          require_approval: await requiresApproval(client),
          requests,
        };
      },
    );
    return this.complete(
      result,
      this.outputJson(flags),
      () => formatRequests(result.requests, flags.all),
      EXIT.OK,
    );
  }
}
